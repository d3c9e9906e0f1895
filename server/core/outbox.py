"""The outbox: deferred work written in the same commit as the change that needs it.

Every kind of work goes through here: ``add`` in the caller's transaction, ``dispatch`` after
its commit, ``close`` by the work itself in the commit that stores its result, and ``sweep``
(Celery beat) for whatever a broker outage or a dead process left behind. A row carries ids
only, never personal data, and a task it names must be idempotent: the sweep may send it twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy import select

from server.core import tasks
from server.core.extensions import db
from server.core.tasks import TaskName
from server.models import Outbox, utcnow

log = logging.getLogger(__name__)


def add(task: TaskName, *args: int, ref: str) -> Outbox:
    """Record work in the current transaction (the caller commits, then dispatches)."""
    row = Outbox(task=task.value, args=list(args), ref=ref)
    db.session.add(row)
    return row


def dispatch(rows: Iterable[Outbox]) -> int:
    """Send committed rows to Celery; a broker outage leaves them for the sweep."""
    sent = 0
    now = utcnow()
    for row in rows:
        try:
            tasks.send(TaskName(row.task), *row.args)
        except Exception:
            log.warning(
                "broker unavailable; outbox row %s (%s) waits for the sweep", row.id, row.ref
            )
            db.session.rollback()
            return sent
        row.dispatched_at = now
        row.dispatch_count += 1
        sent += 1
    db.session.commit()
    return sent


def close(ref: str) -> None:
    """Mark the open rows of ``ref`` done, in the caller's transaction."""
    for row in db.session.scalars(
        select(Outbox).where(Outbox.ref == ref, Outbox.processed_at.is_(None))
    ):
        row.processed_at = utcnow()


def sweep(stale_seconds: int) -> int:
    """Re-send rows never dispatched, or dispatched long ago and still not done."""
    now = utcnow()
    stale = [
        row
        for row in db.session.scalars(
            select(Outbox).where(Outbox.processed_at.is_(None)).order_by(Outbox.id)
        )
        if row.dispatched_at is None or (now - row.dispatched_at).total_seconds() >= stale_seconds
    ]
    sent = dispatch(stale)
    if sent:
        log.info("outbox sweep re-dispatched %s task(s)", sent)
    return sent
