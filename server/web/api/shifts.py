"""Shifts and handovers over the API."""

from __future__ import annotations

from typing import Any, cast

from flask import Response, jsonify

from server.core import validation
from server.core.auth import api_user, require_role
from server.models import User
from server.operations import shifts
from server.operations.models import Handover, Shift
from server.web.api.blueprint import bp
from server.words import STAFF


def _user() -> User:
    return cast(User, api_user())


def handover_json(h: Handover) -> dict[str, Any]:
    """Render a handover with its open items."""
    return {
        "id": h.id,
        "shift_id": h.shift_id,
        "note": h.note,
        "open_items": h.open_items,
        "written_by": h.written_by,
        "written_at": h.written_at.isoformat(),
        "acknowledged_by": h.acknowledged_by,
        "acknowledged_at": h.acknowledged_at.isoformat() if h.acknowledged_at else None,
    }


def shift_json(s: Shift, handover: Handover | None) -> dict[str, Any]:
    """Render a shift and its handover, if written."""
    return {
        "id": s.id,
        "label": s.label,
        "starts_at": s.starts_at.isoformat(),
        "ends_at": s.ends_at.isoformat(),
        "staff": s.staff,
        "volunteers": s.volunteers,
        "handover": handover_json(handover) if handover is not None else None,
    }


def _people(data: dict[str, Any], field: str) -> list[str]:
    value = data.get(field) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise validation.bad(field, f"'{field}' must be a list of names")
    return value


@bp.get("/shifts")
@require_role(*STAFF)
def list_shifts() -> Response:
    """Shifts on duty now and the latest ones."""
    on_duty = shifts.on_duty()
    latest = shifts.recent()
    notes = shifts.handovers(s.id for s in [*on_duty, *latest])
    return jsonify(
        {
            "on_duty": [shift_json(s, notes.get(s.id)) for s in on_duty],
            "recent": [shift_json(s, notes.get(s.id)) for s in latest],
        }
    )


@bp.post("/shifts")
@require_role(*STAFF)
def post_shift() -> tuple[Response, int]:
    """Plan a shift: {"label", "starts_at", "ends_at", "staff": [...], "volunteers": [...]}."""
    data = validation.json_body()
    shift = shifts.create(
        validation.text(data, "label", required=True, max_chars=120),
        shifts.parse_time(validation.text(data, "starts_at", required=True), "starts_at"),
        shifts.parse_time(validation.text(data, "ends_at", required=True), "ends_at"),
        _people(data, "staff"),
        _people(data, "volunteers"),
        _user(),
    )
    return jsonify(shift_json(shift, None)), 201


@bp.post("/shifts/<int:shift_id>/handover")
@require_role(*STAFF)
def post_handover(shift_id: int) -> tuple[Response, int]:
    """Write a shift's handover: {"note"}; the open items are added automatically."""
    data = validation.json_body()
    row = shifts.write_handover(
        shift_id, validation.text(data, "note", required=True, max_chars=shifts.MAX_NOTE), _user()
    )
    return jsonify(handover_json(row)), 201


@bp.post("/handovers/<int:handover_id>/acknowledge")
@require_role(*STAFF)
def post_acknowledge(handover_id: int) -> Response:
    """The next shift acknowledges a handover (once)."""
    return jsonify(handover_json(shifts.acknowledge(handover_id, _user())))
