"""Socket.IO: boards and console sessions join rooms; nobody else connects."""

from __future__ import annotations

import logging
from typing import Any

from flask import request
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, join_room

from server import auth
from server.events import NAMESPACE
from server.extensions import db, socketio

log = logging.getLogger(__name__)


@socketio.on("connect", namespace=NAMESPACE)
def on_connect(data: dict[str, Any] | None = None) -> None:
    """Admit a board by its token or a signed-in console user; refuse anyone else."""
    token = (data or {}).get("board_token") if isinstance(data, dict) else None
    try:
        if token:
            board = auth.board_from_token(str(token))
            if board is None:
                raise ConnectionRefusedError("invalid or revoked board token")
            join_room("board:all")
            join_room(f"shelter:{board.shelter_id}")
            join_room(f"board:{board.id}")
            log.info("board %s connected sid=%s", board.id, getattr(request, "sid", "?"))
            return
        if current_user.is_authenticated:
            join_room("console")
            return
        raise ConnectionRefusedError("a board token or a console session is required")
    finally:
        db.session.remove()
