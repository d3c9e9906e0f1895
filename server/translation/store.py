"""Store a finished language of an announcement with its board event; close finished work."""

from __future__ import annotations

from sqlalchemy import select

from server.core import outbox
from server.core.extensions import db
from server.live import events
from server.models import Announcement, BoardEvent, Translation
from server.words import TranslationStatus
from translations import pipeline

TRANSLATING = TranslationStatus.TRANSLATING


def revision_ref(announcement_id: int, revision: int) -> str:
    """Name a revision's outbox work."""
    return f"announcement:{announcement_id}:{revision}"


def store(
    announcement: Announcement,
    revision: int,
    lang: str,
    result: pipeline.Result,
    row: Translation | None = None,
    seq: int | None = None,
) -> BoardEvent:
    """Write one finished language and its event into the session (the caller commits)."""
    status = TranslationStatus.DONE if result.status == "done" else TranslationStatus.PENDING
    event = events.record(
        events.TRANSLATED,
        announcement,
        revision=revision,
        lang=lang,
        status=status,
        method=result.method,
        reviewed=result.reviewed,
        text=result.text,
        reason=result.reason,
        seq=seq,
    )
    if row is None:
        row = Translation(announcement_id=announcement.id, revision=revision, lang=lang)
        db.session.add(row)
    row.status = status
    row.method = result.method
    row.reviewed = result.reviewed
    row.text = result.text
    row.machine_text = result.text if result.method == "machine" else None
    row.reason = result.reason
    row.engine = result.engine
    row.model = result.model
    row.elapsed_ms = result.elapsed_ms
    row.event_seq = event.seq
    return event


def mark_processed(announcement_id: int, revision: int) -> None:
    """Close the revision's outbox work once no language of it waits for a model (no commit)."""
    waiting = db.session.scalar(
        select(Translation.id)
        .where(
            Translation.announcement_id == announcement_id,
            Translation.revision == revision,
            Translation.status == TRANSLATING,
        )
        .limit(1)
    )
    if waiting is None:
        outbox.close(revision_ref(announcement_id, revision))
