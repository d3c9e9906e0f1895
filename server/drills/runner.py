"""Run a drill: start a scenario, release its injects from the schedule in the database.

Every inject is a row with the wall-clock time it is due. ``release_due`` (the beat tick's
body) claims each due row with a conditional UPDATE (scheduled → released) and makes what
it makes in the same transaction: two ticks at once, or a worker killed half-way, can neither
release an inject twice nor lose one (the loser's UPDATE matches no row; a killed worker's
transaction rolls back and the next tick finds the row still scheduled).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from server.core.errors import ApiError
from server.core.extensions import db
from server.drills import clock, injects, measures
from server.drills.models import Drill, DrillInject
from server.drills.words import DrillStatus, InjectKind, InjectStatus
from server.models import User, utcnow
from server.operations import activity
from server.operations.models import PhaseChange
from server.operations.words import ActivityKind

log = logging.getLogger(__name__)
LIVE = (DrillStatus.RUNNING, DrillStatus.PAUSED)


def _parse_speed(speed: Any) -> float:
    try:
        value = float(speed)
    except (TypeError, ValueError):
        raise ApiError(400, "invalid", "'speed' must be a number", "speed") from None
    if not clock.MIN_SPEED <= value <= clock.MAX_SPEED:
        raise ApiError(
            400,
            "invalid",
            f"'speed' must be from {clock.MIN_SPEED:g} to {clock.MAX_SPEED:g}",
            "speed",
        )
    return value


def _log(drill: Drill, summary: str, user: User | None) -> None:
    activity.record(
        ActivityKind.NOTE,
        f"drill {drill.id}: {summary}",
        user=user,
        team="general_affairs",
        ref=f"drill:{drill.id}",
        drill_id=drill.id,
    )


def start(scenario: dict[str, Any], user: User | None, speed: float | str | None) -> Drill:
    """Start a run of a checked scenario; its injects fall due from now at ``speed`` (1–600)."""
    rate = _parse_speed(speed)
    now = utcnow()
    drill = Drill(
        scenario_id=scenario["id"],
        title=scenario["title"]["ja"][:200],
        scenario=scenario,
        status=DrillStatus.RUNNING,
        speed=rate,
        phase=scenario["start_phase"],
        controller_id=user.id if user else None,
        started_at=now,
        paused_seconds=0.0,
        strengths="",
        improvements="",
    )
    db.session.add(drill)
    db.session.flush()
    for position, item in enumerate(scenario["injects"]):
        db.session.add(
            DrillInject(
                drill_id=drill.id,
                inject_key=item["id"],
                position=position,
                kind=item["type"],
                offset_minutes=item["offset_minutes"],
                target_minutes=item["target_minutes"],
                due_at=clock.due_at(now, item["offset_minutes"], rate),
                status=InjectStatus.SCHEDULED,
                created={},
            )
        )
    if any(i["type"] == InjectKind.TRANSLATION_REQUEST for i in scenario["injects"]):
        injects.municipality()
    _log(drill, f"started {scenario['id']} at ×{rate:g}", user)
    db.session.commit()
    return drill


def get(drill_id: int) -> Drill:
    """Return a drill or raise a 404 ApiError."""
    drill = db.session.get(Drill, drill_id) if 0 < drill_id < 2**31 else None
    if drill is None:
        raise ApiError(404, "not_found", f"no drill with id {drill_id}")
    return drill


def inject_of(drill: Drill, key: str) -> DrillInject:
    """Return one inject of a drill by its scenario id, or raise a 404 ApiError."""
    inject: DrillInject | None = db.session.scalar(
        select(DrillInject).where(DrillInject.drill_id == drill.id, DrillInject.inject_key == key)
    )
    if inject is None:
        raise ApiError(404, "not_found", f"drill {drill.id} has no inject {key[:64]!r}")
    return inject


def _refuse(drill: Drill, allowed: tuple[str, ...], action: str) -> None:
    if drill.status not in allowed:
        raise ApiError(409, "drill_" + drill.status, f"a {drill.status} drill cannot {action}")


def pause(drill: Drill, user: User | None) -> Drill:
    """Stop the scenario clock: nothing is released until the drill resumes."""
    _refuse(drill, (DrillStatus.RUNNING,), "be paused")
    drill.status = DrillStatus.PAUSED
    drill.paused_at = utcnow()
    _log(drill, "paused", user)
    db.session.commit()
    return drill


def resume(drill: Drill, user: User | None) -> Drill:
    """Restart the clock, moving every inject still scheduled by the pause's length."""
    _refuse(drill, (DrillStatus.PAUSED,), "resume")
    now = utcnow()
    paused = now - (drill.paused_at or now)
    for inject in drill.injects:
        if inject.status == InjectStatus.SCHEDULED:
            inject.due_at = inject.due_at + paused
    drill.paused_seconds += paused.total_seconds()
    drill.paused_at = None
    drill.status = DrillStatus.RUNNING
    _log(drill, f"resumed after {paused.total_seconds():.0f} s", user)
    db.session.commit()
    return drill


def skip(inject: DrillInject, user: User | None) -> DrillInject:
    """Take a scheduled inject out of the run (recorded, never released)."""
    _refuse(inject.drill, LIVE, "skip an inject")
    claimed = db.session.execute(
        update(DrillInject)
        .where(DrillInject.id == inject.id, DrillInject.status == InjectStatus.SCHEDULED)
        .values(status=InjectStatus.SKIPPED)
    ).rowcount  # type: ignore[attr-defined]
    if claimed != 1:
        db.session.rollback()
        raise ApiError(409, "not_scheduled", f"inject {inject.inject_key} is not scheduled")
    _log(inject.drill, f"skipped {inject.inject_key}", user)
    db.session.commit()
    db.session.refresh(inject)
    return inject


def _release(inject_id: int, now: datetime, by: str) -> bool:
    """Claim one inject and make what it makes in one transaction; False if another had it."""
    inject = db.session.get(DrillInject, inject_id)
    if inject is None:
        return False
    lateness = clock.lateness_seconds(inject.due_at, now)
    claimed = db.session.execute(
        update(DrillInject)
        .where(DrillInject.id == inject_id, DrillInject.status == InjectStatus.SCHEDULED)
        .values(
            status=InjectStatus.RELEASED,
            released_at=now,
            released_by=by,
            lateness_seconds=lateness,
        )
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if claimed != 1:
        db.session.rollback()
        return False
    db.session.refresh(inject)
    try:
        injects.make(inject.drill, inject)  # commits the claim with what it made
    except Exception:
        db.session.rollback()  # the claim goes too: the next tick tries again
        raise
    return True


def fire_now(inject: DrillInject, user: User | None) -> DrillInject:
    """Release a scheduled inject at once (recorded as released by the controller)."""
    _refuse(inject.drill, LIVE, "fire an inject")
    if not _release(inject.id, utcnow(), "controller"):
        raise ApiError(409, "not_scheduled", f"inject {inject.inject_key} is not scheduled")
    _log(inject.drill, f"fired {inject.inject_key} by hand", user)
    db.session.commit()
    db.session.refresh(inject)
    return inject


def due(now: datetime) -> list[int]:
    """Ids of the injects due by ``now`` in running drills, in the order they fall due."""
    return list(
        db.session.scalars(
            select(DrillInject.id)
            .join(Drill, Drill.id == DrillInject.drill_id)
            .where(
                Drill.status == DrillStatus.RUNNING,
                DrillInject.status == InjectStatus.SCHEDULED,
                DrillInject.due_at <= now,
            )
            .order_by(DrillInject.due_at, DrillInject.drill_id, DrillInject.position)
        )
    )


def release_due(now: datetime) -> list[int]:
    """Release every due inject exactly once, in order; return the ids this call released."""
    released: list[int] = []
    stuck: set[int] = set()  # drills whose inject failed: their later ones wait their turn
    for inject_id in due(now):
        drill_id = db.session.scalar(
            select(DrillInject.drill_id).where(DrillInject.id == inject_id)
        )
        if drill_id in stuck:
            continue
        try:
            if _release(inject_id, utcnow(), "schedule"):
                released.append(inject_id)
        except Exception:
            log.exception("drill inject %s could not be released; the next tick retries", inject_id)
            if drill_id is not None:
                stuck.add(drill_id)
    return released


def decide_phase(inject: DrillInject, accept: bool, user: User | None) -> DrillInject:
    """Accept (the drill's phase changes, never the center's) or decline a phase proposal."""
    if inject.kind != InjectKind.PHASE_CHANGE or inject.created.get("proposal") != "pending":
        raise ApiError(409, "no_proposal", f"inject {inject.inject_key} has no pending proposal")
    drill = inject.drill
    _refuse(drill, LIVE, "change its phase")
    if not accept:
        inject.created = {"proposal": "declined", "decided_at": utcnow().isoformat()}
        _log(drill, f"declined the phase change of {inject.inject_key}", user)
        db.session.commit()
        return inject
    content = injects.content_of(drill, inject)
    reason = content.get("reason", {}).get("ja") or f"訓練 {inject.inject_key}"
    change = PhaseChange(
        from_phase=drill.phase,
        to_phase=content["target"],
        reason=reason,
        forced=False,
        user_id=user.id if user else None,
        drill_id=drill.id,
    )
    db.session.add(change)
    db.session.flush()
    activity.record(
        ActivityKind.PHASE_CHANGED,
        f"drill {drill.id}: {drill.phase} → {content['target']}",
        user=user,
        ref=f"drill:{drill.id}",
        drill_id=drill.id,
    )
    drill.phase = content["target"]
    inject.created = {"phase_change": change.id}
    db.session.commit()
    return inject


def finish(drill: Drill, user: User | None) -> Drill:
    """End the run; injects not yet released stay scheduled on the record, never released."""
    _refuse(drill, LIVE, "finish")
    now = utcnow()
    if drill.status == DrillStatus.PAUSED and drill.paused_at is not None:
        drill.paused_seconds += (now - drill.paused_at).total_seconds()
        drill.paused_at = None
    drill.status = DrillStatus.FINISHED
    drill.finished_at = now
    measures.snapshot(drill)  # the after-action report keeps these if the data is reset later
    _log(drill, "finished", user)
    db.session.commit()
    return drill


def scenario_minutes(drill: Drill, now: datetime | None = None) -> float:
    """Return the drill's scenario time in minutes (it stands still while paused or ended)."""
    at = drill.paused_at or drill.finished_at or drill.reset_at or now or utcnow()
    return clock.scenario_minutes(drill.started_at, at, drill.speed, drill.paused_seconds or 0.0)


def runs(limit: int = 200) -> list[Drill]:
    """Every run, newest first."""
    return list(db.session.scalars(select(Drill).order_by(Drill.id.desc()).limit(limit)))


def running() -> list[Drill]:
    """Drills running or paused now, newest first."""
    return list(
        db.session.scalars(select(Drill).where(Drill.status.in_(LIVE)).order_by(Drill.id.desc()))
    )


def incoming_news() -> list[tuple[DrillInject, dict[str, Any]]]:
    """Released news injects of live drills, newest first, with their content."""
    rows = db.session.scalars(
        select(DrillInject)
        .join(Drill, Drill.id == DrillInject.drill_id)
        .where(
            Drill.status == DrillStatus.RUNNING,
            DrillInject.kind == InjectKind.NEWS,
            DrillInject.status == InjectStatus.RELEASED,
        )
        .order_by(DrillInject.released_at.desc())
        .limit(20)
    )
    return [(i, injects.content_of(i.drill, i)) for i in rows]
