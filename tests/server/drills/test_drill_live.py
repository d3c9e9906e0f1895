"""End to end: three scenarios run at once on real web, worker and two beat processes.

Both bundled scenarios and the one written for these tests run with a compressed clock. Two
beats tick every second (as a misconfigured deployment would), so ticks overlap on the worker's
threads: every inject must still be released exactly once, in order, by the schedule.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from server.core import database, embedded
from server.core.extensions import db
from server.drills.models import DrillInject
from server.models import Inquiry, Shelter
from server.people import accounts
from server.requests.models import TranslationRequest
from server.shelters.models import Round
from tests.conftest import LiveCenter

pytestmark = pytest.mark.slow
SCENARIOS = Path(__file__).parent / "scenarios"
TABLES = {"inquiry": Inquiry, "round": Round, "translation_request": TranslationRequest}


@pytest.fixture(scope="module")
def drill_center(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[LiveCenter]:
    """A live center whose beat ticks drills every second, with a second beat running too."""
    base = tmp_path_factory.mktemp("drill-center")
    db_url = f"sqlite:///{base / 'tagengo.db'}"
    database.upgrade(db_url)
    live = LiveCenter(base, db_url, redis_url)
    live.env["TAGENGO_DRILL_TICK_SECONDS"] = "1"
    live.start()
    for name in ("beat", "beat2"):
        (base / name).mkdir()
        live.stack.start(name, embedded.beat_argv(base / name), live.env, live.logs / f"{name}.log")
    try:
        yield live
    finally:
        live.stack.stop()
        with live.app.app_context():
            db.engine.dispose()


def _wait_released(live: LiveCenter, token: str, drill_id: int, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = live.api("GET", f"/api/v1/drills/{drill_id}", token).json()
        if all(i["status"] == "released" for i in state["injects"]):
            return dict(state)
        time.sleep(0.5)
    raise AssertionError(f"drill {drill_id} not fully released: {state}; logs in {live.logs}")


def test_three_scenarios_release_every_inject_once_in_order(drill_center: LiveCenter) -> None:
    live = drill_center
    with live.app.app_context():
        accounts.create_user("boss", "director", "a-long-password")
        token = accounts.create_token("boss")
    flood = (SCENARIOS / "flood_hoshino.yaml").read_bytes()
    started = [
        live.api("POST", "/api/v1/drills", token, json={"scenario": name, "speed": 600}).json()
        for name in ("earthquake_tsunami", "typhoon_levels")
    ]
    r = live.api(
        "POST",
        "/api/v1/drills",
        token,
        files={"file": ("flood.yaml", flood)},
        data={"speed": "300"},
    )
    assert r.status_code == 201, r.text
    started.append(r.json())
    # 18 s of scenario at most (typhoon: 180 min at ×600), then each inject's own work.
    states = [_wait_released(live, token, d["id"], 120) for d in started]
    time.sleep(3)  # a few more overlapping ticks: nothing may be released again
    with live.app.app_context():
        for state in states:
            drill_id = state["id"]
            rows = db.session.scalars(
                select(DrillInject)
                .where(DrillInject.drill_id == drill_id)
                .order_by(DrillInject.due_at, DrillInject.position)
            ).all()
            assert all(i.status == "released" and i.released_by == "schedule" for i in rows)
            released = [i.released_at for i in rows]
            assert released == sorted(released), drill_id  # in the order they fell due
            assert all(
                i.lateness_seconds is not None and -0.01 <= i.lateness_seconds < 60 for i in rows
            )
            # Exactly one object per inject, each marked with the drill.
            for kind, key in (
                ("inquiry", "inquiry"),
                ("shelter_report", "round"),
                ("translation_request", "translation_request"),
            ):
                mine = [i for i in rows if i.kind == kind]
                table = TABLES[key]
                count = db.session.scalar(
                    select(func.count(table.id)).where(table.drill_id == drill_id)
                )
                assert count == len(mine) >= 1, (drill_id, kind)
                for inject in mine:
                    made = db.session.get(table, inject.created[key])
                    assert made is not None and made.drill_id == drill_id
            for inject in rows:
                if inject.kind == "news":
                    assert inject.created == {}
                if inject.kind == "phase_change":
                    assert inject.created == {"proposal": "pending"}
                if inject.kind == "shelter_report":
                    shelter = db.session.get(Shelter, inject.created["shelter"])
                    assert shelter.drill_id == drill_id and shelter.name_ja.startswith("【訓練】")
        # Real work was never touched: no inquiry, round or request without a drill.
        assert (
            db.session.scalar(select(func.count(Inquiry.id)).where(Inquiry.drill_id.is_(None))) == 0
        )
    for state in states:
        r = live.api("POST", f"/api/v1/drills/{state['id']}/finish", token)
        assert r.json()["status"] == "finished"
