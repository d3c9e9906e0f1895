"""Board feed: the catch-up path that makes live push lossless."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, request
from sqlalchemy import select

from server.core import auth, validation
from server.core.errors import ApiError
from server.core.extensions import db
from server.models import Board, BoardEvent
from server.web.api.blueprint import bp


def feed_for(board: Board, since: int, limit: int, drill: bool = False) -> dict[str, Any]:
    """Return the board's events after ``since``; ``last_seq`` is where to continue.

    Drill events reach only a board whose link opted in (``drill=1``); ``last_seq`` still
    moves past them so a real board never asks for them again.
    """
    rows = list(
        db.session.scalars(
            select(BoardEvent).where(BoardEvent.seq > since).order_by(BoardEvent.seq).limit(limit)
        )
    )
    events = [
        e.payload
        for e in rows
        if (e.target_all or board.shelter_id in e.shelter_ids)
        and (drill or not e.payload.get("drill"))
    ]
    last = rows[-1].seq if rows else since
    return {"board_id": board.id, "events": events, "last_seq": last, "more": len(rows) == limit}


@bp.get("/boards/<int:board_id>/feed")
def board_feed(board_id: int) -> Response:
    """Return what a board missed since ``?since=<seq>`` (board token or staff token)."""
    board = db.session.get(Board, board_id)
    token = auth.bearer() or request.args.get("token")
    allowed = board is not None and auth.board_from_token(token) is board
    if not allowed and auth.api_user() is None:
        raise ApiError(401, "unauthorized", "send this board's token or a staff API token")
    if board is None:
        raise ApiError(404, "not_found", f"no board with id {board_id}")
    try:
        since = int(request.args.get("since", 0))
    except ValueError:
        raise ApiError(400, "invalid", "'since' must be a sequence number", "since") from None
    if not 0 <= since <= validation.MAX_ID:
        raise validation.bad("since", f"'since' must be from 0 to {validation.MAX_ID}")
    drill = request.args.get("drill", "0").strip().lower() in ("1", "true", "yes")
    return jsonify(feed_for(board, since, current_app.config["FEED_PAGE_SIZE"], drill))
