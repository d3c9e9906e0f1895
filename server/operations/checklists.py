"""Checklists per phase: the manual's items plus the center's own, ticked by people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from manuals import loader
from manuals.records import Text
from server.core import validation
from server.core.errors import ApiError
from server.core.extensions import db
from server.models import User, utcnow
from server.operations import activity, phases
from server.operations.models import ChecklistMark, CustomChecklistItem
from server.operations.words import ActivityKind, MarkState

CUSTOM = "custom."
MAX_TEXT = 2000


@dataclass
class Item:
    """A checklist item with its state in this center."""

    id: str
    phase: str
    text: Text
    team: str
    custom: bool
    due_hours: int | None = None
    every_hours: int | None = None
    mark: ChecklistMark | None = None

    @property
    def open(self) -> bool:
        return self.mark is None


def team_ids() -> list[str]:
    """Return the ids of the center's teams."""
    return [t["id"] for t in loader.load_teams()]


def marks_of(activation_id: int | None) -> dict[str, ChecklistMark]:
    """The marks made in one activation (None: before the center was first activated)."""
    column = ChecklistMark.activation_id
    where = column.is_(None) if activation_id is None else column == activation_id
    return {m.item_id: m for m in db.session.scalars(select(ChecklistMark).where(where))}


def _current_activation() -> int | None:
    row = phases.activation()
    return row.id if row is not None else None


def items(phase: str) -> list[Item]:
    """The manual's items of a phase, then the center's own, each with its mark now."""
    return items_in(phase, _current_activation())


def items_in(phase: str, activation_id: int | None) -> list[Item]:
    """The items of a phase, each with its mark in one activation."""
    marks = marks_of(activation_id)
    out = [
        Item(
            id=c["id"],
            phase=phase,
            text=c["text"],
            team=c["team"],
            custom=False,
            due_hours=c.get("due_hours"),
            every_hours=c.get("every_hours"),
            mark=marks.get(c["id"]),
        )
        for c in loader.checklist(phase)
    ]
    custom = db.session.scalars(
        select(CustomChecklistItem)
        .where(CustomChecklistItem.phase == phase)
        .order_by(CustomChecklistItem.id)
    )
    for row in custom:
        item_id = f"{CUSTOM}{row.id}"
        out.append(
            Item(
                id=item_id,
                phase=phase,
                text={"ja": row.text, "en": row.text},
                team=row.team,
                custom=True,
                mark=marks.get(item_id),
            )
        )
    return out


def open_items(phase: str) -> list[Item]:
    """The items of a phase nobody has ticked or set aside yet."""
    return [i for i in items(phase) if i.open]


def due_at(item: Item, phase_started: datetime | None) -> datetime | None:
    """When an item with a deadline should be done, counted from the start of its phase."""
    if item.due_hours is None or phase_started is None:
        return None
    return phase_started + timedelta(hours=item.due_hours)


def find(item_id: str) -> Item:
    """Return one item of any phase, or a clear 404."""
    for phase in phases.phase_ids():
        for item in items(phase):
            if item.id == item_id:
                return item
    raise ApiError(404, "unknown_item", f"no checklist item {item_id!r}", "item_id")


def mark(
    item_id: str,
    state: str,
    user: User,
    *,
    note: str | None = None,
    reason: str | None = None,
) -> ChecklistMark:
    """Tick an item done, or set it aside as not applicable (which needs a reason)."""
    item = find(item_id)
    if state not in (MarkState.DONE, MarkState.NOT_APPLICABLE):
        raise validation.bad("state", "'state' must be done or not_applicable")
    note = (note or "").strip()[:MAX_TEXT] or None
    reason = (reason or "").strip()[:MAX_TEXT] or None
    if state == MarkState.NOT_APPLICABLE and not reason:
        raise validation.bad("reason", "say why the item does not apply", "required")
    if item.mark is not None:
        raise ApiError(409, "already_marked", f"{item_id} is already {item.mark.state}", "item_id")
    row = ChecklistMark(
        activation_id=_current_activation(),
        item_id=item.id,
        phase=item.phase,
        state=state,
        note=note,
        reason=reason if state == MarkState.NOT_APPLICABLE else None,
        user_id=user.id,
        marked_at=utcnow(),
    )
    db.session.add(row)
    if state == MarkState.DONE:
        kind, detail = ActivityKind.CHECKLIST_DONE, f" — {note}" if note else ""
    else:
        kind, detail = ActivityKind.CHECKLIST_NOT_APPLICABLE, f" — {reason}"
    activity.record(
        kind, f"{item.id}: {item.text['ja']}{detail}", user=user, team=item.team, ref=_ref(item)
    )
    db.session.commit()
    return row


def reopen(item_id: str, user: User, reason: str | None) -> None:
    """Open a ticked item again (the tick stays in the activity log)."""
    item = find(item_id)
    if item.mark is None:
        raise ApiError(409, "not_marked", f"{item_id} is open already", "item_id")
    reason = (reason or "").strip()[:MAX_TEXT]
    if not reason:
        raise validation.bad("reason", "say why the item is open again", "required")
    db.session.delete(item.mark)
    activity.record(
        ActivityKind.CHECKLIST_REOPENED,
        f"{item.id}: {reason}",
        user=user,
        team=item.team,
        ref=_ref(item),
    )
    db.session.commit()


def add(phase: str, text: str | None, team: str | None, user: User) -> Item:
    """Add a center's own item to a phase's checklist."""
    if phase not in phases.phase_ids():
        raise validation.bad("phase", f"'phase' must be one of {', '.join(phases.phase_ids())}")
    text = (text or "").strip()
    if not text:
        raise validation.bad("text", "an item needs a text", "required")
    if len(text) > MAX_TEXT:
        raise ApiError(413, "too_long", f"'text' is longer than {MAX_TEXT} characters", "text")
    if team not in team_ids():
        raise validation.bad("team", f"'team' must be one of {', '.join(team_ids())}")
    row = CustomChecklistItem(phase=phase, text=text, team=team, created_by=user.id)
    db.session.add(row)
    db.session.flush()
    item = Item(
        id=f"{CUSTOM}{row.id}",
        phase=phase,
        text={"ja": text, "en": text},
        team=team,
        custom=True,
    )
    activity.record(
        ActivityKind.CHECKLIST_ITEM_ADDED,
        f"{item.id} ({phase}): {text}",
        user=user,
        team=team,
        ref=_ref(item),
    )
    db.session.commit()
    return item


def _ref(item: Item) -> str:
    return f"checklist:{item.id}"
