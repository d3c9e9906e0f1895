"""Measures of a drill's injects, read from what the center did (pure reads of the database).

Each released inject gets a list of items — a thing done, when, and minutes from the release —
judged against the inject's ``target_minutes``: within, over, or not done. The first item is
the one the inject is judged by. Everything is plain JSON (times as ISO strings) so the same
dicts serve the page, the API, the CSV and the snapshot kept through a reset.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select

from server.core.extensions import db
from server.drills.models import Drill, DrillInject
from server.drills.words import InjectKind, Verdict
from server.models import (
    Announcement,
    BoardEvent,
    Inquiry,
    InquiryEvent,
    Outbox,
    Translation,
    utcnow,
)
from server.operations.models import PhaseChange
from server.requests.models import TranslationRequest
from server.shelters.models import Need
from server.words import TranslationStatus

Item = dict[str, Any]
ADDRESSED = ("addressed", "closed")  # NeedStatus values that count as a need met


def iso(moment: datetime | None) -> str | None:
    """A stored time as ISO 8601 (None stays None)."""
    return moment.isoformat() if moment is not None else None


def minutes(start: datetime, end: datetime) -> float:
    """Minutes from ``start`` to ``end``, to a tenth."""
    return round((end - start).total_seconds() / 60, 1)


def verdict(spent: float | None, target: int) -> Verdict:
    """Within or over the target; not done when nothing happened."""
    if spent is None:
        return Verdict.NOT_DONE
    return Verdict.WITHIN if spent <= target else Verdict.OVER


def item(
    key: str, at: datetime | None, inject: DrillInject, detail: str = "", **extra: Any
) -> Item:
    """One thing done (or not yet) in answer to an inject, timed from its release."""
    spent = minutes(inject.released_at, at) if at and inject.released_at else None
    return {
        "key": key,
        "at": iso(at),
        "minutes": spent,
        "verdict": verdict(spent, inject.target_minutes).value,
        "detail": detail,
        **extra,
    }


def spec(drill: Drill, key: str) -> dict[str, Any]:
    """The scenario's inject ``key`` as the run copied it ({} when missing)."""
    for entry in (drill.scenario or {}).get("injects", []):
        if isinstance(entry, dict) and entry.get("id") == key:
            return entry
    return {}


def expected_template(drill: Drill, key: str) -> str | None:
    """The phrasebook template a news inject expects the answer to use."""
    content = spec(drill, key).get("content") or {}
    book = content.get("phrasebook") if isinstance(content, dict) else None
    return book.get("template") if isinstance(book, dict) else None


def on_boards(announcement_id: int) -> dict[str, datetime | None]:
    """Each target language of an announcement and when boards first got it done (None: not)."""
    rows = db.session.scalars(
        select(Translation)
        .where(Translation.announcement_id == announcement_id)
        .order_by(Translation.revision, Translation.id)
    )
    shown: dict[str, datetime | None] = {}
    for row in rows:
        shown.setdefault(row.lang, None)
        if row.status != TranslationStatus.DONE or shown[row.lang] is not None:
            continue
        event = db.session.get(BoardEvent, row.event_seq) if row.event_seq else None
        shown[row.lang] = event.created_at if event is not None else row.created_at
    return shown


def _news(inject: DrillInject) -> list[Item]:
    answers = list(
        db.session.scalars(
            select(Announcement)
            .where(Announcement.drill_inject_id == inject.id)
            .order_by(Announcement.created_at, Announcement.id)
        )
    )
    expected = expected_template(inject.drill, inject.inject_key)
    if not answers:
        return [
            item("published", None, inject, template_expected=expected, template_used=None),
            item("on_boards", None, inject, languages={}),
        ]
    first = answers[0]
    used = any(r.template_id == expected for r in first.revisions) if expected else None
    shown = on_boards(first.id)
    langs = {
        lang: {"at": iso(at), "minutes": minutes(inject.released_at, at) if at else None}
        for lang, at in sorted(shown.items())
        if inject.released_at is not None
    }
    done = [at for at in shown.values() if at is not None]
    every = max(done) if shown and len(done) == len(shown) else None
    return [
        item(
            "published",
            first.created_at,
            inject,
            f"announcement {first.id}",
            announcement=first.id,
            template_expected=expected,
            template_used=used,
        ),
        item("on_boards", every, inject, f"{len(done)}/{len(shown)}", languages=langs),
    ]


def _reply_delivered_at(inquiry: Inquiry) -> tuple[int, datetime] | None:
    """The first reply the resident can read, and when it became readable."""
    for reply in inquiry.replies:
        if reply.status != TranslationStatus.DONE:
            continue
        reviewed = db.session.scalar(
            select(InquiryEvent.created_at).where(
                InquiryEvent.inquiry_id == inquiry.id,
                InquiryEvent.action == "reply_reviewed",
                InquiryEvent.detail == f"reply {reply.id}",
            )
        )
        settled = db.session.scalar(
            select(Outbox.processed_at).where(Outbox.ref == f"reply:{reply.id}")
        )
        # A person's text settles a reply when the machine could not; otherwise the worker did.
        return reply.id, (reviewed if reply.method == "human" and reviewed else None) or (
            settled or reply.created_at
        )
    return None


def _inquiry(inquiry_id: Any, inject: DrillInject) -> list[Item]:
    inquiry = db.session.get(Inquiry, inquiry_id) if isinstance(inquiry_id, int) else None
    if inquiry is None:
        return [item("reply_in_language", None, inject, "—"), item("first_reply", None, inject)]
    delivered = _reply_delivered_at(inquiry)
    first = inquiry.replies[0] if inquiry.replies else None
    return [
        item(
            "reply_in_language",
            delivered[1] if delivered else None,
            inject,
            f"inquiry {inquiry.id} ({inquiry.lang})",
            inquiry=inquiry.id,
            lang=inquiry.lang,
        ),
        item("first_reply", first.created_at if first else None, inject, f"inquiry {inquiry.id}"),
    ]


def _need_addressed_at(need: Need) -> datetime | None:
    for event in need.history:
        if event.action in ADDRESSED:
            return event.created_at
    return need.updated_at if need.status in ADDRESSED else None


def _shelter_report(created: dict[str, Any], inject: DrillInject) -> list[Item]:
    ids = [n for n in created.get("needs", []) if isinstance(n, int)]
    needs = [n for n in (db.session.get(Need, i) for i in ids) if n is not None]
    times = {n.id: _need_addressed_at(n) for n in needs}
    done = [at for at in times.values() if at is not None]
    every = max(done) if needs and len(done) == len(needs) else None
    per_need = {str(i): iso(at) for i, at in times.items()}
    return [item("needs_addressed", every, inject, f"{len(done)}/{len(ids)}", needs=per_need)]


def _phase_change(created: dict[str, Any], inject: DrillInject) -> list[Item]:
    change_id = created.get("phase_change")
    if isinstance(change_id, int):
        change = db.session.get(PhaseChange, change_id)
        at = change.created_at if change is not None else None
        return [item("phase_decided", at, inject, "accepted", decision="accepted")]
    proposal = str(created.get("proposal", "pending"))
    decided = created.get("decided_at")
    at = datetime.fromisoformat(decided) if proposal == "declined" and decided else None
    return [item("phase_decided", at, inject, proposal, decision=proposal)]


def _translation_request(request_id: Any, inject: DrillInject) -> list[Item]:
    req = db.session.get(TranslationRequest, request_id) if isinstance(request_id, int) else None
    pieces = req.pieces if req is not None else []
    done = {p.lang: p.delivered_at for p in pieces if p.delivered_at is not None}
    every = max(done.values()) if pieces and len(done) == len(pieces) else None
    langs = {
        p.lang: {
            "at": iso(p.delivered_at),
            "minutes": minutes(inject.released_at, p.delivered_at)
            if p.delivered_at and inject.released_at
            else None,
        }
        for p in pieces
    }
    return [item("delivered", every, inject, f"{len(done)}/{len(pieces)}", languages=langs)]


MEASURERS: dict[str, Callable[[DrillInject], list[Item]]] = {
    InjectKind.NEWS: _news,
    InjectKind.INQUIRY: lambda i: _inquiry(i.created.get("inquiry"), i),
    InjectKind.SHELTER_REPORT: lambda i: _shelter_report(i.created or {}, i),
    InjectKind.PHASE_CHANGE: lambda i: _phase_change(i.created or {}, i),
    InjectKind.TRANSLATION_REQUEST: lambda i: _translation_request(
        i.created.get("translation_request"), i
    ),
}


def measure(inject: DrillInject) -> dict[str, Any]:
    """What was done in answer to one inject, and how it stands against its target."""
    result: dict[str, Any] = {
        "inject": inject.inject_key,
        "kind": inject.kind,
        "status": inject.status,
        "released_at": iso(inject.released_at),
        "released_by": inject.released_by,
        "lateness_seconds": inject.lateness_seconds,
        "target_minutes": inject.target_minutes,
        "items": [],
        "verdict": Verdict.NOT_RELEASED.value,
    }
    if inject.released_at is None:
        return result
    measurer = MEASURERS.get(inject.kind)
    items = measurer(inject) if measurer else []
    result["items"] = items
    result["verdict"] = items[0]["verdict"] if items else Verdict.NOT_DONE.value
    return result


def _summary(lang: str, spent: list[float]) -> dict[str, Any]:
    return {
        "lang": lang,
        "count": len(spent),
        "median": round(statistics.median(spent), 1),
        "max": max(spent),
    }


def language_times(drill: Drill) -> list[dict[str, Any]]:
    """Per language, median and max minutes from release (or publication) to boards."""
    released = {i.id: i.released_at for i in drill.injects}
    spent: dict[str, list[float]] = {}
    announcements = db.session.scalars(
        select(Announcement).where(Announcement.drill_id == drill.id).order_by(Announcement.id)
    )
    for ann in announcements:
        start = released.get(ann.drill_inject_id or 0) or ann.created_at
        for lang, at in on_boards(ann.id).items():
            if at is not None:
                spent.setdefault(lang, []).append(minutes(start, at))
    return [_summary(lang, values) for lang, values in sorted(spent.items())]


def compute(drill: Drill) -> dict[str, Any]:
    """Every inject's measures and the per-language times, as they stand now."""
    return {
        "injects": {i.inject_key: measure(i) for i in drill.injects},
        "languages": language_times(drill),
    }


def snapshot(drill: Drill) -> None:
    """Keep the measures on the drill (call at finish and before reset); the caller commits."""
    if drill.reset_at is not None:
        return  # measured after the reset there is nothing left: keep what was taken before
    drill.measures = compute(drill)
    drill.measured_at = utcnow()


def current(drill: Drill) -> tuple[dict[str, Any], datetime | None]:
    """The measures to show: live, or once the drill's data is reset, the kept snapshot."""
    if drill.reset_at is not None and drill.measures:
        return drill.measures, drill.measured_at
    return compute(drill), None


def released(injects: Iterable[DrillInject]) -> list[DrillInject]:
    """The injects that were released, in scenario order."""
    return [i for i in injects if i.released_at is not None]
