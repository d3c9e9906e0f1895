"""Machine jobs: drain every waiting text of a language pair through batched translation.

``translating.translate_revision`` records a job per language that needs a model and sends
``translate_machine``. A drain claims waiting jobs of the pair from every announcement (a
lease, so a dead worker's jobs are taken over), translates them in one call per batch with
the next batch already queued in the model, and stores each batch in one commit.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, Select, inspect, select, update

from server.core.extensions import db
from server.live import events
from server.models import Announcement, AnnouncementRevision, Shelter, Translation, utcnow
from server.translation.planning import TRANSLATING, mark_processed, store
from translations import languages, machine, pipeline

log = logging.getLogger(__name__)
IN_FLIGHT = 2  # batches of one pair queued in the model at once
_gates: dict[tuple[str, str], threading.Lock] = {}
_gates_lock = threading.Lock()


def draining(source_lang: str, target_lang: str) -> bool:
    """Tell whether a drain of the pair runs in this process (it will take new jobs too)."""
    return _gate(source_lang, target_lang).locked()


def _claim(source_lang: str, target_lang: str) -> tuple[str, list[Translation]]:
    """Lease waiting jobs of one pair: a batch of fresh ones, or a single retried one.

    A job whose lease lapsed was in a batch whose worker died. It is retried alone, so a text
    that crashes the engine fails by itself after MAX_ATTEMPTS while the others go through.
    """
    token = uuid.uuid4().hex
    now = utcnow()
    lease = timedelta(seconds=current_app.config["MT_LEASE_SECONDS"])
    free = _free(now)
    waiting = _waiting_jobs(source_lang, target_lang, now).order_by(Translation.id)
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


def _free(now: datetime) -> ColumnElement[bool]:
    """Match jobs no worker holds a live lease on."""
    return (Translation.claimed_until.is_(None)) | (Translation.claimed_until < now)


def _waiting_jobs(source_lang: str, target_lang: str, now: datetime) -> Select[int]:
    """Select the ids of the pair's jobs that wait with no live lease."""
    return (
        select(Translation.id)
        .join(Announcement, Announcement.id == Translation.announcement_id)
        .where(
            Translation.status == TRANSLATING,
            Translation.lang == target_lang,
            Announcement.source_lang == source_lang,
            _free(now),
        )
    )


def _waiting(source_lang: str, target_lang: str) -> bool:
    """Tell whether a job of the pair waits with no live lease."""
    found = db.session.scalar(_waiting_jobs(source_lang, target_lang, utcnow()).limit(1))
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
    # Reload the whole batch in one query (a refresh per row is a round trip per row); the
    # rows were expired while the model worked, but each keeps its identity.
    ids: list[int] = [inspect(row).identity[0] for row in rows]  # type: ignore[index]
    db.session.scalars(
        select(Translation).where(Translation.id.in_(ids)).execution_options(populate_existing=True)
    ).all()
    for row, result in zip(rows, results, strict=True):
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
        store(announcement, row.revision, row.lang, result, row, seq=seq + i)
        for i, (announcement, row, result) in enumerate(current)
    ]
    db.session.commit()
    events.push(stored)
    for announcement_id, revision in sorted(revisions):
        mark_processed(announcement_id, revision, commit=False)
    db.session.commit()
    return len(stored)
