"""Shelters (their registry entry) and boards."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify
from sqlalchemy import select

from server.core import validation
from server.core.auth import api_user, require_role
from server.core.errors import ApiError
from server.core.extensions import db
from server.core.security import board_token
from server.models import Board, Shelter
from server.operations import activity
from server.operations.words import ActivityKind
from server.shelters import registry
from server.shelters.words import ShelterStatus
from server.web.api.blueprint import bp
from server.words import WRITERS, Role

LAYOUTS = ("grid", "cycle")


def shelter_json(shelter: Shelter) -> dict[str, Any]:
    """Render a shelter for the API (its registry entry)."""
    return registry.as_json(shelter)


def board_json(board: Board, *, with_link: bool = False) -> dict[str, Any]:
    """Render a board; only admins see its secret link."""
    data: dict[str, Any] = {
        "id": board.id,
        "shelter_id": board.shelter_id,
        "name": board.name,
        "layout": board.layout,
        "furigana": board.furigana,
    }
    if with_link:
        token = board_token(current_app.config["SECRET_KEY"], board.id, board.token_version)
        data["token"] = token
        data["url"] = f"{current_app.config['PUBLIC_URL']}/board/{board.id}?token={token}"
    return data


@bp.get("/shelters")
@require_role()
def list_shelters() -> Response:
    """List shelters."""
    return jsonify(
        [shelter_json(s) for s in db.session.scalars(select(Shelter).order_by(Shelter.id))]
    )


@bp.post("/shelters")
@require_role(*WRITERS)
def create_shelter() -> tuple[Response, int]:
    """Register a shelter."""
    data = validation.json_body()
    fields = registry.parse(data, creating=True)
    if "status" not in fields and not validation.boolean(data, "is_open", True):
        fields["status"] = ShelterStatus.CLOSED
    shelter = registry.create(fields, api_user())
    return jsonify(shelter_json(shelter)), 201


@bp.post("/shelters/<int:shelter_id>/boards")
@require_role(Role.ADMIN)
def create_board(shelter_id: int) -> tuple[Response, int]:
    """Add a board to a shelter and return its secret link."""
    shelter = db.session.get(Shelter, shelter_id)
    if shelter is None:
        raise ApiError(404, "unknown_shelter", f"no shelter with id {shelter_id}")
    data = validation.json_body()
    board = Board(
        shelter=shelter,
        name=validation.text(data, "name", required=True, max_chars=200) or "",
        layout=validation.choice(data, "layout", LAYOUTS, "grid"),
        furigana=validation.boolean(data, "furigana", False),
    )
    db.session.add(board)
    db.session.flush()
    activity.record(
        ActivityKind.BOARD_ADDED,
        f"board {board.id} at shelter {shelter.id}",
        user=api_user(),
        ref=f"board:{board.id}",
    )
    db.session.commit()
    return jsonify(board_json(board, with_link=True)), 201
