"""The daily situation report (日報) for the disaster headquarters: what the center did in a day.

Announcements by category and language, inquiries (the inquiry domain's own daily report),
staffing, the phase and the activity count. Counts only: no resident's words or contacts.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date, datetime
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from server.core import clock
from server.core.errors import ApiError
from server.core.extensions import db
from server.inquiries import reports
from server.models import Announcement, AnnouncementRevision, Translation
from server.operations.models import ActivityEntry, PhaseChange, Shift
from server.operations.phases import FIRST
from server.words import TranslationStatus
from translations import languages

# The report counts real work only: drill announcements (run by the drill runner or flagged
# by hand) are the drill's, never the headquarters'.
REAL_ANNOUNCEMENT = Announcement.drill.is_(False) & Announcement.drill_id.is_(None)


def today() -> date:
    """The calendar day in Japan now."""
    return datetime.now(clock.center_tz()).date()


def parse_day(value: str | None) -> date:
    """Read ?day=YYYY-MM-DD (default today); a future day is a clear error."""
    if not value:
        return today()
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ApiError(400, "invalid", "'day' must be a date like 2026-12-03", "day") from None
    if day > today():
        raise ApiError(
            400,
            "future_day",
            f"{day} has not come yet (today is {today()} in Japan); no report can be made",
            "day",
        )
    return day


def _announcements(start: datetime, end: datetime) -> dict[str, Any]:
    items = db.session.scalars(
        select(Announcement).where(
            Announcement.created_at >= start, Announcement.created_at < end, REAL_ANNOUNCEMENT
        )
    ).all()
    ids = [a.id for a in items]
    done: Counter[str] = Counter()
    if ids:
        rows = db.session.scalars(
            select(Translation).where(
                Translation.announcement_id.in_(ids), Translation.status == TranslationStatus.DONE
            )
        )
        current = {a.id: a.revision for a in items}
        done.update(t.lang for t in rows if current.get(t.announcement_id) == t.revision)
    done.update(a.source_lang for a in items)
    names = {lang.code: lang.native for lang in languages.LANGUAGES}
    wanted = [current_app.config["SOURCE_LANGUAGE"], *current_app.config["TARGET_LANGUAGES"]]
    langs = list(dict.fromkeys([*wanted, *done]))
    revisions = db.session.scalar(
        select(func.count(AnnouncementRevision.id))
        .join(Announcement, Announcement.id == AnnouncementRevision.announcement_id)
        .where(
            REAL_ANNOUNCEMENT,
            AnnouncementRevision.created_at >= start,
            AnnouncementRevision.created_at < end,
            AnnouncementRevision.revision > 1,
        )
    )
    retracted = db.session.scalar(
        select(func.count(Announcement.id)).where(
            Announcement.retracted_at >= start, Announcement.retracted_at < end, REAL_ANNOUNCEMENT
        )
    )
    return {
        "published": len(items),
        "revised": revisions or 0,
        "retracted": retracted or 0,
        "by_category": Counter(a.category for a in items).most_common(),
        "by_language": [(lang, names.get(lang, lang), done.get(lang, 0)) for lang in langs],
    }


def _staffing(start: datetime, end: datetime) -> dict[str, Any]:
    shifts = db.session.scalars(
        select(Shift).where(Shift.starts_at < end, Shift.ends_at > start).order_by(Shift.starts_at)
    ).all()
    return {
        "shifts": [
            {
                "label": s.label,
                "starts_at": s.starts_at.astimezone(clock.center_tz()).strftime("%m-%d %H:%M"),
                "ends_at": s.ends_at.astimezone(clock.center_tz()).strftime("%m-%d %H:%M"),
                "staff": len(s.staff),
                "volunteers": len(s.volunteers),
            }
            for s in shifts
        ],
        "staff": len({n for s in shifts for n in s.staff}),
        "volunteers": len({n for s in shifts for n in s.volunteers}),
    }


def daily(day: date) -> dict[str, Any]:
    """Everything the headquarters asks for about one day in Japan."""
    if day > today():
        raise ApiError(400, "future_day", f"{day} has not come yet; no report can be made", "day")
    start, end = reports.day_bounds(day)
    inquiries = reports.daily(day)
    phase = db.session.scalar(
        select(PhaseChange.to_phase)
        .where(PhaseChange.created_at < end, PhaseChange.drill_id.is_(None))
        .order_by(PhaseChange.id.desc())
        .limit(1)
    )
    changes = db.session.scalars(
        select(PhaseChange)
        .where(
            PhaseChange.created_at >= start,
            PhaseChange.created_at < end,
            PhaseChange.drill_id.is_(None),
        )
        .order_by(PhaseChange.id)
    ).all()
    return {
        "day": day,
        "phase": phase or FIRST,
        "phase_changes": [(c.from_phase, c.to_phase, c.reason) for c in changes],
        "announcements": _announcements(start, end),
        # Counts only: the stale list holds inquiries themselves, personal data included.
        "inquiries": {k: v for k, v in inquiries.items() if k not in ("stale", "day")}
        | {"waiting_over_a_day": len(inquiries["stale"])},
        "staffing": _staffing(start, end),
        "activity_entries": db.session.scalar(
            select(func.count(ActivityEntry.id)).where(
                ActivityEntry.created_at >= start,
                ActivityEntry.created_at < end,
                ActivityEntry.drill_id.is_(None),
            )
        )
        or 0,
    }


def to_csv(report: dict[str, Any]) -> str:
    """The report as section,key,value rows (one table a spreadsheet can pivot)."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["section", "key", "value"])
    w.writerow(["report", "day", report["day"].isoformat()])
    w.writerow(["report", "phase", report["phase"]])
    for old, new, _reason in report["phase_changes"]:
        w.writerow(["phase_change", f"{old}->{new}", 1])
    ann = report["announcements"]
    for key in ("published", "revised", "retracted"):
        w.writerow(["announcements", key, ann[key]])
    for category, n in ann["by_category"]:
        w.writerow(["announcements_by_category", category, n])
    for lang, _name, n in ann["by_language"]:
        w.writerow(["announcements_by_language", lang, n])
    inq = report["inquiries"]
    for key in (
        "total",
        "priority",
        "answered",
        "median_first_reply_minutes",
        "waiting_over_a_day",
    ):
        w.writerow(["inquiries", key, "" if inq[key] is None else inq[key]])
    for section in ("by_category", "by_language", "by_status", "by_shelter"):
        for key, n in inq[section]:
            w.writerow([f"inquiries_{section}", key, n])
    staffing = report["staffing"]
    w.writerow(["staffing", "staff", staffing["staff"]])
    w.writerow(["staffing", "volunteers", staffing["volunteers"]])
    for s in staffing["shifts"]:
        label = f"{s['label']} {s['starts_at']}–{s['ends_at']}"
        # A cell starting with = + - @ would run as a formula in a spreadsheet.
        label = "'" + label if label[:1] in "=+-@" else label
        w.writerow(["shift", label, s["staff"] + s["volunteers"]])
    w.writerow(["activity", "entries", report["activity_entries"]])
    return out.getvalue()
