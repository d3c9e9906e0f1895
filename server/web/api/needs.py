"""Rounds recorded from a phone or another tool, and the needs they find."""

from __future__ import annotations

from flask import Response, jsonify, request
from sqlalchemy import select

from server.core import validation
from server.core.auth import api_user, require_role
from server.core.errors import ApiError
from server.core.extensions import db
from server.shelters import needs, registry, rounds
from server.shelters.models import Need
from server.shelters.needs import FieldError
from server.web.api.blueprint import bp
from server.words import WRITERS


def refused(errors: list[FieldError]) -> ApiError:
    """Turn checked fields into the one error shape (the first problem, and how many)."""
    first = errors[0]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return ApiError(400, "invalid", first.en + more, first.field)


@bp.post("/shelters/<int:shelter_id>/rounds")
@require_role(*WRITERS)
def round_create(shelter_id: int) -> tuple[Response, int]:
    """Record a round: {client_id, answers, needs}; a resend with the same client_id is a no-op."""
    shelter = registry.get(shelter_id)
    data = validation.json_body()
    answers = data.get("answers", {})
    if not isinstance(answers, dict):
        raise validation.bad("answers", "'answers' must be an object of the sheet's fields")
    try:
        item, created = rounds.record(
            shelter, data.get("client_id"), answers, data.get("needs", []), api_user()
        )
    except rounds.RoundInvalid as exc:
        raise refused(exc.errors) from None
    if item.shelter_id != shelter.id:
        raise ApiError(
            409, "client_id_taken", "this client_id was used for another shelter", "client_id"
        )
    body = {
        "id": item.id,
        "client_id": item.client_id,
        "shelter_id": item.shelter_id,
        "duplicate": not created,
        "needs": list(db.session.scalars(select(Need.id).where(Need.round_id == item.id))),
    }
    return jsonify(body), 201 if created else 200


def _need(need_id: int) -> Need:
    need = db.session.get(Need, need_id)
    if need is None:
        raise ApiError(404, "unknown_need", f"no need with id {need_id}", "need_id")
    return need


@bp.get("/needs")
@require_role()
def need_list() -> Response:
    """Needs, oldest first (?status=active or one status, ?shelter_id=, ?lang=)."""
    status = request.args.get("status", "active")
    query = db.select(Need).order_by(Need.created_at, Need.id)
    if status == "active":
        query = query.where(Need.status.in_(needs.OPEN_STATES))
    elif status in needs.NEXT:
        query = query.where(Need.status == status)
    else:
        raise validation.bad(
            "status", "'status' must be active, open, in_progress, addressed or closed"
        )
    if shelter := request.args.get("shelter_id"):
        if not shelter.isdigit():
            raise validation.bad("shelter_id", "'shelter_id' must be a shelter id")
        query = query.where(Need.shelter_id == int(shelter))
    if lang := request.args.get("lang"):
        query = query.where(Need.lang == lang)
    return jsonify([needs.as_json(n) for n in db.session.scalars(query.limit(1000))])


@bp.post("/shelters/<int:shelter_id>/needs")
@require_role(*WRITERS)
def need_create(shelter_id: int) -> tuple[Response, int]:
    """Record a need found outside a round (a phone call from the shelter)."""
    shelter = registry.get(shelter_id)
    fields, errors = needs.parse(validation.json_body())
    if errors:
        raise refused(errors)
    need = needs.create(shelter, fields, api_user())
    db.session.commit()
    return jsonify(needs.as_json(need)), 201


@bp.get("/needs/<int:need_id>")
@require_role()
def need_detail(need_id: int) -> Response:
    """One need with its history and suggested phrasebook announcements."""
    need = _need(need_id)
    return jsonify(
        {
            **needs.as_json(need),
            "suggestions": [
                {
                    "template_id": t.id,
                    "category": t.category,
                    "text": t.text.get(need.lang),
                    "ja": t.text["ja"],
                }
                for t in needs.suggestions(need)
            ],
        }
    )


@bp.patch("/needs/<int:need_id>")
@require_role(*WRITERS)
def need_update(need_id: int) -> Response:
    """Move a need on: {"status": "in_progress" | "addressed" | "closed"}."""
    need = _need(need_id)
    data = validation.json_body()
    status = validation.choice(data, "status", tuple(needs.NEXT), need.status)
    try:
        needs.move(need, status, api_user())
    except needs.NeedError as exc:
        raise ApiError(409, "invalid_transition", str(exc), "status") from None
    return jsonify(needs.as_json(need))
