"""Resident pages of the registration card: fill it in on a phone, in your own language.

The card is the manual's form (labels from the form data and ``translations/forms``); the page
works without JavaScript and has the inquiry page's protections: CSRF token, rate limit,
honeypot, size limits. A refused card comes back with each reason in the resident's language
and nothing stored. Routes live on the resident blueprint so its language choice applies.
"""

from __future__ import annotations

import io
import uuid
from typing import Any

from flask import Response, abort, current_app, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from manuals.records import Form
from server.core.extensions import db, limiter
from server.models import Shelter
from server.shelters import cards
from server.web.resident import _page, bp, resident_language
from translations import form_labels, languages

# Browser hints for fields a phone can fill in by itself.
AUTOCOMPLETE = {"name": "name", "address": "street-address", "phone": "tel"}


def _value(form: MultiDict[str, str], field: dict[str, Any]) -> Any:
    """One posted answer in the card's types (a wrong value stays wrong, to be named)."""
    fid, kind = field["id"], field["type"]
    if kind == "multi_choice":
        return form.getlist(fid)
    raw = form.get(fid, "")
    if kind == "integer":
        raw = raw.strip()
        return int(raw) if raw.isdigit() and len(raw) < 7 else (raw or None)
    if kind == "boolean":
        return {"yes": True, "": None}.get(raw, raw)
    return raw


def from_form(form: MultiDict[str, str], card: Form) -> dict[str, Any]:
    """The posted card as answers; fields left empty are left out."""
    return {f["id"]: _value(form, dict(f)) for f in cards.asked(card)}


def _messages() -> dict[str, str]:
    return {
        "required": _("Please fill this in."),
        "choice": _("Please choose from the list."),
        "long": _("Please write %(n)s characters at most.", n=cards.MAX_TEXT),
        "text": _("Please check the form."),
        "integer": _("Please write a whole number."),
        "date": _("Please write a date (year-month-day)."),
        "future": _("This date is in the future."),
        "boolean": _("Please tick the box or leave it empty."),
    }


def _card_page(
    shelter: Shelter,
    values: MultiDict[str, str],
    problems: list[cards.Problem],
    status: int = 200,
) -> tuple[str, int]:
    lang = resident_language()
    card = form_labels.localize(cards.form(), lang)
    messages = _messages()
    asked = {f["id"] for f in cards.asked(cards.form())}
    sections = [
        {**s, "fields": [f for f in s["fields"] if f["id"] in asked]} for s in card["sections"]
    ]
    return _page(
        "resident/card.html",
        status,
        shelter=shelter,
        card=card,
        sections=[s for s in sections if s["fields"]],
        values=values,
        errors={p.field: messages.get(p.code, _("Please check the form.")) for p in problems},
        client_id=values.get("client_id") or str(uuid.uuid4()),
        max_text=cards.MAX_TEXT,
        autocomplete=AUTOCOMPLETE,
        language_codes=set(languages.BY_CODE),
    )


def _closed(shelter: Shelter) -> tuple[str, int]:
    return _page("resident/card_closed.html", 409, shelter=shelter)


def _missing() -> tuple[str, int]:
    return _page("resident/not_found.html", 404)


@bp.get("/card")
def card_shelters() -> tuple[str, int]:
    """Choose the shelter you are at (the QR code of a shelter skips this step)."""
    shelters = db.session.scalars(
        select(Shelter)
        .where(Shelter.is_open.is_(True), Shelter.drill_id.is_(None))
        .order_by(Shelter.id)
    ).all()
    return _page(
        "resident/card_shelters.html",
        shelters=[s for s in shelters if not cards.is_closed(s)],
        title=form_labels.localize(cards.form(), resident_language())["title"],
    )


@bp.get("/card/<int:shelter_id>")
def card(shelter_id: int) -> tuple[str, int]:
    """The registration card of one shelter."""
    shelter = db.session.get(Shelter, shelter_id)
    if shelter is None:
        return _missing()
    if cards.is_closed(shelter):
        return _closed(shelter)
    return _card_page(shelter, MultiDict(), [])


def _limit() -> str:
    return str(current_app.config["RATE_LIMIT_INQUIRIES"])


@bp.post("/card/<int:shelter_id>")
@limiter.limit(_limit, methods=["POST"])
def card_submit(shelter_id: int) -> tuple[str, int]:
    """Record the card and count its person in the shelter's census."""
    shelter = db.session.get(Shelter, shelter_id)
    if shelter is None:
        return _missing()
    if request.form.get("website"):  # the honeypot: people never see it, bots fill it
        abort(400)
    try:
        item, _created = cards.submit(
            shelter,
            request.form.get("client_id", ""),
            resident_language(),
            from_form(request.form, cards.form()),
        )
    except cards.CardRefused as exc:
        fields = {p.field for p in exc.problems}
        if "shelter_id" in fields:
            return _closed(shelter)
        if "client_id" in fields:
            return _page("resident/card_expired.html", 400, shelter=shelter)
        return _card_page(shelter, request.form, exc.problems, 400)
    return _page("resident/card_done.html", 201, shelter=shelter, number=item.id)


@bp.get("/card/<int:shelter_id>/qr.svg")
def card_qr(shelter_id: int) -> Response:
    """A QR code of one shelter's registration card, for its boards and reception posters."""
    import segno

    if db.session.get(Shelter, shelter_id) is None:
        abort(404)
    target = current_app.config["PUBLIC_URL"] + url_for("resident.card", shelter_id=shelter_id)
    out = io.BytesIO()
    segno.make(target, error="m").save(out, kind="svg", scale=6, dark="#000", light="#fff")
    return Response(
        out.getvalue(), mimetype="image/svg+xml", headers={"Cache-Control": "public, max-age=3600"}
    )
