"""Console pages for composing, watching, updating and retracting announcements."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from server.announcements import drafts, service, views
from server.core import validation
from server.core.errors import ApiError
from server.core.extensions import db
from server.models import Announcement, Shelter
from server.operations import now
from server.shelters import needs, places
from server.shelters.models import Need
from server.web.console import confirm
from server.web.console.blueprint import bp
from server.words import DIRECTORS, WRITERS
from translations import easy_japanese, languages, phrasebook
from translations.slots import SlotError


def _form_data(form: Any, *, partial: bool = False) -> dict[str, Any]:
    """Turn the compose form into the API's JSON shape."""
    data: dict[str, Any] = {}
    for field in (
        "text",
        "easy_text",
        "source_lang",
        "category",
        "severity",
        "urgency",
        "certainty",
        "expires_at",
        "template_id",
        "drill_inject_id",
    ):
        if field in form:
            data[field] = form.get(field, "").strip() or None
    if not partial or "target" in form:
        ids = [int(v) for v in form.getlist("shelter_ids") if v.isdigit()]
        data["shelter_ids"] = ids if form.get("target") == "chosen" else None
    if not partial or "drill_present" in form:
        data["drill"] = form.get("drill") == "on"
    slots = {k[5:]: v for k, v in form.items() if k.startswith("slot_") and v.strip()}
    if slots:
        data["slots"] = slots
    return {k: v for k, v in data.items() if not (partial and v is None and k != "easy_text")}


def _choices() -> dict[str, Any]:
    return {
        "categories": validation.CATEGORIES,
        "severities": validation.SEVERITIES,
        "urgencies": validation.URGENCIES,
        "certainties": validation.CERTAINTIES,
        "languages": [lang for lang in languages.LANGUAGES if lang.code != "ja-x-easy"],
        "shelters": list(db.session.scalars(select(Shelter).order_by(Shelter.id))),
    }


def _require_writer() -> None:
    if current_user.role not in WRITERS:
        abort(403)


@bp.get("/")
@login_required
def dashboard() -> str:
    """List announcements with how many languages are ready."""
    items = list(
        db.session.scalars(select(Announcement).order_by(Announcement.id.desc()).limit(200))
    )
    rows = [(a, views.translation_status(a)) for a in items]
    todo = now.todo(director=current_user.role in DIRECTORS)
    return render_template("console/dashboard.html", rows=rows, todo=todo)


def _template_context(form: dict[str, Any]) -> dict[str, Any]:
    """Search results, the chosen template and its preview in every language."""
    query = request.args.get("tq", "")[:100]
    category = request.args.get("tcat") or None
    results = phrasebook.search(query, category)[:50] if (query or category) else []
    template = phrasebook.load().get(form.get("template_id") or request.args.get("template", ""))
    preview: list[tuple[str, str, bool]] = []
    preview_error = None
    if template is not None and request.method == "POST":
        raw = {k[5:]: v for k, v in form.items() if k.startswith("slot_")}
        try:
            values = template.parse_slots(raw)
            known = places.known()
            preview = [
                (lang, template.render(lang, values, known), template.reviewed(lang))
                for lang in template.text
            ]
        except SlotError as exc:
            preview_error = str(exc)
    return {
        "tq": query,
        "tcat": category,
        "results": results,
        "template": template,
        "preview": preview,
        "preview_error": preview_error,
        "slot_inputs": SLOT_INPUTS,
    }


SLOT_INPUTS = {
    "time": "time",
    "date": "date",
    "phone": "tel",
    "number": "number",
    "place": "text",
    "name": "text",
}


def _render_compose(
    form: dict[str, Any],
    error_field: str | None = None,
    findings: list[Any] | None = None,
    status: int = 200,
) -> Any:
    return render_template(
        "console/compose.html",
        form=form,
        error_field=error_field,
        findings=findings,
        **_template_context(form),
        **_choices(),
    ), status


@bp.route("/announcements/new", methods=["GET", "POST"])
@login_required
def compose() -> Any:
    """Compose (free text or a phrasebook template), check, preview, publish."""
    _require_writer()
    form: dict[str, Any] = {
        "source_lang": current_app.config["SOURCE_LANGUAGE"],
        **drafts.DEFAULTS,
        "target": "all",
        "template_id": request.args.get("template", ""),
    }
    chosen = phrasebook.load().get(form["template_id"])
    if chosen is not None:
        form["category"] = chosen.category if chosen.category in validation.CATEGORIES else "other"
    # From a shelter need: aimed at the shelters given, linked to the need once published.
    aimed = [v for v in request.args.getlist("shelter") if v.isdigit()]
    if aimed:
        form |= {"target": "chosen", "shelter_ids": aimed}
        shelter = db.session.get(Shelter, int(aimed[0])) if len(aimed) == 1 else None
        if shelter is not None and chosen is not None and chosen.slots.get("place") == "place":
            form["slot_place"] = shelter.name_ja  # each language then names it its own way
    form["need_id"] = request.args.get("need", "")
    # From a drill's incoming news: the expected template and slots, marked as the drill's.
    if request.args.get("drill_inject", "").isdigit():
        form |= {"drill_inject_id": request.args["drill_inject"], "drill": "on"}
        form |= {k: v[:100] for k, v in request.args.items() if k.startswith("slot_")}
    if request.method == "GET":
        return _render_compose(form)
    form = request.form.to_dict() | {"shelter_ids": request.form.getlist("shelter_ids")}
    action = request.form.get("action", "publish")
    if action == "check":
        return _render_compose(form, findings=easy_japanese.check(form.get("easy_text", "")))
    if action == "preview":
        return _render_compose(form)
    try:
        draft = drafts.parse_draft(_form_data(request.form))
    except ApiError as exc:
        flash(exc.message, "error")
        return _render_compose(form, error_field=exc.field, status=400)
    announcement = service.create(draft, current_user._get_current_object())
    need = db.session.get(Need, int(form["need_id"])) if form.get("need_id", "").isdigit() else None
    if need is not None:
        needs.link_announcement(need, announcement.id, current_user._get_current_object())
    flash(_("Published. Translations arrive below as workers finish them."), "ok")
    return redirect(url_for("console.announcement", announcement_id=announcement.id))


@bp.post("/easy-check")
@login_required
def easy_check() -> Response:
    """Check やさしい日本語 as the operator types (JSON for console.js)."""
    data = request.get_json(silent=True) or {}
    text = str(data.get("text", ""))[:5000]
    return jsonify(
        [
            {
                "rule": f.rule,
                "severity": f.severity,
                "start": f.start,
                "end": f.end,
                "message": f.message_ja
                if get_locale() and str(get_locale()) == "ja"
                else f.message_en,
                "suggestion": f.suggestion,
            }
            for f in easy_japanese.check(text)
        ]
    )


@bp.get("/announcements/<int:announcement_id>")
@login_required
def announcement(announcement_id: int) -> str:
    """Show one announcement and each language arriving live."""
    item = db.session.get(Announcement, announcement_id) or abort(404)
    return render_template(
        "console/announcement.html",
        a=item,
        current=item.revisions[-1],
        translations=views.translation_status(item),
        names={lang.code: lang.native for lang in languages.LANGUAGES},
    )


@bp.post("/announcements/<int:announcement_id>/update")
@login_required
def update(announcement_id: int) -> Response:
    """Publish a new revision from the console."""
    _require_writer()
    item = db.session.get(Announcement, announcement_id) or abort(404)
    try:
        draft = drafts.parse_draft(_form_data(request.form, partial=True), base=item)
        service.revise(item, draft, current_user._get_current_object())
        flash(_("Updated: boards now show revision %(n)s.", n=item.revision), "ok")
    except ApiError as exc:
        flash(exc.message, "error")
    return redirect(url_for("console.announcement", announcement_id=announcement_id))


@bp.route("/announcements/<int:announcement_id>/retract", methods=["GET", "POST"])
@login_required
def retract(announcement_id: int) -> Response | str:
    """Withdraw an announcement from every board, after a confirmation."""
    _require_writer()
    item = db.session.get(Announcement, announcement_id) or abort(404)
    if request.method == "GET" or request.form.get("confirm") != "yes":
        return confirm.page(
            _("Retract this announcement from every board?"),
            _("Boards remove it in every language at once. This cannot be undone."),
            _("Yes, retract it"),
            url_for("console.announcement", announcement_id=announcement_id),
            quote=item.revisions[-1].text,
            quote_lang=item.source_lang,
        )
    try:
        service.retract(item, current_user._get_current_object())
        flash(_("Retracted: boards have removed it."), "ok")
    except ApiError as exc:
        flash(exc.message, "error")
    return redirect(url_for("console.announcement", announcement_id=announcement_id))
