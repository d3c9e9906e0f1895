"""Plan an announcement revision's languages: finish what needs no model, queue the rest.

``translate_revision`` finishes every language that needs no model (operator text,
phrasebook, memory, or an honest "pending") in one commit and records the rest as machine
jobs; ``machine_jobs`` drains those in batches per language pair and hands each finished one
back to ``_finish_machine`` here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

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
from server.shelters import places as shelter_places
from server.translation import engine, machine_jobs, memory
from server.translation.store import TRANSLATING, mark_processed, store
from server.words import JobKind, TranslationStatus
from translations import machine, pipeline
from translations.mt.engine import PIVOT
from translations.pipeline import argos_code

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


def _rows(announcement_id: int, revision: int) -> dict[str, Translation]:
    return {
        t.lang: t
        for t in db.session.scalars(
            select(Translation).where(
                Translation.announcement_id == announcement_id, Translation.revision == revision
            )
        )
    }


def _source(announcement: Announcement, rev: AnnouncementRevision) -> pipeline.Source:
    return pipeline.Source(
        text=rev.text,
        lang=announcement.source_lang,
        easy_text=rev.easy_text,
        template_id=rev.template_id,
        slots=rev.slots or None,
        places=shelter_places.known() if rev.template_id else None,
    )


@dataclass
class _Pivot:
    """The revision's English, which languages that route through English start from.

    Shared, a sentence goes source→English once, whatever the number of targets: a Japanese
    announcement into 12 machine languages takes 12 model passes instead of 23.
    """

    translator: machine.ArgosTranslator | None
    text: str | None = None  # the English, once there
    row_id: int | None = None  # the English translation still being made

    def routes_through(self, source_lang: str, target_lang: str) -> bool:
        """Tell whether the model route from source to target goes through English."""
        if self.translator is None or PIVOT in (source_lang, target_lang):
            return False
        try:
            hops = self.translator.engine.route(argos_code(source_lang), argos_code(target_lang))
        except KeyError:
            return False
        return hops is not None and len(hops) == 2

    def enqueue(
        self, announcement: Announcement, rev: AnnouncementRevision, row: Translation
    ) -> None:
        """Record the machine job of one language, from the English when it routes through it."""
        priority = 1 if announcement.severity in URGENT else 0
        pivot = self.routes_through(announcement.source_lang, row.lang) and (
            self.text is not None or self.row_id is not None
        )
        row.pivot_lang = PIVOT if pivot else None
        machine_jobs.enqueue(
            JobKind.ANNOUNCEMENT,
            PIVOT if pivot else announcement.source_lang,
            row.lang,
            (self.text or "") if pivot else rev.text,
            ref_id=row.id,
            priority=priority,
            after_id=None if not pivot or self.text is not None else self.row_id,
        )


def _pivot_of(rows: dict[str, Translation]) -> _Pivot:
    pivot = _Pivot(engine.translator())
    english = rows.get(PIVOT)
    if english is not None and english.status in (TranslationStatus.DONE, TranslationStatus.REVIEW):
        pivot.text = english.text
    elif english is not None and english.status == TRANSLATING:
        pivot.row_id = english.id
    return pivot


def _write(
    announcement: Announcement,
    rev: AnnouncementRevision,
    plans: list[tuple[str, pipeline.Result | None]],
    pivot: _Pivot,
) -> list[BoardEvent] | None:
    """Store planned languages (machine ones as jobs) in one commit, then push; None on a clash.

    English goes first, so that the languages routed through it can start from it. The same
    commit closes the revision's outbox row when no language is left for a model.
    """
    stored: list[BoardEvent] = []
    finished = sum(1 for _, result in plans if result is not None)
    seq = events.next_seq(finished) if finished else 0
    for lang, result in sorted(plans, key=lambda plan: plan[0] != PIVOT):
        if result is not None:
            stored.append(store(announcement, rev.revision, lang, result, seq=seq + len(stored)))
            if lang == PIVOT and result.status == "done":
                pivot.text = result.text
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
        pivot.enqueue(announcement, rev, row)
        if lang == PIVOT:
            pivot.row_id = row.id
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
    rows = _rows(announcement_id, revision)
    source = _source(announcement, rev)
    pivot = _pivot_of(rows)
    plans = [
        (lang, pipeline.plan(source, lang, pivot.translator, memory.lookup))
        for lang in current_app.config["TARGET_LANGUAGES"]
        if lang != announcement.source_lang and lang not in rows
    ]
    # One transaction for all languages: the board benchmark traced most of our extra latency
    # over a bare server to 13 commits, each followed by its own emit. One by one only when
    # another delivery of this task stored some language first.
    stored = _write(announcement, rev, plans, pivot)
    if stored is None:
        db.session.expire_all()
        pivot = _pivot_of(_rows(announcement_id, revision))
        stored = [e for plan in plans for e in (_write(announcement, rev, [plan], pivot) or [])]
    machine_jobs.wake_all(JobKind.ANNOUNCEMENT, list(_rows(announcement_id, revision).values()))
    return len(stored)


def _release(announcement: Announcement, english: Translation) -> list[tuple[str, str]]:
    """Let the languages that wait for this English start; return the pairs to wake.

    With no English after all, they go the long way: from the source, through English inside
    the engine, as they would without a shared pivot.
    """
    waiting = list(db.session.scalars(select(MachineJob).where(MachineJob.after_id == english.id)))
    usable = english.status in (TranslationStatus.DONE, TranslationStatus.REVIEW)
    text = english.text if usable else None
    source = None if text else _revision_text(announcement.id, english.revision)
    for job in waiting:
        job.after_id = None
        if text:
            job.text = text
            continue
        job.source_lang, job.text = announcement.source_lang, source or ""
        row = db.session.get(Translation, job.ref_id)
        if row is not None:
            row.pivot_lang = None
    return sorted({(job.source_lang, job.target_lang) for job in waiting})


def _revision_text(announcement_id: int, revision: int) -> str | None:
    return db.session.scalar(
        select(AnnouncementRevision.text).where(
            AnnouncementRevision.announcement_id == announcement_id,
            AnnouncementRevision.revision == revision,
        )
    )


def _from_reviewed_english(row: Translation, result: pipeline.Result) -> pipeline.Result:
    """Say so when a pivoted language was made from English a person reviewed."""
    if row.pivot_lang != PIVOT or result.reason:
        return result
    english = db.session.scalar(
        select(Translation).where(
            Translation.announcement_id == row.announcement_id,
            Translation.revision == row.revision,
            Translation.lang == PIVOT,
        )
    )
    if english is None or not english.reviewed:
        return result
    return replace(result, reason="made from the English a reviewer checked")


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
        current.append((announcement, row, _from_reviewed_english(row, result)))
    seq = events.next_seq(len(current)) if current else 0
    stored = [
        store(announcement, row.revision, row.lang, result, row, seq=seq + i)
        for i, (announcement, row, result) in enumerate(current)
    ]
    db.session.flush()
    released = [
        pair
        for announcement, row, _ in current
        if row.lang == PIVOT
        for pair in _release(announcement, row)
    ]
    for announcement_id, revision in sorted(revisions):
        mark_processed(announcement_id, revision)

    def after() -> None:
        events.push(stored)
        for source_lang, target_lang in sorted(set(released)):
            machine_jobs.wake(source_lang, target_lang)

    return len(stored), after
