"""Trigger suggestions: a published announcement that meets an entry criterion of the manual.

When an announcement made from a trigger template (a phrasebook template tagged with the
criterion it meets, e.g. a major tsunami warning) is published while the center is not
active, directors are asked to consider activating it. Only a suggestion: the phase changes
when a person changes it. It lasts until the phase changes or a director dismisses it (the
dismissal goes into the activity log). Drill announcements never suggest anything.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from manuals import loader
from server.core.errors import ApiError
from server.core.extensions import db
from server.models import Announcement, AnnouncementRevision, User
from server.operations import activity, phases
from server.operations.models import ActivityEntry
from server.operations.words import ActivityKind
from server.words import DIRECTORS, AnnouncementStatus
from translations import phrasebook


def _criteria() -> dict[str, dict[str, str]]:
    return {
        c["id"]: {"ja": c["text"]["ja"], "en": c["text"]["en"]}
        for p in loader.load_phases()
        for c in p["entry_criteria"]
    }


def suggestions() -> list[dict[str, Any]]:
    """Trigger announcements since the last phase change that nobody has dismissed."""
    if phases.is_active(phases.current()):
        return []
    tags = phrasebook.triggers()
    last = phases.last_change()
    query = (
        select(AnnouncementRevision.announcement_id, AnnouncementRevision.template_id)
        .join(Announcement, Announcement.id == AnnouncementRevision.announcement_id)
        .where(
            AnnouncementRevision.template_id.in_(list(tags)),
            Announcement.status == AnnouncementStatus.ACTIVE,
            Announcement.drill.is_(False),
            Announcement.drill_id.is_(None),
        )
        .order_by(AnnouncementRevision.id)
    )
    dismissed = select(ActivityEntry.ref).where(
        ActivityEntry.kind == ActivityKind.TRIGGER_DISMISSED
    )
    if last is not None:
        query = query.where(AnnouncementRevision.created_at >= last.created_at)
        dismissed = dismissed.where(ActivityEntry.created_at >= last.created_at)
    gone = set(db.session.scalars(dismissed))
    criteria = _criteria()
    out: dict[int, dict[str, Any]] = {}
    for announcement_id, template_id in db.session.execute(query):
        if f"announcement:{announcement_id}" in gone or announcement_id in out:
            continue
        criterion = tags[str(template_id)]
        out[announcement_id] = {
            "kind": "trigger",
            "announcement_id": announcement_id,
            "template_id": template_id,
            "criterion": criterion,
            "criterion_text": criteria.get(criterion, {"ja": criterion, "en": criterion}),
        }
    return list(out.values())


def dismiss(announcement_id: int, user: User, reason: str | None = None) -> None:
    """A director sets a suggestion aside; the activity log keeps who and why."""
    if user.role not in DIRECTORS:
        raise ApiError(
            403, "forbidden", "only the center director (or an admin) may dismiss a suggestion"
        )
    if not any(s["announcement_id"] == announcement_id for s in suggestions()):
        raise ApiError(
            404,
            "no_suggestion",
            f"announcement {announcement_id} suggests no activation now",
            "announcement_id",
        )
    why = (reason or "").strip()[:400]
    activity.record(
        ActivityKind.TRIGGER_DISMISSED,
        f"activation suggested by announcement {announcement_id} dismissed"
        + (f": {why}" if why else ""),
        user=user,
        ref=f"announcement:{announcement_id}",
    )
    db.session.commit()
