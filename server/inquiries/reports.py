"""Daily statistics of inquiries: counts, time to first reply, what is waiting too long."""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from server.core import clock
from server.core.extensions import db
from server.models import Inquiry, Shelter, utcnow
from server.words import InquiryStatus

PERSONAL_COLUMNS = ("place", "message", "message_ja", "name", "contact")


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC interval of one calendar day in the center's time zone."""
    start = datetime.combine(day, time.min, tzinfo=clock.center_tz()).astimezone(UTC)
    return start, start + timedelta(days=1)


def daily(day: date) -> dict[str, Any]:
    """Counts by category, language, status and shelter; median minutes to first reply."""
    start, end = day_bounds(day)
    items = db.session.scalars(
        # Real work only: a drill's inquiries are counted in its own report.
        select(Inquiry).where(
            Inquiry.created_at >= start, Inquiry.created_at < end, Inquiry.drill_id.is_(None)
        )
    ).all()
    shelters = {s.id: s.name_ja for s in db.session.scalars(select(Shelter))}
    waits = [
        (i.first_reply_at - i.created_at).total_seconds() / 60 for i in items if i.first_reply_at
    ]
    stale = db.session.scalars(
        select(Inquiry)
        .where(
            Inquiry.status.in_(
                (InquiryStatus.OPEN, InquiryStatus.IN_PROGRESS, InquiryStatus.WAITING)
            ),
            Inquiry.created_at < utcnow() - timedelta(days=1),
            Inquiry.drill_id.is_(None),
        )
        .order_by(Inquiry.created_at)
    ).all()

    def top(counter: Counter[str]) -> list[tuple[str, int]]:
        return counter.most_common()

    return {
        "day": day,
        "total": len(items),
        "by_category": top(Counter(i.category for i in items)),
        "by_language": top(Counter(i.lang for i in items)),
        "by_status": top(Counter(i.status for i in items)),
        "by_shelter": top(Counter(shelters.get(i.shelter_id or 0, "—") for i in items)),
        "priority": sum(1 for i in items if i.priority),
        "median_first_reply_minutes": round(statistics.median(waits), 1) if waits else None,
        "answered": len(waits),
        "stale": stale,
    }


def inquiries_csv(personal: bool) -> str:
    """All inquiries as CSV; personal fields only when ``personal`` (admins, audited)."""
    out = io.StringIO()
    columns = [
        "id",
        "created_at",
        "channel",
        "lang",
        "lang_detected",
        "category",
        "shelter_id",
        "status",
        "priority",
        "first_reply_at",
        "purged",
    ]
    if personal:
        columns += list(PERSONAL_COLUMNS)
    writer = csv.writer(out)
    writer.writerow(columns)
    for i in db.session.scalars(select(Inquiry).order_by(Inquiry.id)):
        row = [
            i.id,
            clock.local(i.created_at).isoformat(),
            i.channel,
            i.lang,
            i.lang_detected or "",
            i.category,
            i.shelter_id or "",
            i.status,
            int(i.priority),
            clock.local(i.first_reply_at).isoformat() if i.first_reply_at else "",
            int(bool(i.purged_at)),
        ]
        if personal:
            row += [getattr(i, c) or "" for c in PERSONAL_COLUMNS]
        writer.writerow(row)
    return out.getvalue()
