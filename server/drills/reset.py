"""Reset a drill: remove every row its run made, and nothing else.

The rows a drill makes carry its id (``drill_id`` on announcements, inquiries, rounds, needs,
requests, phase changes, activity entries and the drill's own shelters). Their dependants
(revisions, translations, board events, replies, inquiry events, need events, pieces, census
counts, …) are found through the schema's foreign keys, so a table added later is covered
without a list to keep up to date. Work named by reference rather than by key (outbox rows,
machine jobs) is removed by its reference. A real row that points at a drill row keeps
everything but that pointer. The drill row, its injects and its evaluations stay (status
``reset``): the after-action report survives.

Boards are told first: every drill announcement still shown is retracted live, then deleted.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Table, delete, or_, select, update

from server.core.errors import ApiError
from server.core.extensions import db
from server.drills import measures
from server.drills.models import Drill
from server.drills.words import DrillStatus
from server.live import events
from server.models import (
    Announcement,
    BoardEvent,
    InquiryReply,
    MachineJob,
    Outbox,
    Translation,
    User,
    utcnow,
)
from server.operations import activity
from server.operations.words import ActivityKind
from server.requests.models import RequestPiece
from server.words import AnnouncementStatus, JobKind

MARK = "drill_id"
KEEP = {"drills", "drill_injects", "drill_evaluations", "drill_improvements"}


def _key(table: Table) -> Any:
    """The table's one-column primary key (``id``, or ``seq`` for board events)."""
    columns = list(table.primary_key.columns)
    if len(columns) != 1:
        raise RuntimeError(f"reset needs a one-column primary key on {table.name}")
    return columns[0]


def _marked_tables() -> list[Table]:
    tables = db.metadata.tables.values()
    return [t for t in tables if MARK in t.c and t.name not in KEEP]


def _plan(drill_id: int) -> tuple[dict[str, set[int]], list[tuple[Table, str, set[int]]]]:
    """Rows to delete per table, and (table, column, ids) pointers to clear in real rows."""
    doomed: dict[str, set[int]] = defaultdict(set)
    clear: list[tuple[Table, str, set[int]]] = []
    pending: list[tuple[Table, set[int]]] = []
    for table in _marked_tables():
        ids = set(db.session.scalars(select(_key(table)).where(table.c[MARK] == drill_id)))
        if ids:
            doomed[table.name] |= ids
            pending.append((table, ids))
    while pending:
        parent, ids = pending.pop()
        for child in db.metadata.tables.values():
            if child.name in KEEP:
                continue
            for fk in child.foreign_keys:
                if fk.column.table is not parent:
                    continue
                column, key = fk.parent, _key(child)
                hits = set(db.session.scalars(select(key).where(column.in_(ids))))
                if MARK in child.c:
                    # A real row pointing at a drill row keeps itself, without the pointer.
                    mine = set(
                        db.session.scalars(
                            select(key).where(column.in_(ids), child.c[MARK] == drill_id)
                        )
                    )
                    real = hits - mine - doomed[child.name]
                    if real:
                        clear.append((child, column.name, real))
                    continue
                new = hits - doomed[child.name]
                if new:
                    doomed[child.name] |= new
                    pending.append((child, new))
    return doomed, clear


def _by_reference(doomed: dict[str, set[int]]) -> None:
    """Delete outbox rows and machine jobs that name doomed rows by reference."""
    announcements = doomed.get(Announcement.__tablename__, set())
    inquiries = doomed.get("inquiries", set())
    replies = doomed.get(InquiryReply.__tablename__, set())
    refs = [f"inquiry:{i}" for i in inquiries] + [f"reply:{r}" for r in replies]
    clauses = [Outbox.ref.in_(refs)] if refs else []
    clauses += [Outbox.ref.like(f"announcement:{a}:%") for a in announcements]
    if clauses:
        db.session.execute(delete(Outbox).where(or_(*clauses)))
    jobs = {
        JobKind.ANNOUNCEMENT: doomed.get(Translation.__tablename__, set()),
        JobKind.INQUIRY: inquiries,
        JobKind.REPLY: replies,
        JobKind.REQUEST: doomed.get(RequestPiece.__tablename__, set()),
    }
    for kind, ids in jobs.items():
        if ids:
            db.session.execute(
                delete(MachineJob).where(MachineJob.kind == kind, MachineJob.ref_id.in_(ids))
            )


def _retractions(drill_id: int) -> list[BoardEvent]:
    """Build live retractions of the drill's announcements boards still show (not stored)."""
    out = []
    shown = db.session.scalars(
        select(Announcement).where(
            Announcement.drill_id == drill_id, Announcement.status == AnnouncementStatus.ACTIVE
        )
    )
    for announcement in shown:
        event = events.record(
            events.RETRACTED,
            announcement,
            revision=announcement.revision,
            lang=None,
            status=AnnouncementStatus.RETRACTED,
        )
        db.session.expunge(event)  # its announcement is going: only the push is kept
        out.append(event)
    return out


def reset(drill: Drill, user: User | None) -> dict[str, int]:
    """Delete every row the drill made (and theirs); return how many rows per table."""
    if drill.status == DrillStatus.RESET:
        raise ApiError(409, "drill_reset", "the drill was reset already")
    measures.snapshot(drill)  # measured while the data still exists: the report outlives it
    retractions = _retractions(drill.id)
    doomed, clear = _plan(drill.id)
    for table, column, ids in clear:
        db.session.execute(update(table).where(_key(table).in_(ids)).values({column: None}))
    _by_reference(doomed)
    # Children before parents: the reverse of the schema's dependency order.
    for table in reversed(db.metadata.sorted_tables):
        if doomed.get(table.name):
            db.session.execute(delete(table).where(_key(table).in_(doomed[table.name])))
    now = utcnow()
    if drill.status == DrillStatus.PAUSED and drill.paused_at is not None:
        drill.paused_seconds += (now - drill.paused_at).total_seconds()
        drill.paused_at = None
    drill.finished_at = drill.finished_at or now
    drill.status = DrillStatus.RESET
    drill.reset_at = now
    counts = {name: len(ids) for name, ids in sorted(doomed.items())}
    # The one entry that stays: a real record that the reset happened (no drill id).
    activity.record(
        ActivityKind.NOTE,
        f"drill {drill.id} reset: {sum(counts.values())} row(s) removed",
        user=user,
        team="general_affairs",
        ref=f"drill:{drill.id}",
    )
    db.session.commit()
    events.push(retractions)
    return counts
