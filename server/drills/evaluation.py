"""Evaluators rate injects; evaluators and directors write the lessons and the improvement plan.

Ratings are append-only: a second rating by the same evaluator is a new row, and the newest
per evaluator counts. Each change also goes into the activity log, marked with the drill's id
(so the log keeps drill and real apart, and a reset takes the lines with it; the ratings stay).
Bad input raises ``ApiError`` before anything is added to the session.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from server.core import validation
from server.core.errors import ApiError
from server.core.extensions import db
from server.drills.models import Drill, DrillEvaluation, DrillImprovement, DrillInject
from server.drills.words import Rating
from server.models import User
from server.operations import activity
from server.operations.words import ActivityKind

MAX_NOTE = 2000
MAX_LESSONS = 8000
MAX_IP_TEXT = 1000
MAX_OWNER = 200
MAX_DUE_YEARS = 5  # a due date further away is a typing slip, not a plan


def get_drill(drill_id: int) -> Drill:
    """The drill, or a 404 in the one error shape."""
    drill = db.session.get(Drill, drill_id)
    if drill is None:
        raise ApiError(404, "unknown_drill", f"no drill with id {drill_id}", "drill_id")
    return drill


def get_inject(drill: Drill, key: str) -> DrillInject:
    """The drill's inject ``key``; an inject of another drill is unknown here."""
    for inject in drill.injects:
        if inject.inject_key == key:
            return inject
    raise ApiError(404, "unknown_inject", f"drill {drill.id} has no inject {key!r}", "inject")


def _log(drill: Drill, summary: str, user: User | None) -> None:
    entry = activity.record(ActivityKind.DRILL_EVALUATED, summary, user=user)
    entry.drill_id = drill.id


def rate(drill: Drill, key: str, data: Mapping[str, Any], user: User) -> DrillEvaluation:
    """Record a rating of a released inject (met / partly / not met) with a note; commit."""
    inject = get_inject(drill, key)
    if not any(i.released_at is not None for i in drill.injects):
        raise ApiError(409, "drill_not_started", "this drill was never started: nothing to rate")
    if inject.released_at is None:
        raise ApiError(409, "not_released", f"inject {key} was not released", "inject")
    rating = data.get("rating")
    if rating not in tuple(Rating):
        raise validation.bad("rating", f"'rating' must be one of {', '.join(Rating)}")
    note = validation.text(data, "note", max_chars=MAX_NOTE) or ""
    row = DrillEvaluation(inject_id=inject.id, evaluator_id=user.id, rating=rating, note=note)
    db.session.add(row)
    _log(drill, f"drill {drill.id} inject {key} rated {rating}", user)
    db.session.commit()
    return row


def history(inject: DrillInject) -> list[DrillEvaluation]:
    """Every rating of an inject, newest first."""
    return sorted(inject.evaluations, key=lambda e: e.id, reverse=True)


def current(inject: DrillInject) -> list[DrillEvaluation]:
    """The rating that counts for each evaluator: their newest."""
    newest: dict[int | None, DrillEvaluation] = {}
    for row in inject.evaluations:
        newest[row.evaluator_id] = row
    return sorted(newest.values(), key=lambda e: e.id)


def set_lessons(drill: Drill, data: Mapping[str, Any], user: User) -> None:
    """Replace the report's strengths and areas to improve; commit."""
    strengths = validation.text(data, "strengths", max_chars=MAX_LESSONS) or ""
    improvements = validation.text(data, "improvements", max_chars=MAX_LESSONS) or ""
    drill.strengths, drill.improvements = strengths, improvements
    _log(drill, f"drill {drill.id} strengths and areas to improve written", user)
    db.session.commit()


def parse_due(value: Any, drill: Drill) -> date:
    """A due date: YYYY-MM-DD, not before the drill began, within a few years of it."""
    if not isinstance(value, str) or not value.strip():
        raise validation.bad("due_date", "'due_date' is required (YYYY-MM-DD)", "required")
    try:
        due = date.fromisoformat(value.strip())
    except ValueError:
        raise validation.bad("due_date", "'due_date' must be a date like 2027-03-31") from None
    start = drill.started_at.date()
    if due < start:
        raise validation.bad("due_date", f"'due_date' is before the drill ({start.isoformat()})")
    if due > start + timedelta(days=366 * MAX_DUE_YEARS):
        raise validation.bad("due_date", f"'due_date' is more than {MAX_DUE_YEARS} years away")
    return due


def add_improvement(drill: Drill, data: Mapping[str, Any], user: User) -> DrillImprovement:
    """Add a row to the improvement plan; commit."""
    issue = validation.text(data, "issue", required=True, max_chars=MAX_IP_TEXT)
    action = validation.text(data, "action", required=True, max_chars=MAX_IP_TEXT)
    owner = validation.text(data, "owner", required=True, max_chars=MAX_OWNER)
    due = parse_due(data.get("due_date"), drill)
    row = DrillImprovement(
        drill_id=drill.id, issue=issue, action=action, owner=owner, due_date=due, created_by=user.id
    )
    db.session.add(row)
    db.session.flush()
    _log(drill, f"drill {drill.id} improvement plan row {row.id} added", user)
    db.session.commit()
    return row


def remove_improvement(drill: Drill, row_id: int, user: User) -> None:
    """Remove a row of the improvement plan; commit."""
    row = db.session.get(DrillImprovement, row_id)
    if row is None or row.drill_id != drill.id:
        raise ApiError(404, "unknown_improvement", f"no plan row {row_id} in this drill", "id")
    db.session.delete(row)
    _log(drill, f"drill {drill.id} improvement plan row {row_id} removed", user)
    db.session.commit()


def improvements(drill: Drill) -> list[DrillImprovement]:
    """The improvement plan, soonest due first."""
    return list(
        db.session.scalars(
            select(DrillImprovement)
            .where(DrillImprovement.drill_id == drill.id)
            .order_by(DrillImprovement.due_date, DrillImprovement.id)
        )
    )
