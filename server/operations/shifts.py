"""Shifts and handover (引き継ぎ): who is on duty, and the note the next shift acknowledges."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import select

from server.core import clock, validation
from server.core.errors import ApiError
from server.core.extensions import db
from server.models import User, utcnow
from server.operations import activity, now
from server.operations.models import Handover, Shift
from server.operations.words import ActivityKind

MAX_NOTE = 5000
MAX_PEOPLE = 100


def parse_time(value: str | None, field: str) -> datetime:
    """Read an ISO 8601 time; one without a zone is the center's local time."""
    if not value or not value.strip():
        raise validation.bad(field, f"'{field}' is required", "required")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise validation.bad(field, f"'{field}' must be a time like 2026-11-21T18:00") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=clock.center_tz())
    return parsed.astimezone(UTC)


def _names(values: Iterable[str], field: str) -> list[str]:
    names = [v.strip()[:120] for v in values if v and v.strip()]
    if len(names) > MAX_PEOPLE:
        raise validation.bad(field, f"at most {MAX_PEOPLE} people per shift")
    return names


def create(
    label: str | None,
    starts_at: datetime,
    ends_at: datetime,
    staff: Iterable[str],
    volunteers: Iterable[str],
    user: User,
) -> Shift:
    """Plan a shift and who works in it."""
    label = (label or "").strip()[:120]
    if not label:
        raise validation.bad("label", "a shift needs a name, like 12/3 夜勤", "required")
    if ends_at <= starts_at:
        raise validation.bad("ends_at", "a shift must end after it starts")
    shift = Shift(
        label=label,
        starts_at=starts_at,
        ends_at=ends_at,
        staff=_names(staff, "staff"),
        volunteers=_names(volunteers, "volunteers"),
        created_by=user.id,
    )
    db.session.add(shift)
    db.session.flush()
    activity.record(
        ActivityKind.SHIFT_CREATED,
        f"shift {shift.id} {label}: {len(shift.staff)} staff, {len(shift.volunteers)} volunteers",
        user=user,
        ref=f"shift:{shift.id}",
    )
    db.session.commit()
    return shift


def on_duty(at: datetime | None = None) -> list[Shift]:
    """The shifts running at a moment (now by default)."""
    moment = at or utcnow()
    return list(
        db.session.scalars(
            select(Shift)
            .where(Shift.starts_at <= moment, Shift.ends_at > moment)
            .order_by(Shift.starts_at)
        )
    )


def recent(limit: int = 30) -> list[Shift]:
    """The latest shifts, newest first."""
    return list(db.session.scalars(select(Shift).order_by(Shift.starts_at.desc()).limit(limit)))


def handovers(shift_ids: Iterable[int]) -> dict[int, Handover]:
    """The handover of each shift that wrote one."""
    ids = list(shift_ids)
    if not ids:
        return {}
    return {
        h.shift_id: h
        for h in db.session.scalars(select(Handover).where(Handover.shift_id.in_(ids)))
    }


def write_handover(shift_id: int, note: str | None, user: User) -> Handover:
    """Leave the next shift a note; the open items of this moment are listed in it."""
    shift = db.session.get(Shift, shift_id)
    if shift is None:
        raise ApiError(404, "not_found", f"no shift with id {shift_id}", "shift_id")
    note = (note or "").strip()
    if not note:
        raise validation.bad("note", "write what the next shift needs to know", "required")
    if len(note) > MAX_NOTE:
        raise ApiError(413, "too_long", f"'note' is longer than {MAX_NOTE} characters", "note")
    if handovers([shift_id]):
        raise ApiError(409, "handover_exists", f"shift {shift_id} has a handover already")
    row = Handover(
        shift_id=shift_id,
        note=note,
        open_items=now.todo(handovers=False),
        written_by=user.id,
        written_at=utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    activity.record(
        ActivityKind.HANDOVER_WRITTEN,
        f"handover {row.id} of shift {shift_id} ({len(row.open_items)} open items)",
        user=user,
        ref=f"handover:{row.id}",
    )
    db.session.commit()
    return row


def acknowledge(handover_id: int, user: User) -> Handover:
    """The next shift confirms it has read the handover; only once."""
    row = db.session.get(Handover, handover_id)
    if row is None:
        raise ApiError(404, "not_found", f"no handover with id {handover_id}", "handover_id")
    if row.acknowledged_at is not None:
        raise ApiError(
            409,
            "already_acknowledged",
            f"handover {handover_id} was acknowledged at {row.acknowledged_at.isoformat()}",
        )
    row.acknowledged_by = user.id
    row.acknowledged_at = utcnow()
    activity.record(
        ActivityKind.HANDOVER_ACKNOWLEDGED,
        f"handover {row.id} of shift {row.shift_id} acknowledged",
        user=user,
        ref=f"handover:{row.id}",
    )
    db.session.commit()
    return row
