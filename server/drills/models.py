"""Tables of the drill domain (imported by the migrations' env so Alembic sees them).

A run copies its scenario (bundled or uploaded) into ``drills.scenario`` so a later edit of the
file cannot change a drill that already ran. Each inject becomes a ``drill_injects`` row with
the wall-clock time it is due; a ticker releases due rows, claiming each with a conditional
update so it is released exactly once whoever runs the ticker. Rows the injects (and the
participants answering them) create elsewhere carry ``drill_id``; reset deletes exactly those.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.core.extensions import db
from server.models import UTCDateTime, utcnow


class Drill(db.Model):  # type: ignore[name-defined,misc]
    """One run of a scenario: its clock (speed, pauses), its own phase, its lessons."""

    __tablename__ = "drills"

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    scenario: Mapped[dict[str, Any]] = mapped_column(JSON)  # the scenario as it was run
    status: Mapped[str] = mapped_column(String(16), default="running", index=True)  # DrillStatus
    speed: Mapped[float] = mapped_column(Float, default=1.0)  # scenario minutes per real minute
    phase: Mapped[str] = mapped_column(String(16))  # the drill's phase, never the center's
    controller_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Wall-clock seconds spent paused (finished pauses): the scenario clock stood still.
    paused_seconds: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reset_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    strengths: Mapped[str] = mapped_column(Text, default="")  # for the after-action report
    improvements: Mapped[str] = mapped_column(Text, default="")
    # The measures as they stood when the run finished or was reset (evaluation.snapshot):
    # a reset deletes the rows they are computed from, and the report must still say them.
    measures: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    measured_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    injects: Mapped[list[DrillInject]] = relationship(
        back_populates="drill", order_by="DrillInject.position"
    )


class DrillInject(db.Model):  # type: ignore[name-defined,misc]
    """One inject of a run: due at ``due_at``, released once, what it created, what answered it."""

    __tablename__ = "drill_injects"
    __table_args__ = (UniqueConstraint("drill_id", "inject_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id"), index=True)
    inject_key: Mapped[str] = mapped_column(String(64))  # the scenario's inject id
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))  # InjectKind
    offset_minutes: Mapped[int] = mapped_column(Integer)
    target_minutes: Mapped[int] = mapped_column(Integer)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    status: Mapped[str] = mapped_column(String(16), default="scheduled", index=True)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    released_by: Mapped[str | None] = mapped_column(String(16))  # "schedule" | "controller"
    lateness_seconds: Mapped[float | None] = mapped_column(Float)  # negative: early
    created: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # {"inquiry": 12, …}

    drill: Mapped[Drill] = relationship(back_populates="injects")
    evaluations: Mapped[list[DrillEvaluation]] = relationship(order_by="DrillEvaluation.id")


class DrillEvaluation(db.Model):  # type: ignore[name-defined,misc]
    """An evaluator's rating of an inject; append-only, the newest per evaluator counts."""

    __tablename__ = "drill_evaluations"

    id: Mapped[int] = mapped_column(primary_key=True)
    inject_id: Mapped[int] = mapped_column(ForeignKey("drill_injects.id"), index=True)
    evaluator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    rating: Mapped[str] = mapped_column(String(16))  # Rating
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DrillImprovement(db.Model):  # type: ignore[name-defined,misc]
    """A row of the improvement plan (IP): issue, corrective action, owner, due date."""

    __tablename__ = "drill_improvements"

    id: Mapped[int] = mapped_column(primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id"), index=True)
    issue: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
