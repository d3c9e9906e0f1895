"""Socket.IO: boards and console sessions join rooms; nobody else connects."""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from flask import request
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, join_room

from server.core import auth, redis_urls
from server.core.extensions import db, redis_client, socketio
from server.live.events import NAMESPACE
from server.words import SCOPED

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
            _BOARD_SIDS.add(request.sid)  # type: ignore[attr-defined]
            _report_boards()
            log.info("board %s connected sid=%s", board.id, getattr(request, "sid", "?"))
            return
        if current_user.is_authenticated:
            # Requesters and remote translators hear of requests only, never the desk's work.
            join_room("requests" if current_user.role in SCOPED else "console")
            return
        raise ConnectionRefusedError("a board token or a console session is required")
    finally:
        db.session.remove()


@socketio.on("disconnect", namespace=NAMESPACE)
def on_disconnect(*_args: Any) -> None:
    """Count boards that leave (for /metrics)."""
    sid = getattr(request, "sid", None)
    if sid in _BOARD_SIDS:
        _BOARD_SIDS.discard(sid)
        _report_boards()


_BOARD_SIDS: set[str] = set()  # this process's board connections


def _report_boards() -> None:
    """Publish this process's board count with a short expiry (a dead process drops out)."""
    client = redis_client()
    if client is not None:
        try:
            client.setex(boards_key(), BOARDS_TTL, len(_BOARD_SIDS))
        except Exception:  # metrics must never break a connection
            log.debug("board count not updated", exc_info=True)


def boards_key(app: Any = None) -> str:
    """Redis key under which this process reports its board connections."""
    from flask import current_app

    channel = (app or current_app).config["SOCKETIO_CHANNEL"]
    return f"{BOARDS_KEY}:{channel}:{os.getpid()}"


BOARDS_KEY = "tagengo:boards-connected"
BOARDS_TTL = 30


def control_channel(app: Any) -> str:
    """The Redis channel that tells every web process to drop a revoked board."""
    return str(app.config["SOCKETIO_CHANNEL"]) + ":control"


def revoke_board(board_id: int) -> None:
    """Disconnect a board everywhere, now (its token was just replaced)."""
    from flask import current_app

    client = redis_client()
    if client is not None:
        client.publish(control_channel(current_app), json.dumps({"revoke_board": board_id}))


def _drop_board(board_id: Any) -> None:
    """Disconnect this process's sockets of a revoked board."""
    if not isinstance(board_id, int):
        return
    room = f"board:{board_id}"
    sids = [sid for sid, _ in socketio.server.manager.get_participants(NAMESPACE, room)]
    for sid in sids:
        socketio.server.emit("revoked", {"board_id": board_id}, to=sid, namespace=NAMESPACE)
        socketio.server.disconnect(sid, namespace=NAMESPACE)
    if sids:
        log.info("board %s revoked: %s socket(s) disconnected", board_id, len(sids))


def _listen_for_revocations(app: Any) -> None:
    while True:
        try:
            pubsub = redis_urls.client(app.config["REDIS_URL"]).pubsub()
            pubsub.subscribe(control_channel(app))
            for message in pubsub.listen():
                if message.get("type") == "message":
                    _drop_board(json.loads(message["data"]).get("revoke_board"))
        except Exception:  # Redis went away: wait and listen again
            log.warning("control channel lost; retrying", exc_info=True)
            socketio.sleep(2)


def _report_forever(app: Any) -> None:
    while True:
        with app.app_context():
            _report_boards()
        socketio.sleep(BOARDS_TTL / 3)


def start_control_listener(app: Any) -> None:
    """In a web process: listen for revocations and drop the local sockets of that board."""
    if not app.config["REDIS_URL"]:
        return
    socketio.start_background_task(_listen_for_revocations, app)
    socketio.start_background_task(_report_forever, app)
