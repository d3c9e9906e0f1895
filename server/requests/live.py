"""Tell consoles and translators that a request piece changed (after the commit)."""

from __future__ import annotations

import logging

from server.live import events
from server.requests.models import RequestPiece

log = logging.getLogger(__name__)


def notify(kind: str, piece: RequestPiece) -> None:
    """Tell consoles and translators; ids, language and status only, never the text."""
    data = {
        "type": kind,
        "request_id": piece.request_id,
        "piece_id": piece.id,
        "lang": piece.lang,
        "status": piece.status,
    }
    for room in ("console", "requests"):
        try:
            events.emit_control("request", data, room=room)
        except Exception:  # the queue page's reload is the recovery path
            log.warning("could not tell consoles about request piece %s", piece.id)
