"""Translate revisions into the center's languages; persist each language, then push it.

Two steps. ``translate_revision`` (here) finishes every language that needs no model
(operator text, phrasebook, memory, or an honest "pending") and records the rest as machine
jobs. Then ``machine_jobs.translate_machine`` takes every waiting job of one language pair —
from all announcements — and translates them in batched calls, which is what makes
CTranslate2 fast.
"""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from server.announcements import service as announcements
from server.core.extensions import db
from server.live import events
from server.models import (
    Announcement,
    AnnouncementRevision,
    BoardEvent,
    Outbox,
    Translation,
    utcnow,
)
from server.translation import memory
from translations import machine, pipeline

log = logging.getLogger(__name__)
MACHINE_TASK = "workers.tasks.translate_machine"
TRANSLATING = "translating"


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


def _source(announcement: Announcement, rev: AnnouncementRevision) -> pipeline.Source:
    return pipeline.Source(
        text=rev.text,
        lang=announcement.source_lang,
        easy_text=rev.easy_text,
        template_id=rev.template_id,
        slots=rev.slots or None,
    )


def store(
    announcement: Announcement,
    revision: int,
    lang: str,
    result: pipeline.Result,
    row: Translation | None = None,
    seq: int | None = None,
) -> BoardEvent:
    """Write one finished language and its event into the session (the caller commits)."""
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
    row.claim_token = None
    row.claimed_until = None
    return event


def _write(
    announcement: Announcement, revision: int, plans: list[tuple[str, pipeline.Result | None]]
) -> list[BoardEvent] | None:
    """Store planned languages (machine ones as jobs) in one commit, then push; None on a clash.

    The same commit closes the revision's outbox row when no language is left for a model.
    """
    stored: list[BoardEvent] = []
    finished = sum(1 for _, result in plans if result is not None)
    seq = events.next_seq(finished) if finished else 0
    for lang, result in plans:
        if result is None:
            db.session.add(
                Translation(
                    announcement_id=announcement.id,
                    revision=revision,
                    lang=lang,
                    status=TRANSLATING,
                    engine="argos",
                )
            )
        else:
            stored.append(store(announcement, revision, lang, result, seq=seq + len(stored)))
    mark_processed(announcement.id, revision, commit=False)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    events.push(stored)
    return stored


def translate_revision(announcement_id: int, revision: int) -> int:
    """Finish every language that needs no model and queue the rest; return how many finished.

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
        # Machine jobs of a withdrawn or replaced revision will never be shown: close them, or
        # the outbox row stays open and the sweep re-sends this task forever.
        db.session.execute(
            update(Translation)
            .where(
                Translation.announcement_id == announcement_id,
                Translation.revision == revision,
                Translation.status == TRANSLATING,
            )
            .values(
                status="pending",
                reason="superseded by a newer revision",
                claim_token=None,
                claimed_until=None,
            )
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        mark_processed(announcement_id, revision)
        return 0
    events.push(_existing_events(announcement_id, revision))
    rows = {
        t.lang: t
        for t in db.session.scalars(
            select(Translation).where(
                Translation.announcement_id == announcement_id, Translation.revision == revision
            )
        )
    }
    source = _source(announcement, rev)
    backend = machine.backend(current_app)
    machine_langs = {lang for lang, row in rows.items() if row.status == TRANSLATING}
    plans = [
        (lang, pipeline.plan(source, lang, backend, memory.lookup))
        for lang in current_app.config["TARGET_LANGUAGES"]
        if lang != announcement.source_lang and lang not in rows
    ]
    machine_langs |= {lang for lang, result in plans if result is None}
    from server.translation import machine_jobs  # it builds on this module

    # One transaction for all languages: the board benchmark traced most of our extra latency
    # over a bare server to 13 commits, each followed by its own emit. One by one only when
    # another delivery of this task stored some language first.
    stored = _write(announcement, revision, plans)
    if stored is None:
        stored = [e for plan in plans for e in (_write(announcement, revision, [plan]) or [])]
    added = len(stored)
    if machine_langs:
        celery = current_app.extensions["celery"]
        for lang in sorted(machine_langs):
            # A drain of the pair running in this process takes the job (it looks once more
            # after it stops), so a task would only be turned away: spare the queue.
            if not machine_jobs.draining(announcement.source_lang, lang):
                celery.send_task(MACHINE_TASK, args=[announcement.source_lang, lang])
    return added


def mark_processed(announcement_id: int, revision: int, commit: bool = True) -> None:
    """Close the revision's outbox rows once no language of it is still being translated."""
    if (
        db.session.scalar(
            select(Translation.id)
            .where(
                Translation.announcement_id == announcement_id,
                Translation.revision == revision,
                Translation.status == TRANSLATING,
            )
            .limit(1)
        )
        is not None
    ):
        return
    for row in db.session.scalars(
        select(Outbox).where(
            Outbox.announcement_id == announcement_id,
            Outbox.revision == revision,
            Outbox.processed_at.is_(None),
        )
    ):
        row.processed_at = utcnow()
    if commit:
        db.session.commit()


def sweep_outbox() -> int:
    """Dispatch outbox rows never dispatched, or dispatched long ago and still not done."""
    stale = current_app.config["OUTBOX_STALE_SECONDS"]
    sent = announcements.dispatch_pending(stale_seconds=stale)
    from server.inquiries import service as inquiries

    sent += inquiries.sweep(stale)
    if sent:
        log.info("outbox sweep re-dispatched %s task(s)", sent)
    return sent
