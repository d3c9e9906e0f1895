"""Announcements: create, revise, retract — each one transaction, then push and dispatch."""

from __future__ import annotations

from server.announcements.drafts import Draft
from server.core import outbox
from server.core.errors import ApiError
from server.core.extensions import db
from server.core.tasks import TaskName
from server.live import events
from server.models import Announcement, AnnouncementRevision, Outbox, User, utcnow
from server.operations import activity
from server.operations.words import ActivityKind
from server.translation.store import revision_ref
from server.words import AnnouncementStatus, Method


def _apply(announcement: Announcement, draft: Draft) -> None:
    announcement.source_lang = draft.source_lang
    announcement.category = draft.category
    announcement.severity = draft.severity
    announcement.urgency = draft.urgency
    announcement.certainty = draft.certainty
    announcement.target_all = draft.shelter_ids is None
    announcement.shelter_ids = draft.shelter_ids or []
    announcement.expires_at = draft.expires_at
    announcement.drill = draft.drill
    announcement.drill_id = draft.drill_id
    announcement.drill_inject_id = draft.drill_inject_id
    announcement.updated_at = utcnow()


def _add_revision(announcement: Announcement, draft: Draft, user: User | None) -> Outbox:
    """Add the revision and its translation work to the session."""
    db.session.add(
        AnnouncementRevision(
            announcement=announcement,
            revision=announcement.revision,
            text=draft.text,
            easy_text=draft.easy_text,
            template_id=draft.template_id,
            slots=draft.slots,
            created_by=user.id if user else None,
        )
    )
    return outbox.add(
        TaskName.TRANSLATE_ANNOUNCEMENT,
        announcement.id,
        announcement.revision,
        ref=revision_ref(announcement.id, announcement.revision),
    )


def _publish(
    announcement: Announcement, draft: Draft, user: User | None, kind: str
) -> Announcement:
    """Commit the current revision with its translation work and its source-language event."""
    work = _add_revision(announcement, draft, user)
    event = events.record(
        kind,
        announcement,
        revision=announcement.revision,
        lang=draft.source_lang,
        method=Method.HUMAN,
        reviewed=True,
        text=draft.text,
    )
    first = kind == events.PUBLISHED
    activity.record(
        ActivityKind.ANNOUNCEMENT_PUBLISHED if first else ActivityKind.ANNOUNCEMENT_REVISED,
        f"announcement {announcement.id} ({draft.category}, {draft.severity})"
        if first
        else f"announcement {announcement.id} revision {announcement.revision}",
        user=user,
        lang=draft.source_lang,
        ref=f"announcement:{announcement.id}",
        drill_id=announcement.drill_id,
    )
    db.session.commit()
    events.push([event])
    outbox.dispatch([work])
    return announcement


def create(draft: Draft, user: User | None) -> Announcement:
    """Store a new announcement, its first revision, its outbox row and its published event."""
    announcement = Announcement(
        revision=1, status=AnnouncementStatus.ACTIVE, created_by=user.id if user else None
    )
    _apply(announcement, draft)
    db.session.add(announcement)
    db.session.flush()
    return _publish(announcement, draft, user, events.PUBLISHED)


def revise(announcement: Announcement, draft: Draft, user: User | None) -> Announcement:
    """Make a new revision that boards show in place of the old one."""
    if announcement.status != AnnouncementStatus.ACTIVE:
        raise ApiError(409, "retracted", "a retracted announcement cannot be updated")
    _apply(announcement, draft)
    announcement.revision += 1
    return _publish(announcement, draft, user, events.UPDATED)


def retract(announcement: Announcement, user: User | None = None) -> Announcement:
    """Withdraw an announcement; boards remove it."""
    if announcement.status != AnnouncementStatus.ACTIVE:
        raise ApiError(409, "retracted", "the announcement is already retracted")
    announcement.status = AnnouncementStatus.RETRACTED
    announcement.retracted_at = utcnow()
    announcement.updated_at = utcnow()
    event = events.record(
        events.RETRACTED,
        announcement,
        revision=announcement.revision,
        lang=None,
        status=AnnouncementStatus.RETRACTED,
    )
    activity.record(
        ActivityKind.ANNOUNCEMENT_RETRACTED,
        f"announcement {announcement.id} retracted",
        user=user,
        lang=announcement.source_lang,
        ref=f"announcement:{announcement.id}",
        drill_id=announcement.drill_id,
    )
    db.session.commit()
    events.push([event])
    return announcement
