"""Tables of the operations domain (imported by the migrations' env so Alembic sees them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from server.core.extensions import db
from server.models import UTCDateTime, utcnow


class PhaseChange(db.Model):  # type: ignore[name-defined,misc]
    """One move of the center from a phase to another; the last row is the current phase."""

    __tablename__ = "center_phase_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    from_phase: Mapped[str] = mapped_column(String(16))
    to_phase: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    forced: Mapped[bool] = mapped_column(Boolean, default=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # Set on everything a drill made; a drill's reset deletes exactly these rows.
    drill_id: Mapped[int | None] = mapped_column(ForeignKey("drills.id"), index=True)


class CustomChecklistItem(db.Model):  # type: ignore[name-defined,misc]
    """A task a center adds to a phase's checklist on top of the manual's."""

    __tablename__ = "checklist_custom_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    phase: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    team: Mapped[str] = mapped_column(String(32))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ChecklistMark(db.Model):  # type: ignore[name-defined,misc]
    """An item ticked done or marked not applicable in one activation; no row means open."""

    __tablename__ = "checklist_marks"
    __table_args__ = (
        UniqueConstraint("activation_id", "item_id", name="uq_checklist_marks_activation_item"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The phase change that activated the center; None before its first activation. A new
    # activation starts every checklist afresh, and the old marks stay with their activation.
    activation_id: Mapped[int | None] = mapped_column(
        ForeignKey("center_phase_changes.id"), index=True
    )
    item_id: Mapped[str] = mapped_column(String(80))
    phase: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))  # MarkState
    note: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)  # why it does not apply
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ClosureLessons(db.Model):  # type: ignore[name-defined,misc]
    """What the center learnt in one activation, written by staff for the closure report."""

    __tablename__ = "closure_lessons"

    id: Mapped[int] = mapped_column(primary_key=True)
    activation_id: Mapped[int] = mapped_column(ForeignKey("center_phase_changes.id"), unique=True)
    text: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ActivityEntry(db.Model):  # type: ignore[name-defined,misc]
    """One line of the activity log (活動記録). Append-only: a correction is a new entry."""

    __tablename__ = "activity_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)  # ActivityKind
    team: Mapped[str | None] = mapped_column(String(32), index=True)
    lang: Mapped[str | None] = mapped_column(String(16))
    ref: Mapped[str | None] = mapped_column(String(80))  # "announcement:7", "checklist:…"
    summary: Mapped[str] = mapped_column(Text)  # never a resident's words
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("activity_entries.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # Set on everything a drill made; a drill's reset deletes exactly these rows.
    drill_id: Mapped[int | None] = mapped_column(ForeignKey("drills.id"), index=True)


class Shift(db.Model):  # type: ignore[name-defined,misc]
    """A span of time and who is on duty in it (staff and volunteers, by name)."""

    __tablename__ = "shifts"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(120))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    staff: Mapped[list[str]] = mapped_column(JSON, default=list)
    volunteers: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Handover(db.Model):  # type: ignore[name-defined,misc]
    """The note a shift leaves for the next (引き継ぎ), with the open items at that moment."""

    __tablename__ = "handovers"

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shifts.id"), unique=True)
    note: Mapped[str] = mapped_column(Text)
    open_items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    written_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    written_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


@event.listens_for(ActivityEntry, "before_update")
@event.listens_for(ActivityEntry, "before_delete")
def _append_only(mapper: Any, connection: Any, target: ActivityEntry) -> None:
    """Refuse to edit or delete a log entry: the log is evidence of what the center did."""
    raise ValueError("activity entries are append-only; record a correction instead")
