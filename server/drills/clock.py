"""The drill clock: scenario minutes run ``speed`` times faster than wall-clock minutes.

A table-top exercise at speed 60 plays an hour of scenario in a real minute. Pauses stop the
scenario clock: resuming shifts every inject still scheduled by the pause's length.
"""

from __future__ import annotations

from datetime import datetime, timedelta

MIN_SPEED = 1.0
MAX_SPEED = 600.0


def due_at(started_at: datetime, offset_minutes: float, speed: float) -> datetime:
    """Return the wall-clock time an inject ``offset_minutes`` into the scenario is due."""
    return started_at + timedelta(minutes=offset_minutes / speed)


def scenario_minutes(
    started_at: datetime, now: datetime, speed: float, paused_seconds: float = 0.0
) -> float:
    """Return how many scenario minutes have run by ``now`` (paused time not counted)."""
    running = max(0.0, (now - started_at).total_seconds() - paused_seconds)
    return running * speed / 60.0


def lateness_seconds(due: datetime, released: datetime) -> float:
    """Return how late a release was, in seconds (negative: early, e.g. fired by hand)."""
    return round((released - due).total_seconds(), 3)
