"""The board-event contract: one builder, one place that persists, one place that pushes.

Every push is persisted first (with a sequence number from a counter row, so sequence
order is commit order) and emitted second. Socket.IO is at-most-once; a board that
reconnects asks ``/feed?since=<seq>`` and the database fills the gap.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from flask import Flask, current_app
from sqlalchemy import update

from server.core.extensions import db, socketio
from server.models import Announcement, BoardEvent, Counter
from server.words import TranslationStatus

log = logging.getLogger(__name__)

PUBLISHED = "announcement.published"
TRANSLATED = "announcement.translated"
UPDATED = "announcement.updated"
RETRACTED = "announcement.retracted"
EVENT_TYPES = (PUBLISHED, TRANSLATED, UPDATED, RETRACTED)

NAMESPACE = "/live"
SOCKET_EVENT = "board_event"
SEQ_COUNTER = "board_events"


def next_seq(count: int = 1) -> int:
    """Take ``count`` consecutive sequence numbers inside the current transaction; return the first.

    One statement however many: a phrasebook announcement stores 13 languages at once, and a
    round trip per number was most of the time its worker spent.
    """
    last = db.session.scalar(
        update(Counter)
        .where(Counter.name == SEQ_COUNTER)
        .values(value=Counter.value + count)
        .returning(Counter.value)
    )
    if last is None:  # the migration creates the row; a missing one is a broken database
        raise RuntimeError("counter 'board_events' is missing: run `tagengo db upgrade`")
    return int(last) - count + 1


def record(
    event_type: str,
    announcement: Announcement,
    *,
    revision: int,
    lang: str | None,
    status: str = TranslationStatus.DONE,
    method: str | None = None,
    reviewed: bool = False,
    text: str | None = None,
    reason: str | None = None,
    seq: int | None = None,
) -> BoardEvent:
    """Build a board event numbered ``seq`` (default: the next number); add it to the session."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type}")
    if seq is None:
        seq = next_seq()
    payload: dict[str, Any] = {
        "type": event_type,
        "seq": seq,
        "announcement_id": announcement.id,
        "revision": revision,
        "lang": lang,
        "status": status,
        "method": method,
        "reviewed": reviewed,
        "text": text,
        "severity": announcement.severity,
        "urgency": announcement.urgency,
        "drill": announcement.drill,
        "expires_at": announcement.expires_at.isoformat() if announcement.expires_at else None,
        "category": announcement.category,
        "source_lang": announcement.source_lang,
        "reason": reason,
        "ruby": _ruby(lang, text),
    }
    event = BoardEvent(
        seq=seq,
        type=event_type,
        announcement_id=announcement.id,
        target_all=announcement.target_all,
        shelter_ids=list(announcement.shelter_ids or []),
        payload=payload,
    )
    # Kept outside the mapped state: after commit the row is expired, and pushing must not
    # need the database again (it may be the thing that just went away).
    event.emit_payload = payload
    event.emit_rooms = rooms_for(event)
    db.session.add(event)
    return event


def _ruby(lang: str | None, text: str | None) -> list[list[str | None]] | None:
    """Furigana segments for Japanese text, for boards that show readings."""
    if not text or lang not in ("ja", "ja-x-easy"):
        return None
    from translations.furigana import furigana

    segments = furigana(text)
    if not any(reading for _, reading in segments):
        return None
    return [[base, reading] for base, reading in segments]


def rooms_for(event: BoardEvent) -> list[str]:
    """Return the Socket.IO rooms an event goes to."""
    rooms = ["console"]
    if event.target_all:
        rooms.append("board:all")
    else:
        rooms.extend(f"shelter:{sid}" for sid in event.shelter_ids)
    lang = event.payload.get("lang")
    if lang:
        rooms.append(f"lang:{lang}")
    return rooms


def push(events: Iterable[BoardEvent]) -> None:
    """Emit committed events; a failure only delays boards until they catch up."""
    emitter = current_app.extensions["tagengo.emitter"]
    for event in events:
        payload = getattr(event, "emit_payload", None) or event.payload
        rooms = getattr(event, "emit_rooms", None) or rooms_for(event)
        try:
            emitter.emit(SOCKET_EVENT, payload, to=rooms, namespace=NAMESPACE)
        except Exception:  # the feed is the recovery path; never fail the caller
            log.exception(
                "emit of board event seq=%s failed; boards will catch up", payload.get("seq")
            )


def emit_control(event: str, data: dict[str, Any], room: str) -> None:
    """Send a control message (e.g. a revoked board) to one room."""
    current_app.extensions["tagengo.emitter"].emit(event, data, to=room, namespace=NAMESPACE)


def init_app(app: Flask) -> None:
    """Pick the emitter: the app's own server in web processes, a write-only queue elsewhere."""
    if app.config["PROCESS_ROLE"] == "web" or not app.config["REDIS_URL"]:
        app.extensions["tagengo.emitter"] = socketio
        return
    from flask_socketio import SocketIO

    from server.core import redis_urls

    app.extensions["tagengo.emitter"] = SocketIO(
        **redis_urls.socketio_queue(
            app.config["REDIS_URL"], app.config["SOCKETIO_CHANNEL"], write_only=True
        )
    )
