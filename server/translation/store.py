"""Store a finished language of an announcement with its board event; close finished work."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from server.core import outbox
from server.core.extensions import db
from server.live import events
from server.models import Announcement, BoardEvent, Translation
from server.words import TranslationStatus
from translations import pipeline

TRANSLATING = TranslationStatus.TRANSLATING
AWAITING_REVIEW = "machine translation waiting for a reviewer"


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
    """Write one finished language and its event into the session (the caller commits).

    A machine text in a review-first language (REVIEW_FIRST_LANGUAGES) is stored for the
    reviewers, and boards get a pending event until one approves it.
    """
    status = TranslationStatus.DONE if result.status == "done" else TranslationStatus.PENDING
    held = (
        status == TranslationStatus.DONE
        and result.method == "machine"
        and lang in current_app.config["REVIEW_FIRST_LANGUAGES"]
    )
    event = events.record(
        events.TRANSLATED,
        announcement,
        revision=revision,
        lang=lang,
        status=TranslationStatus.PENDING if held else status,
        method=result.method,
        reviewed=result.reviewed,
        text=None if held else result.text,
        reason=AWAITING_REVIEW if held else result.reason,
        seq=seq,
    )
    if row is None:
        row = Translation(announcement_id=announcement.id, revision=revision, lang=lang)
        db.session.add(row)
    row.status = TranslationStatus.REVIEW if held else status
    row.method = result.method
    row.reviewed = result.reviewed
    row.text = result.text
    row.machine_text = result.text if result.method == "machine" else None
    row.reason = result.reason
    row.engine = result.engine
    row.model = result.model
    row.elapsed_ms = result.elapsed_ms
    row.check_first = result.check_first
    row.check_reasons = list(result.check_reasons)
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
