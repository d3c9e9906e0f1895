"""The activity log (活動記録): one append-only timeline every domain writes to with `record`.

Domains call `record(kind, summary, ...)` inside their own transaction, so an entry is
committed exactly when the change it describes is. Summaries name objects by id and never
carry a resident's words or contact details.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select

from server.core import clock, validation
from server.core.errors import ApiError
from server.core.extensions import db
from server.models import User, utcnow
from server.operations.models import ActivityEntry
from server.operations.words import ActivityKind

MAX_SUMMARY = 2000
# The team an entry belongs to when the caller does not say (teams.yaml ids).
DEFAULT_TEAM = {
    ActivityKind.PHASE_CHANGED: "general_affairs",
    ActivityKind.ANNOUNCEMENT_PUBLISHED: "information",
    ActivityKind.ANNOUNCEMENT_REVISED: "information",
    ActivityKind.ANNOUNCEMENT_RETRACTED: "information",
    ActivityKind.INQUIRY_CREATED: "consultation",
    ActivityKind.INQUIRY_REPLIED: "consultation",
    ActivityKind.NEED_STATUS_CHANGED: "shelter_rounds",
    ActivityKind.REQUEST_CLAIMED: "translation",
    ActivityKind.REQUEST_SUBMITTED: "translation",
    ActivityKind.REQUEST_DELIVERED: "translation",
    ActivityKind.BOARD_ADDED: "information",
    ActivityKind.BOARD_LINK_CHANGED: "information",
    ActivityKind.ACCOUNT_CREATED: "general_affairs",
    ActivityKind.ACCOUNT_CHANGED: "general_affairs",
    ActivityKind.SHIFT_CREATED: "general_affairs",
    ActivityKind.HANDOVER_WRITTEN: "general_affairs",
    ActivityKind.HANDOVER_ACKNOWLEDGED: "general_affairs",
    ActivityKind.LESSONS_SAVED: "general_affairs",
    ActivityKind.TRIGGER_DISMISSED: "general_affairs",
}
CSV_COLUMNS = (
    "id",
    "created_at",
    "kind",
    "team",
    "lang",
    "ref",
    "user",
    "corrects",
    "summary",
    "drill_id",
)
WORK = ("all", "real", "drill")  # ?work=: everything, real work only, drill work only


def record(
    kind: ActivityKind,
    summary: str,
    *,
    user: User | None = None,
    team: str | None = None,
    lang: str | None = None,
    ref: str | None = None,
    corrects: int | None = None,
    drill_id: int | None = None,
) -> ActivityEntry:
    """Add one entry to the session; the caller's commit makes it part of the same change."""
    entry = ActivityEntry(
        kind=kind,
        team=team or DEFAULT_TEAM.get(kind),
        lang=lang,
        ref=ref,
        summary=summary[:MAX_SUMMARY],
        user_id=user.id if user is not None else None,
        corrects_id=corrects,
        created_at=utcnow(),
        drill_id=drill_id,
    )
    db.session.add(entry)
    return entry


def note(text: str, user: User, team: str | None = None) -> ActivityEntry:
    """Write down a decision or a contact as it happens."""
    entry = record(ActivityKind.NOTE, text, user=user, team=team)
    db.session.commit()
    return entry


def correct(entry_id: int, text: str, user: User) -> ActivityEntry:
    """Add a correction of an earlier entry; the earlier entry stays exactly as it was."""
    earlier = db.session.get(ActivityEntry, entry_id)
    if earlier is None:
        raise ApiError(404, "not_found", f"no activity entry with id {entry_id}", "entry_id")
    entry = record(
        ActivityKind.CORRECTION,
        text,
        user=user,
        team=earlier.team,
        lang=earlier.lang,
        ref=earlier.ref,
        corrects=earlier.id,
    )
    db.session.commit()
    return entry


def _time(args: Mapping[str, str], field: str) -> datetime | None:
    raw = (args.get(field) or "").strip()
    if not raw:
        return None
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise validation.bad(field, f"'{field}' must be a time like 2026-11-21T18:00") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=clock.center_tz())
    return parsed


def filtered(args: Mapping[str, str]) -> Select[Any]:
    """Entries matching ?kind=&team=&lang=&since=&until=&work=, newest first."""
    query = select(ActivityEntry).order_by(ActivityEntry.id.desc())
    work = (args.get("work") or "all").strip()
    if work not in WORK:
        raise validation.bad("work", f"'work' must be one of {', '.join(WORK)}")
    if work == "real":
        query = query.where(ActivityEntry.drill_id.is_(None))
    elif work == "drill":
        query = query.where(ActivityEntry.drill_id.is_not(None))
    kind = (args.get("kind") or "").strip()
    if kind:
        if kind not in {k.value for k in ActivityKind}:
            raise validation.bad("kind", f"'kind' must be one of {', '.join(ActivityKind)}")
        query = query.where(ActivityEntry.kind == kind)
    if team := (args.get("team") or "").strip():
        query = query.where(ActivityEntry.team == team)
    if lang := (args.get("lang") or "").strip():
        query = query.where(ActivityEntry.lang == lang)
    if since := _time(args, "since"):
        query = query.where(ActivityEntry.created_at >= since)
    if until := _time(args, "until"):
        query = query.where(ActivityEntry.created_at < until)
    return query


def as_json(entry: ActivityEntry, users: Mapping[int, str]) -> dict[str, Any]:
    """Render an entry for the API and the CSV."""
    return {
        "id": entry.id,
        "created_at": entry.created_at.isoformat(),
        "kind": entry.kind,
        "team": entry.team,
        "lang": entry.lang,
        "ref": entry.ref,
        "user": users.get(entry.user_id or 0),
        "corrects": entry.corrects_id,
        "summary": entry.summary,
        "drill_id": entry.drill_id,
    }


def usernames() -> dict[int, str]:
    """Map user ids to user names for display."""
    return {u.id: u.username for u in db.session.scalars(select(User))}


def to_csv(entries: Iterable[ActivityEntry]) -> str:
    """The timeline as CSV, oldest first as a log is read."""
    users = usernames()
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for entry in sorted(entries, key=lambda e: e.id):
        row = as_json(entry, users)
        # A cell starting with = + - @ would run as a formula in a spreadsheet.
        summary = str(row["summary"])
        row["summary"] = "'" + summary if summary[:1] in "=+-@" else summary
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return out.getvalue()
