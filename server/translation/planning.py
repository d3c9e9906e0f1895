"""Plan an announcement revision's languages: finish what needs no model, queue the rest.

``translate_revision`` finishes every language that needs no model (operator text,
phrasebook, memory, or an honest "pending") in one commit and records the rest as machine
jobs; ``machine_jobs`` drains those in batches per language pair and hands each finished one
back to ``_finish_machine`` here.
"""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from server.core.extensions import db
from server.live import events
from server.models import (
    Announcement,
    AnnouncementRevision,
    BoardEvent,
    MachineJob,
    Translation,
)
from server.translation import engine, machine_jobs, memory
from server.translation.store import TRANSLATING, mark_processed, store
from server.words import JobKind, TranslationStatus
from translations import pipeline

log = logging.getLogger(__name__)
URGENT = ("Extreme", "Severe")  # their machine jobs are claimed before routine ones


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


def _write(
    announcement: Announcement,
    rev: AnnouncementRevision,
    plans: list[tuple[str, pipeline.Result | None]],
) -> list[BoardEvent] | None:
    """Store planned languages (machine ones as jobs) in one commit, then push; None on a clash.

    The same commit closes the revision's outbox row when no language is left for a model.
    """
    stored: list[BoardEvent] = []
    finished = sum(1 for _, result in plans if result is not None)
    seq = events.next_seq(finished) if finished else 0
    priority = 1 if announcement.severity in URGENT else 0
    for lang, result in plans:
        if result is not None:
            stored.append(store(announcement, rev.revision, lang, result, seq=seq + len(stored)))
            continue
        row = Translation(
            announcement_id=announcement.id,
            revision=rev.revision,
            lang=lang,
            status=TRANSLATING,
            engine="argos",
        )
        db.session.add(row)
        db.session.flush()
        machine_jobs.enqueue(
            JobKind.ANNOUNCEMENT,
            announcement.source_lang,
            lang,
            rev.text,
            ref_id=row.id,
            priority=priority,
        )
    mark_processed(announcement.id, rev.revision)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    events.push(stored)
    return stored


def _close_superseded(announcement_id: int, revision: int) -> None:
    """Give up the machine work of a withdrawn or replaced revision (never shown now)."""
    waiting = list(
        db.session.scalars(
            select(Translation.id).where(
                Translation.announcement_id == announcement_id,
                Translation.revision == revision,
                Translation.status == TRANSLATING,
            )
        )
    )
    db.session.execute(
        update(Translation)
        .where(Translation.id.in_(waiting))
        .values(status=TranslationStatus.PENDING, reason="superseded by a newer revision")
        .execution_options(synchronize_session=False)
    )
    machine_jobs.forget(JobKind.ANNOUNCEMENT, waiting)
    mark_processed(announcement_id, revision)
    db.session.commit()


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
    if not announcement.is_current(revision):
        # Otherwise the outbox row stays open and the sweep re-sends this task forever.
        _close_superseded(announcement_id, revision)
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
    backend = engine.translator()
    machine_langs = {lang for lang, row in rows.items() if row.status == TRANSLATING}
    plans = [
        (lang, pipeline.plan(source, lang, backend, memory.lookup))
        for lang in current_app.config["TARGET_LANGUAGES"]
        if lang != announcement.source_lang and lang not in rows
    ]
    machine_langs |= {lang for lang, result in plans if result is None}
    # One transaction for all languages: the board benchmark traced most of our extra latency
    # over a bare server to 13 commits, each followed by its own emit. One by one only when
    # another delivery of this task stored some language first.
    stored = _write(announcement, rev, plans)
    if stored is None:
        stored = [e for plan in plans for e in (_write(announcement, rev, [plan]) or [])]
    for lang in sorted(machine_langs):
        machine_jobs.wake(announcement.source_lang, lang)
    return len(stored)


@machine_jobs.finisher(JobKind.ANNOUNCEMENT)
def _finish_machine(done: list[tuple[MachineJob, pipeline.Result]]) -> machine_jobs.Finished:
    """Store finished announcement languages with their events; skip replaced revisions."""
    current: list[tuple[Announcement, Translation, pipeline.Result]] = []
    revisions: set[tuple[int, int]] = set()
    for job, result in done:
        row = db.session.get(Translation, job.ref_id)
        if row is None or row.status != TRANSLATING:
            continue
        announcement = db.session.get(Announcement, row.announcement_id)
        revisions.add((row.announcement_id, row.revision))
        if announcement is None or not announcement.is_current(row.revision):
            row.status = TranslationStatus.PENDING
            row.reason = "superseded by a newer revision"
            continue
        current.append((announcement, row, result))
    seq = events.next_seq(len(current)) if current else 0
    stored = [
        store(announcement, row.revision, row.lang, result, row, seq=seq + i)
        for i, (announcement, row, result) in enumerate(current)
    ]
    db.session.flush()
    for announcement_id, revision in sorted(revisions):
        mark_processed(announcement_id, revision)
    return len(stored), lambda: events.push(stored)
