"""Translate a revision into the center's languages; persist, then push each language."""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from server import announcements, events
from server.extensions import db
from server.models import (
    Announcement,
    AnnouncementRevision,
    BoardEvent,
    Outbox,
    Translation,
    utcnow,
)
from translations import machine, pipeline

log = logging.getLogger(__name__)


def _existing_events(announcement_id: int, revision: int) -> list[BoardEvent]:
    seqs = [
        t.event_seq
        for t in db.session.scalars(
            select(Translation).where(
                Translation.announcement_id == announcement_id, Translation.revision == revision
            )
        )
        if t.event_seq is not None
    ]
    if not seqs:
        return []
    return list(db.session.scalars(select(BoardEvent).where(BoardEvent.seq.in_(seqs))))


def translate_revision(announcement_id: int, revision: int) -> int:
    """Produce every missing language of one revision; return how many were added.

    Idempotent: a language already stored is not produced again; its stored event is
    re-emitted with its original ``seq`` so a board that missed it gets it and a board that
    has it drops the duplicate.
    """
    announcement = db.session.get(Announcement, announcement_id)
    rev = db.session.scalar(
        select(AnnouncementRevision).where(
            AnnouncementRevision.announcement_id == announcement_id,
            AnnouncementRevision.revision == revision,
        )
    )
    if announcement is None or rev is None:
        log.warning(
            "announcement=%s revision=%s does not exist; dropping task", announcement_id, revision
        )
        return 0
    if announcement.status != "active" or announcement.revision != revision:
        _mark_processed(announcement_id, revision)
        return 0
    events.push(_existing_events(announcement_id, revision))
    done = set(
        db.session.scalars(
            select(Translation.lang).where(
                Translation.announcement_id == announcement_id, Translation.revision == revision
            )
        )
    )
    source = pipeline.Source(
        text=rev.text,
        lang=announcement.source_lang,
        easy_text=rev.easy_text,
        template_id=rev.template_id,
        slots=rev.slots or None,
    )
    backend = machine.backend(current_app)
    added = 0
    for lang in current_app.config["TARGET_LANGUAGES"]:
        if lang == announcement.source_lang or lang in done:
            continue
        result = pipeline.translate(source, lang, backend)
        status = "done" if result.status == "done" else "pending"
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
        )
        db.session.add(
            Translation(
                announcement_id=announcement_id,
                revision=revision,
                lang=lang,
                status=status,
                method=result.method,
                reviewed=result.reviewed,
                text=result.text,
                reason=result.reason,
                engine=result.engine,
                model=result.model,
                elapsed_ms=result.elapsed_ms,
                event_seq=event.seq,
            )
        )
        try:
            db.session.commit()
        except IntegrityError:  # another delivery of this task stored it first
            db.session.rollback()
            continue
        events.push([event])
        added += 1
    _mark_processed(announcement_id, revision)
    return added


def _mark_processed(announcement_id: int, revision: int) -> None:
    for row in db.session.scalars(
        select(Outbox).where(
            Outbox.announcement_id == announcement_id,
            Outbox.revision == revision,
            Outbox.processed_at.is_(None),
        )
    ):
        row.processed_at = utcnow()
    db.session.commit()


def sweep_outbox() -> int:
    """Dispatch outbox rows never dispatched, or dispatched long ago and still not done."""
    sent = announcements.dispatch_pending(stale_seconds=current_app.config["OUTBOX_STALE_SECONDS"])
    if sent:
        log.info("outbox sweep re-dispatched %s task(s)", sent)
    return sent
