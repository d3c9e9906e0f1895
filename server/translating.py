"""Translate revisions into the center's languages; persist each language, then push it.

Two steps. ``translate_revision`` finishes every language that needs no model (operator text,
phrasebook, memory, or an honest "pending") and records the rest as machine jobs. Then
``translate_machine`` takes every waiting job of one language pair — from all announcements —
and translates them in one batched call, which is what makes CTranslate2 fast.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from server import announcements, events, memory
from server.extensions import db
from server.models import (
    Announcement,
    AnnouncementRevision,
    BoardEvent,
    Outbox,
    Shelter,
    Translation,
    utcnow,
)
from translations import languages, machine, pipeline

log = logging.getLogger(__name__)
MACHINE_TASK = "workers.tasks.translate_machine"
TRANSLATING = "translating"
IN_FLIGHT = 2  # batches of one pair queued in the model at once
_gates: dict[tuple[str, str], threading.Lock] = {}
_gates_lock = threading.Lock()


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


def _store(
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
            stored.append(_store(announcement, revision, lang, result, seq=seq + len(stored)))
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
            if not _gate(announcement.source_lang, lang).locked():
                celery.send_task(MACHINE_TASK, args=[announcement.source_lang, lang])
    return added


def _claim(source_lang: str, target_lang: str) -> tuple[str, list[Translation]]:
    """Lease waiting jobs of one pair: a batch of fresh ones, or a single retried one.

    A job whose lease lapsed was in a batch whose worker died. It is retried alone, so a text
    that crashes the engine fails by itself after MAX_ATTEMPTS while the others go through.
    """
    token = uuid.uuid4().hex
    now = utcnow()
    lease = timedelta(seconds=current_app.config["MT_LEASE_SECONDS"])
    free = (Translation.claimed_until.is_(None)) | (Translation.claimed_until < now)
    waiting = (
        select(Translation.id)
        .join(Announcement, Announcement.id == Translation.announcement_id)
        .where(
            Translation.status == TRANSLATING,
            Translation.lang == target_lang,
            Announcement.source_lang == source_lang,
            free,
        )
        .order_by(Translation.id)
    )
    retry = db.session.scalar(waiting.where(Translation.attempts > 0).limit(1))
    fresh = waiting.limit(current_app.config["MT_CLAIM_TEXTS"])
    ids = [retry] if retry is not None else list(db.session.scalars(fresh))
    if not ids:
        return token, []
    # The WHERE is re-checked under the write lock, so two workers never hold the same row.
    db.session.execute(
        update(Translation)
        .where(Translation.id.in_(ids), Translation.status == TRANSLATING, free)
        .values(claim_token=token, claimed_until=now + lease, attempts=Translation.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return token, list(
        db.session.scalars(
            select(Translation).where(Translation.claim_token == token).order_by(Translation.id)
        )
    )


def _places(target_lang: str) -> list[tuple[str, str]]:
    latin = (languages.get(target_lang) or languages.BY_CODE["en"]).script not in (
        "Jpan",
        "Hans",
        "Hant",
    )
    return [
        (s.name_ja, s.name_romaji if latin and s.name_romaji else s.name_ja)
        for s in db.session.scalars(select(Shelter))
    ]


def _gate(source_lang: str, target_lang: str) -> threading.Lock:
    with _gates_lock:
        return _gates.setdefault((source_lang, target_lang), threading.Lock())


def _waiting(source_lang: str, target_lang: str) -> bool:
    """Tell whether a job of the pair waits with no live lease."""
    free = (Translation.claimed_until.is_(None)) | (Translation.claimed_until < utcnow())
    found = db.session.scalar(
        select(Translation.id)
        .join(Announcement, Announcement.id == Translation.announcement_id)
        .where(
            Translation.status == TRANSLATING,
            Translation.lang == target_lang,
            Announcement.source_lang == source_lang,
            free,
        )
        .limit(1)
    )
    db.session.rollback()  # end the read: the next look must see newer commits
    return found is not None


def translate_machine(source_lang: str, target_lang: str) -> int:
    """Translate every waiting machine job of one language pair, in batches; return the count.

    One drain per pair and process: every announcement sends this task, and a task that
    finds the pair already being drained returns at once, since the running drain's next
    claim takes its job along with everything else that arrived meanwhile. That is what
    makes batches large while announcements keep coming (the throughput benchmark measured
    claims of 1–3 texts without it). Worker processes still drain side by side; the
    database claim keeps them off each other's rows.
    """
    gate = _gate(source_lang, target_lang)
    done = 0
    while gate.acquire(blocking=False):
        try:
            done += _drain(source_lang, target_lang)
        finally:
            gate.release()
        # A job recorded after our last claim may belong to a task we just turned away;
        # its commit came before that task tried the gate, so this look sees it.
        if not _waiting(source_lang, target_lang):
            break
    return done


def _drain(source_lang: str, target_lang: str) -> int:
    """Claim and translate batches of the pair until none waits, two batches in flight.

    While the model translates one batch, the next is already claimed and queued behind it,
    and the finished one is stored: CTranslate2 never waits for the database, and its
    replicas never idle at the tail of a batch.
    """
    backend = machine.backend(current_app)
    places = _places(target_lang)
    done = 0
    flight: deque[tuple[str, list[Translation], Future[list[pipeline.Result]]]] = deque()
    with ThreadPoolExecutor(max_workers=IN_FLIGHT, thread_name_prefix="mt") as pool:
        while True:
            token, rows = _claim(source_lang, target_lang) if len(flight) < IN_FLIGHT else ("", [])
            if rows and rows[0].attempts > current_app.config["MAX_ATTEMPTS"]:
                # It keeps killing workers: give it up visibly instead of trying again.
                failed = pipeline.Result(
                    target_lang,
                    "unavailable",
                    reason=f"machine translation failed {rows[0].attempts - 1} times; "
                    "a person must translate this",
                )
                done += _finish(rows, token, [failed])
                continue
            if rows:
                texts = _texts(rows)
                db.session.rollback()  # hold no read transaction open while the model works
                job = pool.submit(_translate, backend, texts, source_lang, target_lang, places)
                flight.append((token, rows, job))
                continue
            if not flight:
                return done
            token, rows, job = flight.popleft()
            done += _finish(rows, token, job.result())
            log.info(
                "translated %s text(s) %s→%s in one batch", len(rows), source_lang, target_lang
            )


def _texts(rows: list[Translation]) -> list[str]:
    """Return the source text of each job's revision."""
    revisions = {
        (rev.announcement_id, rev.revision): rev.text
        for rev in db.session.scalars(
            select(AnnouncementRevision).where(
                AnnouncementRevision.announcement_id.in_({r.announcement_id for r in rows})
            )
        )
    }
    return [revisions[(r.announcement_id, r.revision)] for r in rows]


def _translate(
    backend: machine.ArgosTranslator | None,
    texts: list[str],
    source_lang: str,
    target_lang: str,
    places: list[tuple[str, str]],
) -> list[pipeline.Result]:
    """Translate one batch (in a pool thread: no database here); failures become results."""
    try:
        if backend is None:
            raise RuntimeError(f"no model installed for {source_lang}→{target_lang}")
        return backend.translate(
            texts,
            pipeline.argos_code(source_lang),
            pipeline.argos_code(target_lang),
            places=places,
        )
    except Exception as exc:  # a broken or removed model: say so on the boards
        log.exception("machine translation %s→%s failed", source_lang, target_lang)
        return [
            pipeline.Result(
                target_lang, "unavailable", reason=f"machine translation failed: {exc}"[:200]
            )
            for _ in texts
        ]


def _finish(rows: list[Translation], token: str, results: list[pipeline.Result]) -> int:
    """Store a batch's results in one commit, skipping rows no longer ours or current."""
    revisions = set()
    current: list[tuple[Announcement, Translation, pipeline.Result]] = []
    for row, result in zip(rows, results, strict=True):
        db.session.refresh(row)
        if row.claim_token != token or row.status != TRANSLATING:
            continue  # someone else finished it after our lease lapsed
        announcement = db.session.get(Announcement, row.announcement_id)
        revisions.add((row.announcement_id, row.revision))
        if (
            announcement is None
            or announcement.status != "active"
            or announcement.revision != row.revision
        ):
            row.status = "pending"
            row.reason = "superseded by a newer revision"
            row.claim_token = None
            continue
        current.append((announcement, row, result))
    seq = events.next_seq(len(current)) if current else 0
    stored = [
        _store(announcement, row.revision, row.lang, result, row, seq=seq + i)
        for i, (announcement, row, result) in enumerate(current)
    ]
    db.session.commit()
    events.push(stored)
    for announcement_id, revision in sorted(revisions):
        mark_processed(announcement_id, revision, commit=False)
    db.session.commit()
    return len(stored)


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
    from server import inquiries

    sent += inquiries.sweep(stale)
    if sent:
        log.info("outbox sweep re-dispatched %s task(s)", sent)
    return sent
