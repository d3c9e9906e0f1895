"""Console pages that print: announcement posters, shelter batches, pointing board, card."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as BaseResponse

from server.channels import posters, printing
from server.core.errors import ApiError
from server.web.console.blueprint import bp
from server.words import WRITERS
from translations import phrasebook


def _pdf(body: bytes, name: str) -> Response:
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}.pdf"'},
    )


def _require_writer() -> None:
    if current_user.role not in WRITERS:
        abort(403)


def explain(exc: ApiError) -> str:
    """Say in the console's language what was wrong with a print request."""
    messages: dict[str, str] = {
        "too_many_languages": _("A poster holds at most five languages besides Japanese."),
        "unknown_language": _("That language is not one of this center's languages."),
        "retracted": _("A retracted announcement is not printed."),
        "nothing_to_print": _("No open shelter receives this announcement."),
        "too_many_shelters": _("Too many shelters for one batch."),
    }
    if exc.code in messages:
        return messages[exc.code]
    if exc.field and exc.field.startswith("slot."):
        return str(
            _("A value of the sentence is missing or wrong: %(message)s", message=exc.message)
        )
    if exc.field == "template":
        return str(_("There is no such phrasebook sentence."))
    if exc.field == "size":
        return str(_("Paper size must be A4 or A3."))
    if exc.field == "shelter":
        return str(_("There is no such shelter."))
    return str(_("There is no such announcement.")) if exc.status == 404 else exc.message


@bp.get("/announcements/<int:announcement_id>/poster.pdf")
@login_required
def announcement_poster(announcement_id: int) -> BaseResponse:
    """Print an announcement as a poster: ?size=A4|A3 and ?langs=en,vi or ?shelter=<id>."""
    _require_writer()
    try:
        size = posters.parse_size(request.args.get("size"))
        # The page's form sends one ``langs`` per ticked box; a typed link sends ``en,vi``.
        args = {
            "langs": ",".join(request.args.getlist("langs")),
            "shelter": request.args.get("shelter", ""),
        }
        body = printing.posters_pdf(posters.announcement_posters(announcement_id, args), size)
    except ApiError as exc:
        flash(explain(exc), "error")
        return redirect(url_for("console.announcement", announcement_id=announcement_id))
    return _pdf(body, f"poster-{announcement_id}-{size}")


@bp.get("/posters/shelters.pdf")
@login_required
def shelter_posters() -> BaseResponse:
    """Print one poster of ?announcement= per open shelter, each in its own languages."""
    _require_writer()
    try:
        size = posters.parse_size(request.args.get("size"))
        body = printing.posters_pdf(posters.shelter_posters(request.args), size)
    except ApiError as exc:
        flash(explain(exc), "error")
        return redirect(url_for("console.print_sheets"))
    return _pdf(body, f"posters-shelters-{size}")


def _sheet(make: Callable[[str], bytes], name: str) -> BaseResponse:
    """One printed sheet in Japanese and ?lang=; a bad language goes back to the list."""
    _require_writer()
    try:
        lang = printing.sheet_language(request.args.get("lang"))
    except ApiError as exc:
        flash(explain(exc), "error")
        return redirect(url_for("console.print_sheets"))
    return _pdf(make(lang), f"{name}-{lang}")


@bp.get("/print/pointing-board.pdf")
@login_required
def pointing_board() -> BaseResponse:
    """Print the pointing board in Japanese and ?lang=."""
    return _sheet(printing.pointing_board_pdf, "pointing-board")


@bp.get("/print/registration-card.pdf")
@login_required
def registration_card() -> BaseResponse:
    """Print a blank registration card, labels in Japanese and ?lang=."""
    return _sheet(printing.registration_card_pdf, "registration-card")


@bp.get("/print/phrasebook.pdf")
@login_required
def phrasebook_poster() -> BaseResponse:
    """Print one phrasebook sentence as a poster: ?template=, ?slot.<name>=, ?langs=, ?size=."""
    _require_writer()
    try:
        size = posters.parse_size(request.args.get("size"))
        args = {**request.args.to_dict(), "langs": ",".join(request.args.getlist("langs"))}
        body = printing.posters_pdf([posters.phrasebook_poster(args)], size)
    except ApiError as exc:
        flash(explain(exc), "error")
        return redirect(url_for("console.print_sheets", template=request.args.get("template")))
    return _pdf(body, f"phrasebook-{size}")


@bp.get("/print")
@login_required
def print_sheets() -> str:
    """List what can be printed, with a form for each (?template= picks a phrasebook sentence)."""
    _require_writer()
    templates = phrasebook.load()
    return render_template(
        "console/print.html",
        languages=printing.sheet_languages(),
        announcements=posters.printable_announcements(),
        templates=sorted(templates.values(), key=lambda t: t.id),
        chosen=templates.get(request.args.get("template", "")),
        choosable=posters.choosable_languages(),
    )
