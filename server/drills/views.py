"""The JSON shape of a drill run and its injects (API and the console's live table)."""

from __future__ import annotations

from typing import Any

from server.drills import runner
from server.drills.models import Drill, DrillInject


def inject_json(inject: DrillInject) -> dict[str, Any]:
    """One inject of a run: when it was due, when released, what it made."""
    return {
        "id": inject.id,
        "key": inject.inject_key,
        "position": inject.position,
        "kind": inject.kind,
        "offset_minutes": inject.offset_minutes,
        "target_minutes": inject.target_minutes,
        "due_at": inject.due_at.isoformat(),
        "status": inject.status,
        "released_at": inject.released_at.isoformat() if inject.released_at else None,
        "released_by": inject.released_by,
        "lateness_seconds": inject.lateness_seconds,
        "created": inject.created,
    }


def drill_json(drill: Drill, injects: bool = True) -> dict[str, Any]:
    """A run: its clock, its phase and (by default) its injects."""
    out: dict[str, Any] = {
        "id": drill.id,
        "scenario_id": drill.scenario_id,
        "title": drill.title,
        "status": drill.status,
        "speed": drill.speed,
        "phase": drill.phase,
        "started_at": drill.started_at.isoformat(),
        "paused_at": drill.paused_at.isoformat() if drill.paused_at else None,
        "finished_at": drill.finished_at.isoformat() if drill.finished_at else None,
        "reset_at": drill.reset_at.isoformat() if drill.reset_at else None,
        "scenario_minutes": round(runner.scenario_minutes(drill), 2),
    }
    if injects:
        out["injects"] = [inject_json(i) for i in drill.injects]
    return out
