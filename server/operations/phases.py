"""The center's phase (standby → activated → operating → closing → closed), from the manual."""

from __future__ import annotations

from sqlalchemy import select

from manuals import loader
from manuals.records import Phase
from server.core import validation
from server.core.errors import ApiError
from server.core.extensions import db
from server.models import User
from server.operations import activity
from server.operations.models import PhaseChange
from server.operations.words import ActivityKind
from server.words import DIRECTORS

FIRST = "standby"
MAX_REASON = 2000


def phase_ids() -> list[str]:
    """Return the phases in the manual's order."""
    return [p["id"] for p in loader.load_phases()]


def last_change() -> PhaseChange | None:
    """Return the latest phase change, if the center ever left standby."""
    # A drill's phase changes carry its id; they never move the center.
    return db.session.scalar(
        select(PhaseChange)
        .where(PhaseChange.drill_id.is_(None))
        .order_by(PhaseChange.id.desc())
        .limit(1)
    )


def current() -> str:
    """Return the id of the phase the center is in now."""
    change = last_change()
    return change.to_phase if change is not None else FIRST


def current_phase() -> Phase:
    """Return the manual's record of the current phase."""
    return loader.get_phase(current())


def is_active(phase: str) -> bool:
    """Tell whether a phase is one of the center's working phases (not standby or closed)."""
    return loader.get_phase(phase)["active"]


def is_activation(row: PhaseChange) -> bool:
    """Tell whether a change opened the center (from standby or closed into a working phase)."""
    return row.drill_id is None and not is_active(row.from_phase) and is_active(row.to_phase)


def activations() -> list[PhaseChange]:
    """The real (not drill) changes that opened the center, oldest first."""
    rows = db.session.scalars(
        select(PhaseChange).where(PhaseChange.drill_id.is_(None)).order_by(PhaseChange.id)
    )
    return [row for row in rows if is_activation(row)]


def activation() -> PhaseChange | None:
    """The latest activation: checklist marks made now belong to it (None before the first)."""
    found = activations()
    return found[-1] if found else None


def history() -> list[PhaseChange]:
    """Every phase change, oldest first."""
    return list(
        db.session.scalars(
            select(PhaseChange).where(PhaseChange.drill_id.is_(None)).order_by(PhaseChange.id)
        )
    )


def change(to_phase: str, reason: str | None, user: User, *, force: bool = False) -> PhaseChange:
    """Move the center to another phase; only a director or an admin may, and with a reason."""
    if user.role not in DIRECTORS:
        raise ApiError(
            403, "forbidden", "only the center director (or an admin) may change the phase"
        )
    if to_phase not in phase_ids():
        raise validation.bad("phase", f"'phase' must be one of {', '.join(phase_ids())}")
    reason = (reason or "").strip()
    if not reason:
        raise validation.bad("reason", "a phase change needs a reason", "required")
    if len(reason) > MAX_REASON:
        raise ApiError(413, "too_long", f"'reason' is longer than {MAX_REASON} chars", "reason")
    now = current()
    if to_phase == now:
        raise ApiError(409, "same_phase", f"the center is already in the phase {now}", "phase")
    allowed = loader.next_phases(now)
    if to_phase not in allowed and not force:
        raise ApiError(
            409,
            "skips_phase",
            f"from {now} the center moves to {' or '.join(allowed) or 'no other phase'}; "
            f"to go to {to_phase}, force the change (the reason is recorded)",
            "phase",
        )
    row = PhaseChange(
        from_phase=now,
        to_phase=to_phase,
        reason=reason,
        forced=to_phase not in allowed,
        user_id=user.id,
    )
    db.session.add(row)
    forced = " (forced)" if row.forced else ""
    activity.record(
        ActivityKind.PHASE_CHANGED,
        f"{now} → {to_phase}{forced}: {reason}",
        user=user,
        ref=f"phase:{to_phase}",
    )
    db.session.commit()
    return row
