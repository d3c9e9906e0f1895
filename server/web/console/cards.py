"""Console pages of registration cards: the list (no personal data), one card (audited), CSV."""

from __future__ import annotations

from flask import Response, abort, render_template, request
from flask_login import current_user, login_required

from server.core.extensions import db
from server.models import Shelter
from server.shelters import cards, retention
from server.shelters.models import RegistrationCard
from server.web.console.blueprint import bp
from server.words import STAFF, WRITERS, Role
from translations import languages


def _staff() -> None:
    if current_user.role not in STAFF:
        abort(403)


@bp.get("/cards")
@login_required
def card_list() -> str:
    """Cards newest first, by shelter, language and date: no names, so no audit."""
    _staff()
    arg = request.args.get("shelter", "")
    shelter_id = int(arg) if arg.isdigit() else None
    found = cards.listing(shelter_id)
    return render_template(
        "console/cards.html",
        cards=found,
        shelters=cards.shelters_of({c.shelter_id for c in found}),
        every_shelter=db.session.query(Shelter).order_by(Shelter.id).all(),
        shelter_id=shelter_id,
        duplicates=cards.with_duplicates(),
        names={x.code: x.native for x in languages.LANGUAGES},
    )


@bp.get("/cards/<int:card_id>")
@login_required
def card_detail(card_id: int) -> str:
    """One card under the form's Japanese labels, with its possible duplicates (audited)."""
    _staff()
    item = db.session.get(RegistrationCard, card_id) or abort(404)
    cards.audit(current_user._get_current_object(), "view", item.id, request.remote_addr)
    return render_template(
        "console/card.html",
        c=item,
        answers=cards.in_japanese(item, cards.form()),
        duplicates=cards.duplicates(item),
        language=languages.BY_CODE[item.lang].native if item.lang in languages.BY_CODE else "",
    )


@bp.get("/cards.csv")
@login_required
def card_csv() -> Response:
    """Export cards; ``?personal=1`` adds the personal fields (admins only, audited)."""
    personal = request.args.get("personal") == "1"
    if current_user.role not in WRITERS or (personal and current_user.role != Role.ADMIN):
        abort(403)
    if personal:
        cards.audit(
            current_user._get_current_object(), "export_personal", None, request.remote_addr
        )
    name = "registration-cards-personal.csv" if personal else "registration-cards.csv"
    return Response(
        "\ufeff" + retention.cards_csv(personal),  # the BOM lets spreadsheet apps read Japanese
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
