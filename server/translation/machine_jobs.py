"""Machine jobs: every text that needs a model, drained in batches per language pair.

Announcement languages, inquiry messages, desk replies and the translate API all come here:
the domain records a job (``enqueue``) in its own transaction, then ``wake``s the pair. A
drain claims waiting jobs of the pair — from every kind, life-safety ones first — for a lease
(so a dead worker's jobs are taken over), translates them in one call per batch with the next
batch already queued in the model, and hands each finished job to the finisher its kind
registered, all in one commit per batch. A finished job's row is deleted with it.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import defaultdict, deque
from collections.abc import Callable, Collection
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, Select, delete, func, select, update

from server.core import tasks
from server.core.extensions import db
from server.models import MachineJob, Shelter, utcnow
from server.shelters import places
from server.translation import engine
from server.words import JobKind
from translations import machine, pipeline

log = logging.getLogger(__name__)
IN_FLIGHT = 2  # batches of one pair queued in the model at once
MACHINE_QUEUE = tasks.QUEUE_OF[tasks.TaskName.TRANSLATE_MACHINE]
# A finisher stores its kind's results in the session (the drain commits) and returns how
# many it stored and what to do after the commit (push board events, tell consoles).
Finished = tuple[int, Callable[[], None]]
Finisher = Callable[[list[tuple[MachineJob, pipeline.Result]]], Finished]
_finishers: dict[JobKind, Finisher] = {}
_gates: dict[tuple[str, str], threading.Lock] = {}
_gates_lock = threading.Lock()
# Drains at once in this process: (the count it was made for, the semaphore).
_drain_slots: tuple[int, threading.BoundedSemaphore] | None = None
# The Celery worker this process runs, once it has started: its threads, and whether it
# also consumes queues other than the machine queue (planning among them).
_worker: tuple[int, bool] | None = None


def finisher(kind: JobKind) -> Callable[[Finisher], Finisher]:
    """Register the function that stores finished jobs of ``kind``."""

    def register(fn: Finisher) -> Finisher:
        _finishers[kind] = fn
        return fn

    return register


def enqueue(
    kind: JobKind,
    source_lang: str,
    target_lang: str,
    text: str,
    *,
    ref_id: int | None = None,
    ref_key: str | None = None,
    priority: int = 0,
    after_id: int | None = None,
) -> MachineJob:
    """Record a job in the current transaction; commit, then ``wake`` the pair.

    A job with ``after_id`` waits for that translation's text (the shared pivot) and is not
    claimed until its finisher fills ``text`` in.
    """
    job = MachineJob(
        kind=kind.value,
        ref_id=ref_id,
        ref_key=ref_key,
        source_lang=source_lang,
        target_lang=target_lang,
        text=text,
        priority=priority,
        after_id=after_id,
    )
    db.session.add(job)
    return job


def wake(source_lang: str, target_lang: str) -> None:
    """Queue a drain of the pair, unless one runs in this process (it takes new jobs too)."""
    if not draining(source_lang, target_lang):
        tasks.send(tasks.TaskName.TRANSLATE_MACHINE, source_lang, target_lang)


def wake_all(kind: JobKind, rows: list[Any]) -> None:
    """Wake the pairs of every claimable job of these objects (a redelivered task's duty)."""
    ids = [row.id for row in rows]
    _wake_pairs(
        MachineJob.kind == kind.value, MachineJob.ref_id.in_(ids), MachineJob.after_id.is_(None)
    )


def _wake_pairs(*where: ColumnElement[bool]) -> int:
    """Wake each pair that has a job matching ``where``; return how many pairs."""
    pairs = db.session.execute(
        select(MachineJob.source_lang, MachineJob.target_lang).where(*where).distinct()
    ).all()
    for source_lang, target_lang in sorted(pairs):
        wake(source_lang, target_lang)
    return len(pairs)


def rewake(kind: JobKind, ref_id: int) -> bool:
    """If a job for this object waits (a task was redelivered), wake its pair; say whether."""
    job = db.session.scalar(
        select(MachineJob).where(MachineJob.kind == kind.value, MachineJob.ref_id == ref_id)
    )
    if job is not None:
        wake(job.source_lang, job.target_lang)
    return job is not None


def wake_forgotten(older_than: timedelta) -> int:
    """Wake every pair with a job that has waited longer than ``older_than``, unleased.

    A pair is woken when a job is recorded and when the English it waits for is stored; a job
    whose wake never ran would wait for the pair's next text. That happens: a worker killed
    with the drain's task in hand (Redis hands the task back only after its visibility
    timeout, and a restarted worker does not ask), a lapsed lease after a crash, a task lost
    with a Redis that restarted without its data. The outbox sweep calls this, so such a job
    goes on within a sweep or two. A pair that is only busy is woken too: its task returns at
    once when every drain slot is taken. Returns how many pairs were woken.
    """
    now = utcnow()
    return _wake_pairs(*_claimable(now), MachineJob.created_at < now - older_than)


def draining(source_lang: str, target_lang: str) -> bool:
    """Tell whether a drain of the pair runs in this process."""
    return _gate(source_lang, target_lang).locked()


def _gate(source_lang: str, target_lang: str) -> threading.Lock:
    with _gates_lock:
        return _gates.setdefault((source_lang, target_lang), threading.Lock())


def _free(now: datetime) -> ColumnElement[bool]:
    """Match jobs no worker holds a live lease on."""
    return (MachineJob.claimed_until.is_(None)) | (MachineJob.claimed_until < now)


def _claimable(now: datetime) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """Match jobs a drain may claim now: not waiting for the pivot, with no live lease."""
    return MachineJob.after_id.is_(None), _free(now)


def _waiting_jobs(source_lang: str, target_lang: str, now: datetime) -> Select[int]:
    """Select the ids of the pair's jobs that wait with no live lease, most urgent first."""
    return (
        select(MachineJob.id)
        .where(
            MachineJob.source_lang == source_lang,
            MachineJob.target_lang == target_lang,
            *_claimable(now),
        )
        .order_by(MachineJob.priority.desc(), MachineJob.id)
    )


def _waiting(source_lang: str, target_lang: str) -> bool:
    """Tell whether a job of the pair waits with no live lease."""
    found = db.session.scalar(_waiting_jobs(source_lang, target_lang, utcnow()).limit(1))
    db.session.rollback()  # end the read: the next look must see newer commits
    return found is not None


def _claim(source_lang: str, target_lang: str) -> tuple[str, list[MachineJob]]:
    """Lease waiting jobs of one pair: a batch of fresh ones of the top priority, or a single
    retried one.

    A job whose lease lapsed was in a batch whose worker died. It is retried alone, so a text
    that crashes the engine fails by itself after MAX_ATTEMPTS while the others go through.
    """
    token = uuid.uuid4().hex
    now = utcnow()
    lease = timedelta(seconds=current_app.config["MT_LEASE_SECONDS"])
    waiting = _waiting_jobs(source_lang, target_lang, now)
    retry = db.session.scalar(waiting.where(MachineJob.attempts > 0).limit(1))
    # A batch never mixes priorities: a Severe alert's texts go alone, so their results
    # are stored (and the pivot's English released) before a large routine batch ends.
    top = db.session.scalar(waiting.with_only_columns(MachineJob.priority).limit(1))
    fresh = waiting.where(MachineJob.priority == top).limit(current_app.config["MT_CLAIM_TEXTS"])
    ids = [retry] if retry is not None else list(db.session.scalars(fresh))
    if not ids:
        return token, []
    # The WHERE is re-checked under the write lock, so two workers never hold the same row.
    db.session.execute(
        update(MachineJob)
        .where(MachineJob.id.in_(ids), _free(now))
        .values(claim_token=token, claimed_until=now + lease, attempts=MachineJob.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return token, list(
        db.session.scalars(
            select(MachineJob).where(MachineJob.claim_token == token).order_by(MachineJob.id)
        )
    )


def _places(target_lang: str) -> list[tuple[str, str]]:
    """Pair each shelter's Japanese name with its name for the target (put back after MT)."""
    return [
        (s.name_ja, places.name(s, target_lang))
        for s in db.session.scalars(select(Shelter).order_by(Shelter.id))
    ]


def translate_machine(source_lang: str, target_lang: str) -> int:
    """Translate every waiting machine job of a language pair, in batches; return the count.

    At most ``MT_DRAINS_PER_WORKER`` drains run in a process (two, each on other pairs, so
    one pair's last batch overlaps the next pair's first), fewer than the worker's threads:
    one stays free for planning, so a surge's jobs are recorded as it is posted, not between
    drains (the surge benchmark saw planning tasks wait 18 minutes behind drains, and claims
    of one text). A task that finds every slot taken returns at once: a running drain, once
    its pair is done, serves every other pair with waiting jobs that no drain here serves,
    most urgent first.
    """
    done = 0
    pair: tuple[str, str] | None = (source_lang, target_lang)
    while pair is not None:
        slots = _slots()
        if not slots.acquire(blocking=False):
            return done
        try:
            while pair is not None:
                done += _serve(*pair)
                pair = _next_pair(pair)
        finally:
            slots.release()
        # A job recorded after our last look may belong to a task turned away meanwhile.
        pair = _next_pair(None)
    return done


def worker_started(threads: int, queues: Collection[str]) -> None:
    """Note the Celery worker this process runs: its threads and the queues it consumes."""
    global _worker
    _worker = (max(1, threads), any(queue != MACHINE_QUEUE for queue in queues))


def drain_count(setting: int) -> int:
    """Drains this process may run at once: ``MT_DRAINS_PER_WORKER``, but never every thread
    of a worker that also plans announcements (a worker started with ``-c 2`` and two drains
    would record a surge's jobs only between drains), and never more than its threads."""
    if _worker is None:
        return setting
    threads, plans = _worker
    return max(1, min(setting, threads - 1 if plans else threads))


def _slots() -> threading.BoundedSemaphore:
    """The process's drain slots (made again if the setting changes)."""
    with _gates_lock:
        global _drain_slots
        setting = current_app.config["MT_DRAINS_PER_WORKER"]
        count = drain_count(setting)
        if _drain_slots is None or _drain_slots[0] != count:
            if count < setting:  # only a worker's own thread count lowers it
                assert _worker is not None
                log.warning(
                    "MT_DRAINS_PER_WORKER is %s, but this worker has %s thread(s): %s drain(s), "
                    "so a thread stays free to plan announcements (raise "
                    "TAGENGO_WORKER_CONCURRENCY or the worker's -c)",
                    setting,
                    _worker[0],
                    count,
                )
            _drain_slots = (count, threading.BoundedSemaphore(count))
        return _drain_slots[1]


def _next_pair(after: tuple[str, str] | None) -> tuple[str, str] | None:
    """Return a pair with free waiting jobs that no drain here serves, most urgent first."""
    # _ranked lists `after` last whatever serves it; a pair another drain of this process
    # serves is never ours to take (with two drains, taking it would spin on its gate).
    found = [pair for _, pair in _ranked(after or ("", "")) if not draining(*pair)]
    db.session.rollback()  # end the read: the next look must see newer commits
    return found[0] if found else None


def _serve(source_lang: str, target_lang: str) -> int:
    """Drain one pair (one drain per pair and process), serving more urgent pairs first.

    A task that finds the pair already being drained returns at once, since the running
    drain's next claim takes its job along with everything else that arrived meanwhile.
    That is what makes batches large while texts keep coming (the throughput benchmark
    measured claims of 1–3 texts without it). Worker processes still drain side by side;
    the database claim keeps them off each other's rows.

    Life-safety first across pairs: between batches a drain looks for a more urgent job of
    another pair that nobody here drains, serves that pair first and then comes back, so a
    Severe alert's languages never wait behind a queue of routine drains.
    """
    home = (source_lang, target_lang)
    pair = home
    done = 0
    while True:
        gate = _gate(*pair)
        if not gate.acquire(blocking=False):
            if pair == home:
                break  # the running drain of our pair takes our job
            pair = home  # someone took the urgent pair meanwhile: back to ours
            continue
        try:
            count, urgent = _drain(*pair)
        finally:
            gate.release()
        done += count
        if urgent is not None:
            pair = urgent
            continue
        if pair != home:
            pair = home
            continue
        # A job recorded after our last claim may belong to a task we just turned away;
        # its commit came before that task tried the gate, so this look sees it.
        if not _waiting(*home):
            break
    return done


def _ranked(home: tuple[str, str]) -> list[tuple[tuple[int, bool], tuple[str, str]]]:
    """Rank the other pairs with free jobs that no drain here serves, most urgent first.

    At equal priority, a pair whose jobs others wait for (the shared pivot's source→English)
    comes first: its English releases a job in every pivoted pair, so those pairs then
    claim a surge's texts in a few large batches instead of many small ones.
    """
    now = utcnow()
    free = _claimable(now)
    ranked = db.session.execute(
        select(MachineJob.source_lang, MachineJob.target_lang, func.max(MachineJob.priority))
        .where(*free)
        .group_by(MachineJob.source_lang, MachineJob.target_lang)
    ).all()
    awaited = select(MachineJob.after_id).where(MachineJob.after_id.is_not(None))
    feeding = set(
        db.session.execute(
            select(MachineJob.source_lang, MachineJob.target_lang)
            .where(*free, MachineJob.kind == JobKind.ANNOUNCEMENT.value)
            .where(MachineJob.ref_id.in_(awaited))
            .distinct()
        ).all()
    )
    rank = {(s, t): (p, (s, t) in feeding) for s, t, p in ranked}
    others = [(r, pair) for pair, r in rank.items() if pair != home and not draining(*pair)]
    return sorted(others, reverse=True) + ([(rank[home], home)] if home in rank else [])


def _more_urgent(source_lang: str, target_lang: str) -> tuple[str, str] | None:
    """Return another pair that outranks all of ours (see _ranked) and that no drain in
    this process serves: an urgent one, or the pivot others wait for."""
    ranked = _ranked((source_lang, target_lang))
    home = (source_lang, target_lang)
    bar = max([r for r, pair in ranked if pair == home] + [(0, False)])
    others = [pair for r, pair in ranked if pair != home and r > bar]
    return others[0] if others else None


def _drain(source_lang: str, target_lang: str) -> tuple[int, tuple[str, str] | None]:
    """Claim and translate batches of the pair until none waits, two batches in flight.

    While the model translates one batch, the next is already claimed and queued behind it,
    and the finished one is stored: CTranslate2 never waits for the database, and its
    replicas never idle at the tail of a batch — except behind a batch of urgent texts (a
    Severe alert's), which runs alone so its languages are stored, and its English released
    to the other pairs, as soon as the model is done. Returns the count stored and, when it
    stopped early for one, a more urgent pair.
    """
    backend = engine.translator()
    places = _places(target_lang)
    done = 0
    urgent: tuple[str, str] | None = None
    # token, rows, whether the batch is urgent, the model's work
    flight: deque[tuple[str, list[MachineJob], bool, Future[list[pipeline.Result]]]] = deque()
    with ThreadPoolExecutor(max_workers=IN_FLIGHT, thread_name_prefix="mt") as pool:
        while True:
            if urgent is None and len(flight) < IN_FLIGHT:
                urgent = _more_urgent(source_lang, target_lang)
            # Nothing is queued behind an urgent batch: its results come before anything else.
            rushing = any(rush for _, _, rush, _ in flight)
            claim = urgent is None and len(flight) < IN_FLIGHT and not rushing
            token, rows = _claim(source_lang, target_lang) if claim else ("", [])
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
                texts = [row.text for row in rows]
                rush = rows[0].priority > 0
                db.session.rollback()  # hold no read transaction open while the model works
                job = pool.submit(_translate, backend, texts, source_lang, target_lang, places)
                flight.append((token, rows, rush, job))
                continue
            if not flight:
                return done, urgent
            token, rows, _, job = flight.popleft()
            done += _finish(rows, token, job.result())
            log.info(
                "translated %s text(s) %s→%s in one batch", len(rows), source_lang, target_lang
            )


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
    except Exception as exc:  # a broken or removed model: say so where the text is shown
        log.exception("machine translation %s→%s failed", source_lang, target_lang)
        return [
            pipeline.Result(
                target_lang, "unavailable", reason=f"machine translation failed: {exc}"[:200]
            )
            for _ in texts
        ]


def _finish(rows: list[MachineJob], token: str, results: list[pipeline.Result]) -> int:
    """Hand a batch's results to their kinds' finishers and delete the jobs, in one commit.

    Returns how many texts were stored (a superseded announcement language is not).
    """
    by_id = dict(zip([row.id for row in rows], results, strict=True))
    # Reload the batch in one query: a job finished by another worker after our lease
    # lapsed, or emptied by a purge, is gone or no longer ours.
    mine = db.session.scalars(
        select(MachineJob)
        .where(MachineJob.id.in_(by_id), MachineJob.claim_token == token)
        .execution_options(populate_existing=True)
    ).all()
    groups: dict[JobKind, list[tuple[MachineJob, pipeline.Result]]] = defaultdict(list)
    for job in mine:
        groups[JobKind(job.kind)].append((job, by_id[job.id]))
    finished = [_finishers[kind](pairs) for kind, pairs in groups.items()]
    db.session.execute(
        delete(MachineJob)
        .where(MachineJob.id.in_([job.id for job in mine]))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    for _, action in finished:
        action()
    return sum(count for count, _ in finished)


def forget(kind: JobKind, ref_ids: list[int]) -> None:
    """Delete the jobs of ``kind`` for these objects (superseded or purged; no commit)."""
    if ref_ids:
        db.session.execute(
            delete(MachineJob)
            .where(MachineJob.kind == kind.value, MachineJob.ref_id.in_(ref_ids))
            .execution_options(synchronize_session=False)
        )
