""" "What to do now": the open work of the center, each item pointing to where it is done.

The list is plain JSON-ready data, so a shift's handover can keep a copy of it as it was.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, func, select

from server.announcements import views
from server.core.extensions import db
from server.models import Announcement, Inquiry, InquiryReply
from server.operations import checklists, phases, triggers
from server.operations.models import Handover
from server.translation import review
from server.words import AnnouncementStatus, InquiryStatus, TranslationStatus

WAITING = (
    InquiryStatus.OPEN,
    InquiryStatus.IN_PROGRESS,
    InquiryStatus.WAITING,
    InquiryStatus.ANSWERED,
)
MAX_ANNOUNCEMENTS = 100


def open_checklist() -> list[dict[str, Any]]:
    """Open items of the current phase's checklist, with their deadline when they have one."""
    phase = phases.current()
    last = phases.last_change()
    started = last.created_at if last is not None else None
    out = []
    for item in checklists.open_items(phase):
        due = checklists.due_at(item, started)
        out.append(
            {
                "kind": "checklist",
                "item": item.id,
                "phase": phase,
                "text": dict(item.text),
                "team": item.team,
                "due_at": due.isoformat() if due is not None else None,
            }
        )
    return out


def unanswered() -> list[dict[str, Any]]:
    """Inquiries with no reply in the resident's language yet, per language, oldest first."""
    replied = exists().where(
        InquiryReply.inquiry_id == Inquiry.id, InquiryReply.status == TranslationStatus.DONE
    )
    rows = db.session.execute(
        select(Inquiry.lang, func.count(Inquiry.id), func.min(Inquiry.created_at))
        .where(Inquiry.status.in_(WAITING), Inquiry.purged_at.is_(None), ~replied)
        .group_by(Inquiry.lang)
        .order_by(func.min(Inquiry.created_at))
    )
    return [
        {"kind": "unanswered", "lang": lang, "count": count, "oldest": oldest.isoformat()}
        for lang, count, oldest in rows
    ]


def review_queue() -> list[dict[str, Any]]:
    """Machine translations waiting for a reviewer, per language."""
    counts: dict[str, int] = {}
    for translation, _announcement, _text in review.queue(limit=10_000):
        counts[translation.lang] = counts.get(translation.lang, 0) + 1
    return [{"kind": "review", "lang": lang, "count": n} for lang, n in sorted(counts.items())]


def pending_languages() -> list[dict[str, Any]]:
    """Active announcements whose current revision still lacks some languages."""
    out = []
    active = db.session.scalars(
        select(Announcement)
        .where(Announcement.status == AnnouncementStatus.ACTIVE)
        .order_by(Announcement.id)
        .limit(MAX_ANNOUNCEMENTS)
    )
    for announcement in active:
        langs = [
            row["lang"]
            for row in views.translation_status(announcement)
            if row["status"] != TranslationStatus.DONE
        ]
        if langs:
            out.append({"kind": "pending", "announcement_id": announcement.id, "langs": langs})
    return out


def unacknowledged_handovers() -> list[dict[str, Any]]:
    """Handovers the next shift has not acknowledged yet."""
    rows = db.session.scalars(
        select(Handover).where(Handover.acknowledged_at.is_(None)).order_by(Handover.id)
    )
    return [{"kind": "handover", "handover_id": h.id, "shift_id": h.shift_id} for h in rows]


def todo(*, handovers: bool = True, director: bool = False) -> list[dict[str, Any]]:
    """Everything open now, in the order a shift leader would go through it; a director also
    sees the announcements that suggest activating the center."""
    return [
        *(triggers.suggestions() if director else []),
        *(unacknowledged_handovers() if handovers else []),
        *open_checklist(),
        *unanswered(),
        *review_queue(),
        *pending_languages(),
    ]
