"""The closure report (活動報告): one activation of the center from its opening to its close.

Dates and phases come from the real phase changes (a drill's are left out), counts from what
the center made in that time, response times from the board events and the inquiry history,
and the lessons from what staff write. Counts only: no resident's words or contacts.
"""

from __future__ import annotations

import csv
import io
import math
import statistics
from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select

from server.core import validation
from server.core.errors import ApiError
from server.core.extensions import db
from server.models import (
    Announcement,
    BoardEvent,
    Inquiry,
    InquiryEvent,
    InquiryReply,
    Translation,
    User,
    utcnow,
)
from server.operations import activity, checklists, phases
from server.operations.models import ClosureLessons, PhaseChange, Shift
from server.operations.words import ActivityKind
from server.requests.models import RequestPiece, TranslationRequest
from server.shelters.models import Need, Round
from server.shelters.words import NeedStatus
from server.words import InquiryStatus, TranslationStatus

MAX_LESSONS = 20_000
ANSWERED = f"→ {InquiryStatus.ANSWERED}"


def pick(value: str | None) -> PhaseChange:
    """The activation ?activation=<phase change id> names, or the latest one."""
    found = phases.activations()
    if not found:
        raise ApiError(
            404,
            "never_activated",
            "the center has never been activated, so there is no activation to report on",
        )
    if not value:
        return found[-1]
    try:
        wanted = int(value)
    except ValueError:
        raise validation.bad("activation", "'activation' must be a phase change id") from None
    for row in found:
        if row.id == wanted:
            return row
    raise ApiError(
        404,
        "unknown_activation",
        f"phase change {wanted} did not activate the center",
        "activation",
    )


def _changes(act: PhaseChange) -> tuple[list[PhaseChange], datetime | None]:
    """The real changes from the activation to its close, and when it closed (None: open)."""
    rows = db.session.scalars(
        select(PhaseChange)
        .where(PhaseChange.id >= act.id, PhaseChange.drill_id.is_(None))
        .order_by(PhaseChange.id)
    )
    out: list[PhaseChange] = []
    for row in rows:
        if out and phases.is_activation(row):
            break
        out.append(row)
        if row is not act and not phases.is_active(row.to_phase):
            return out, row.created_at
    return out, None


def _minutes(seconds: list[float]) -> dict[str, Any]:
    """Median, 90th percentile (nearest rank) and maximum, in minutes."""
    if not seconds:
        return {"n": 0, "median": None, "p90": None, "max": None}
    ordered = sorted(seconds)
    p90 = ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]
    return {
        "n": len(ordered),
        "median": round(statistics.median(ordered) / 60, 1),
        "p90": round(p90 / 60, 1),
        "max": round(ordered[-1] / 60, 1),
    }


def _announcements(start: datetime, end: datetime) -> tuple[dict[str, Any], set[str]]:
    items = db.session.scalars(
        select(Announcement).where(
            Announcement.created_at >= start,
            Announcement.created_at < end,
            Announcement.drill_id.is_(None),
            Announcement.drill.is_(False),
        )
    ).all()
    ids = [a.id for a in items]
    published = {a.id: a.created_at for a in items}
    wanted: dict[int, set[str]] = defaultdict(set)
    on_board: dict[tuple[int, str], datetime] = {}
    served = {a.source_lang for a in items}
    if ids:
        for t in db.session.scalars(
            select(Translation).where(
                Translation.announcement_id.in_(ids), Translation.revision == 1
            )
        ):
            wanted[t.announcement_id].add(t.lang)
        for ev in db.session.scalars(
            select(BoardEvent)
            .where(
                BoardEvent.announcement_id.in_(ids), BoardEvent.type == "announcement.translated"
            )
            .order_by(BoardEvent.seq)
        ):
            p = ev.payload
            if p.get("revision") == 1 and p.get("status") == TranslationStatus.DONE:
                on_board.setdefault((ev.announcement_id, str(p.get("lang"))), ev.created_at)
    per_lang: dict[str, list[float]] = defaultdict(list)
    for (aid, lang), at in on_board.items():
        per_lang[lang].append((at - published[aid]).total_seconds())
        served.add(lang)
    complete, incomplete = [], 0
    for aid in ids:
        times = [on_board.get((aid, lang)) for lang in wanted[aid]]
        if wanted[aid] and all(times):
            complete.append((max(t for t in times if t) - published[aid]).total_seconds())
        elif wanted[aid]:
            incomplete += 1
    return {
        "published": len(items),
        "retracted": sum(1 for a in items if a.retracted_at is not None),
        "by_category": Counter(a.category for a in items).most_common(),
        "by_severity": Counter(a.severity for a in items).most_common(),
        "all_languages": _minutes(complete),
        "never_complete": incomplete,
        "per_language": [(lang, _minutes(per_lang[lang])) for lang in sorted(per_lang)],
    }, served


def _inquiries(start: datetime, end: datetime) -> tuple[dict[str, Any], set[str]]:
    items = db.session.scalars(
        select(Inquiry).where(
            Inquiry.created_at >= start, Inquiry.created_at < end, Inquiry.drill_id.is_(None)
        )
    ).all()
    ids = [i.id for i in items]
    answered: dict[int, datetime] = {}
    replies = 0
    if ids:
        for ev in db.session.scalars(
            select(InquiryEvent)
            .where(InquiryEvent.inquiry_id.in_(ids), InquiryEvent.action == "status")
            .order_by(InquiryEvent.id)
        ):
            if (ev.detail or "").endswith(ANSWERED):
                answered.setdefault(ev.inquiry_id, ev.created_at)
        replies = len(
            db.session.scalars(
                select(InquiryReply.id).where(InquiryReply.inquiry_id.in_(ids))
            ).all()
        )
    waits: dict[str, list[float]] = defaultdict(list)
    for i in items:
        if i.id in answered:
            waits[i.lang].append((answered[i.id] - i.created_at).total_seconds())
    return {
        "received": len(items),
        "replies": replies,
        "by_language": Counter(i.lang for i in items).most_common(),
        "first_reply": _minutes([s for v in waits.values() for s in v]),
        "first_reply_per_language": [(lang, _minutes(waits[lang])) for lang in sorted(waits)],
    }, {i.lang for i in items if i.lang not in ("und",)}


def _field(start: datetime, end: datetime) -> dict[str, Any]:
    rounds = db.session.scalars(
        select(Round.id).where(
            Round.created_at >= start, Round.created_at < end, Round.drill_id.is_(None)
        )
    ).all()
    needs = db.session.scalars(
        select(Need).where(Need.created_at >= start, Need.created_at < end, Need.drill_id.is_(None))
    ).all()
    done = (NeedStatus.ADDRESSED, NeedStatus.CLOSED)
    return {
        "rounds": len(rounds),
        "needs_opened": len(needs),
        "needs_addressed": sum(1 for n in needs if n.status in done),
    }


def _requests(start: datetime, end: datetime) -> tuple[int, set[str]]:
    rows = db.session.scalars(
        select(RequestPiece.lang)
        .join(TranslationRequest, TranslationRequest.id == RequestPiece.request_id)
        .where(
            RequestPiece.delivered_at >= start,
            RequestPiece.delivered_at < end,
            TranslationRequest.drill_id.is_(None),
        )
    ).all()
    return len(rows), set(rows)


def _staffing(start: datetime, end: datetime) -> dict[str, Any]:
    shifts = db.session.scalars(
        select(Shift).where(Shift.starts_at < end, Shift.ends_at > start)
    ).all()
    staff = {n for s in shifts for n in s.staff}
    volunteers = {n for s in shifts for n in s.volunteers}
    return {
        "shifts": len(shifts),
        "staff": len(staff),
        "volunteers": len(volunteers),
        "people": len(staff | volunteers),
    }


def _checklist(act: PhaseChange) -> list[dict[str, Any]]:
    users = activity.usernames()
    out = []
    for phase in phases.phase_ids():
        for item in checklists.items_in(phase, act.id):
            if item.mark is not None:
                out.append(
                    {
                        "phase": phase,
                        "item": item.id,
                        "text": dict(item.text),
                        "state": item.mark.state,
                        "note": item.mark.note or item.mark.reason or "",
                        "by": users.get(item.mark.user_id or 0, ""),
                        "at": item.mark.marked_at,
                    }
                )
    return out


def report(act: PhaseChange) -> dict[str, Any]:
    """Everything the closure report says about one activation."""
    changes, closed_at = _changes(act)
    end = closed_at or utcnow()
    spans = []
    for index, row in enumerate(changes):
        until = changes[index + 1].created_at if index + 1 < len(changes) else closed_at
        if row is changes[-1] and closed_at is not None:
            continue  # the close itself starts no working phase
        stop = until or end
        spans.append(
            {
                "phase": row.to_phase,
                "from": row.created_at,
                "until": until,
                "hours": round((stop - row.created_at).total_seconds() / 3600, 1),
                "reason": row.reason,
            }
        )
    announcements, served = _announcements(act.created_at, end)
    inquiries, inquiry_langs = _inquiries(act.created_at, end)
    delivered, request_langs = _requests(act.created_at, end)
    lessons = db.session.scalar(
        select(ClosureLessons).where(ClosureLessons.activation_id == act.id)
    )
    return {
        "activation_id": act.id,
        "activated_at": act.created_at,
        "closed_at": closed_at,
        "reason": act.reason,
        "days": round((end - act.created_at).total_seconds() / 86400, 1),
        "phases": spans,
        "announcements": announcements,
        "inquiries": inquiries,
        "field": _field(act.created_at, end),
        "requests_delivered": delivered,
        "languages_served": sorted(served | inquiry_langs | request_langs),
        "staffing": _staffing(act.created_at, end),
        "checklist": _checklist(act),
        "lessons": lessons.text if lessons is not None else "",
        "lessons_updated_at": lessons.updated_at if lessons is not None else None,
    }


def save_lessons(act: PhaseChange, text: str | None, user: User) -> ClosureLessons:
    """Write (or rewrite) the lessons of an activation; the log records each save."""
    text = (text or "").strip()
    if len(text) > MAX_LESSONS:
        raise ApiError(413, "too_long", f"'lessons' is longer than {MAX_LESSONS} chars", "lessons")
    row = db.session.scalar(select(ClosureLessons).where(ClosureLessons.activation_id == act.id))
    if row is None:
        row = ClosureLessons(activation_id=act.id, text=text)
        db.session.add(row)
    row.text, row.updated_by, row.updated_at = text, user.id, utcnow()
    activity.record(
        ActivityKind.LESSONS_SAVED,
        f"lessons of activation {act.id} saved ({len(text)} characters)",
        user=user,
        ref=f"activation:{act.id}",
    )
    db.session.commit()
    return row


def to_csv(r: dict[str, Any]) -> str:
    """The report as section,key,value rows (one table a spreadsheet can pivot)."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["section", "key", "value"])
    w.writerow(["activation", "id", r["activation_id"]])
    w.writerow(["activation", "activated_at", r["activated_at"].isoformat()])
    w.writerow(["activation", "closed_at", r["closed_at"].isoformat() if r["closed_at"] else ""])
    w.writerow(["activation", "days", r["days"]])
    for span in r["phases"]:
        w.writerow(["phase_hours", span["phase"], span["hours"]])
    ann = r["announcements"]
    w.writerow(["announcements", "published", ann["published"]])
    w.writerow(["announcements", "retracted", ann["retracted"]])
    for key, n in ann["by_category"]:
        w.writerow(["announcements_by_category", key, n])
    for key, n in ann["by_severity"]:
        w.writerow(["announcements_by_severity", key, n])
    for stat in ("median", "p90", "max"):
        w.writerow(["minutes_to_all_languages", stat, _cell(ann["all_languages"][stat])])
    for lang, stats in ann["per_language"]:
        w.writerow(["minutes_to_board_median", lang, _cell(stats["median"])])
    inq = r["inquiries"]
    w.writerow(["inquiries", "received", inq["received"]])
    w.writerow(["inquiries", "replies", inq["replies"]])
    for key, n in inq["by_language"]:
        w.writerow(["inquiries_by_language", key, n])
    for stat in ("median", "p90", "max"):
        w.writerow(["minutes_to_first_reply", stat, _cell(inq["first_reply"][stat])])
    for key, n in r["field"].items():
        w.writerow(["field", key, n])
    w.writerow(["requests", "delivered", r["requests_delivered"]])
    for lang in r["languages_served"]:
        w.writerow(["language_served", lang, 1])
    for key, n in r["staffing"].items():
        w.writerow(["staffing", key, n])
    for mark in r["checklist"]:
        w.writerow(["checklist", mark["item"], mark["state"]])
    return out.getvalue()


def _cell(value: object) -> object:
    return "" if value is None else value
