"""The center's phase and checklists over the API."""

from __future__ import annotations

from typing import Any, cast

from flask import Response, jsonify

from manuals import loader
from server.core import validation
from server.core.auth import api_user, require_role
from server.models import User
from server.operations import checklists, now, phases, triggers
from server.operations.checklists import Item
from server.web.api.blueprint import bp
from server.words import DIRECTORS, STAFF


def _user() -> User:
    return cast(User, api_user())


def item_json(item: Item) -> dict[str, Any]:
    """Render a checklist item with its state."""
    mark = item.mark
    return {
        "id": item.id,
        "phase": item.phase,
        "text": item.text,
        "team": item.team,
        "custom": item.custom,
        "due_hours": item.due_hours,
        "every_hours": item.every_hours,
        "state": mark.state if mark is not None else "open",
        "marked_at": mark.marked_at.isoformat() if mark is not None else None,
        "marked_by": mark.user_id if mark is not None else None,
        "note": mark.note if mark is not None else None,
        "reason": mark.reason if mark is not None else None,
    }


def center_json() -> dict[str, Any]:
    """The phase, where it may go next, and its history."""
    now = phases.current()
    return {
        "phase": now,
        "next": loader.next_phases(now),
        "history": [
            {
                "from": h.from_phase,
                "to": h.to_phase,
                "reason": h.reason,
                "forced": h.forced,
                "user_id": h.user_id,
                "at": h.created_at.isoformat(),
            }
            for h in phases.history()
        ],
    }


@bp.get("/center")
@require_role(*STAFF)
def get_center() -> Response:
    """Show the center's phase."""
    return jsonify(center_json())


@bp.post("/center/phase")
@require_role(*STAFF)  # phases.change refuses non-directors with its own clear message
def post_phase() -> Response:
    """Change the phase: {"phase", "reason", "force"?}."""
    data = validation.json_body()
    phase = validation.text(data, "phase", required=True, max_chars=16) or ""
    phases.change(
        phase,
        validation.text(data, "reason", required=True),
        _user(),
        force=validation.boolean(data, "force"),
    )
    return jsonify(center_json())


@bp.get("/checklists/<phase>")
@require_role(*STAFF)
def get_checklist(phase: str) -> Response:
    """List a phase's checklist with each item's state."""
    if phase not in phases.phase_ids():
        raise validation.bad("phase", f"no phase {phase!r}")
    return jsonify([item_json(i) for i in checklists.items(phase)])


@bp.post("/checklists/items/<path:item_id>")
@require_role(*STAFF)
def post_mark(item_id: str) -> Response:
    """Tick an item: {"state": "done"|"not_applicable"|"open", "note"?, "reason"?}."""
    data = validation.json_body()
    state = validation.choice(data, "state", ("done", "not_applicable", "open"), "done")
    if state == "open":
        checklists.reopen(item_id, _user(), validation.text(data, "reason"))
    else:
        checklists.mark(
            item_id,
            state,
            _user(),
            note=validation.text(data, "note"),
            reason=validation.text(data, "reason"),
        )
    return jsonify(item_json(checklists.find(item_id)))


@bp.post("/checklists/<phase>/items")
@require_role(*STAFF)
def post_item(phase: str) -> tuple[Response, int]:
    """Add the center's own item: {"text", "team"}."""
    data = validation.json_body()
    item = checklists.add(
        phase,
        validation.text(data, "text", required=True),
        validation.text(data, "team", required=True, max_chars=32),
        _user(),
    )
    return jsonify(item_json(item)), 201


@bp.get("/now")
@require_role(*STAFF)
def get_now() -> Response:
    """What to do now: open checklist items, unanswered inquiries, reviews, pending languages
    (and, for a director, announcements that suggest activating the center)."""
    return jsonify(now.todo(director=_user().role in DIRECTORS))


@bp.post("/center/triggers/<int:announcement_id>/dismiss")
@require_role(*STAFF)
def dismiss_trigger(announcement_id: int) -> Response:
    """A director sets aside the suggestion to activate: {"reason"?}."""
    data = validation.json_body()
    reason = validation.text(data, "reason", max_chars=400)
    triggers.dismiss(announcement_id, _user(), reason)
    return jsonify(triggers.suggestions())
