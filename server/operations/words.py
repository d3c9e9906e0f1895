"""Words of the operations domain: what an activity entry records, a checklist item's state."""

from __future__ import annotations

from enum import StrEnum


class ActivityKind(StrEnum):
    """What happened; the activity log filters by it."""

    PHASE_CHANGED = "phase.changed"
    CHECKLIST_DONE = "checklist.done"
    CHECKLIST_NOT_APPLICABLE = "checklist.not_applicable"
    CHECKLIST_REOPENED = "checklist.reopened"
    CHECKLIST_ITEM_ADDED = "checklist.item_added"
    ANNOUNCEMENT_PUBLISHED = "announcement.published"
    ANNOUNCEMENT_REVISED = "announcement.revised"
    ANNOUNCEMENT_RETRACTED = "announcement.retracted"
    INQUIRY_CREATED = "inquiry.created"
    INQUIRY_REPLIED = "inquiry.replied"
    NEED_STATUS_CHANGED = "need.status_changed"
    REQUEST_CLAIMED = "request.claimed"
    REQUEST_SUBMITTED = "request.submitted"
    REQUEST_DELIVERED = "request.delivered"
    BOARD_ADDED = "board.added"
    BOARD_LINK_CHANGED = "board.link_changed"
    ACCOUNT_CREATED = "account.created"
    ACCOUNT_CHANGED = "account.changed"
    SHIFT_CREATED = "shift.created"
    HANDOVER_WRITTEN = "handover.written"
    HANDOVER_ACKNOWLEDGED = "handover.acknowledged"
    DRILL_EVALUATED = "drill.evaluated"  # a rating, the lessons or the improvement plan
    LESSONS_SAVED = "closure.lessons_saved"
    TRIGGER_DISMISSED = "trigger.dismissed"
    NOTE = "note"  # a decision or a contact a person writes down
    CORRECTION = "correction"  # corrects an earlier entry, which stays as it was


class MarkState(StrEnum):
    """A checklist item that is no longer open."""

    DONE = "done"
    NOT_APPLICABLE = "not_applicable"
