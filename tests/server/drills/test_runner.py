"""The drill runner on a real database: the clock, releases from the schedule, exactly once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from server.core.errors import ApiError
from server.core.extensions import db
from server.drills import clock, injects, runner, scenario
from server.drills.models import Drill, DrillInject
from server.drills.words import DrillStatus, InjectStatus
from server.models import Inquiry, Shelter, utcnow
from server.operations import phases
from server.operations.models import ActivityEntry, PhaseChange
from server.requests.models import TranslationRequest
from server.shelters.models import Need, Round

T0 = datetime(2026, 9, 16, 6, 0, tzinfo=UTC)


def test_due_times_follow_the_speed() -> None:
    assert clock.due_at(T0, 60, 60) == T0 + timedelta(minutes=1)
    assert clock.due_at(T0, 30, 1) == T0 + timedelta(minutes=30)
    assert clock.scenario_minutes(T0, T0 + timedelta(seconds=90), 60) == 90
    # Paused time does not count: 90 s since start, 30 s of it paused, ×60.
    assert clock.scenario_minutes(T0, T0 + timedelta(seconds=90), 60, paused_seconds=30) == 60
    assert clock.lateness_seconds(T0, T0 + timedelta(seconds=2.5)) == 2.5
    assert clock.lateness_seconds(T0, T0 - timedelta(seconds=3)) == -3


@pytest.mark.parametrize("speed", [0, 0.5, 601, "fast", None])
def test_a_speed_out_of_bounds_is_refused(app: Any, director: Any, speed: Any) -> None:
    with pytest.raises(ApiError) as caught:
        runner.start(scenario.load_bundled("typhoon_levels"), director, speed)
    assert caught.value.field == "speed"
    assert db.session.scalar(select(func.count(Drill.id))) == 0


def _start(flood_bytes: bytes, director: Any, speed: float = 60) -> Drill:
    return runner.start(scenario.parse_upload(flood_bytes), director, speed)


def _statuses(drill: Drill) -> dict[str, str]:
    db.session.expire_all()
    return {i.inject_key: i.status for i in db.session.get(Drill, drill.id).injects}


def test_injects_fall_due_on_the_scenario_clock(
    app: Any, director: Any, flood_bytes: bytes
) -> None:
    drill = _start(flood_bytes, director, speed=60)  # a scenario minute per real second
    start = drill.started_at
    assert [i.due_at for i in drill.injects] == [
        start + timedelta(seconds=s) for s in (0, 5, 12, 20, 30, 40)
    ]
    released = runner.release_due(start + timedelta(seconds=13))
    assert len(released) == 3
    statuses = _statuses(drill)
    assert [statuses[k] for k in ("fl01", "fl02", "fl03", "fl04")] == [
        "released",
        "released",
        "released",
        "scheduled",
    ]
    assert runner.release_due(start + timedelta(seconds=13)) == []  # nothing twice


def test_each_kind_makes_its_object_with_the_drill_id(
    app: Any, director: Any, flood_bytes: bytes
) -> None:
    drill = _start(flood_bytes, director)
    runner.release_due(drill.started_at + timedelta(hours=1))
    db.session.expire_all()
    made = {i.inject_key: i.created for i in db.session.get(Drill, drill.id).injects}
    assert made["fl01"] == {} and made["fl06"] == {}
    assert made["fl02"] == {"proposal": "pending"}
    inquiry = db.session.get(Inquiry, made["fl03"]["inquiry"])
    assert inquiry.drill_id == drill.id and inquiry.lang == "th" and inquiry.channel == "web"
    rnd = db.session.get(Round, made["fl04"]["round"])
    shelter = db.session.get(Shelter, made["fl04"]["shelter"])
    assert rnd.drill_id == drill.id and shelter.drill_id == drill.id
    assert shelter.name_ja == "【訓練】星野町立中学校" and shelter.foreign_count == 7
    needs = [db.session.get(Need, n) for n in made["fl04"]["needs"]]
    assert {(n.lang, n.count, n.drill_id) for n in needs} == {
        ("th", 4, drill.id),
        ("id", 3, drill.id),
    }
    request = db.session.get(TranslationRequest, made["fl05"]["translation_request"])
    assert request.drill_id == drill.id and request.requester_id == injects.municipality().id
    assert {p.lang for p in request.pieces} == {"en", "th", "id"}
    # The activity log marks drill work: the inquiry's entry carries the drill id.
    entry = db.session.scalar(
        select(ActivityEntry).where(ActivityEntry.ref == f"inquiry:{inquiry.id}")
    )
    assert entry is not None and entry.drill_id == drill.id


def test_a_phase_proposal_moves_the_drill_not_the_center(
    app: Any, director: Any, flood_bytes: bytes
) -> None:
    drill = _start(flood_bytes, director)
    runner.release_due(drill.started_at + timedelta(seconds=6))
    inject = runner.inject_of(drill, "fl02")
    runner.decide_phase(inject, True, director)
    change = db.session.get(PhaseChange, inject.created["phase_change"])
    assert change.drill_id == drill.id and change.to_phase == "activated"
    assert drill.phase == "activated"
    assert phases.current() == "standby" and phases.history() == []
    with pytest.raises(ApiError):
        runner.decide_phase(inject, False, director)  # decided already


def test_pause_holds_releases_and_resume_shifts_the_schedule(
    app: Any, director: Any, flood_bytes: bytes
) -> None:
    drill = _start(flood_bytes, director)
    before = {i.inject_key: i.due_at for i in drill.injects}
    runner.pause(drill, director)
    assert runner.release_due(drill.started_at + timedelta(hours=1)) == []
    drill.paused_at = drill.paused_at - timedelta(seconds=100)  # as if paused 100 s ago
    db.session.commit()
    runner.resume(drill, director)
    after = {i.inject_key: i.due_at for i in drill.injects}
    for key, due in before.items():
        assert (after[key] - due).total_seconds() == pytest.approx(100, abs=1)
    assert drill.paused_seconds == pytest.approx(100, abs=1)


def test_skip_and_fire_now(app: Any, director: Any, flood_bytes: bytes) -> None:
    drill = _start(flood_bytes, director)
    runner.skip(runner.inject_of(drill, "fl06"), director)
    fired = runner.fire_now(runner.inject_of(drill, "fl05"), director)
    assert fired.released_by == "controller" and fired.lateness_seconds < 0  # early
    with pytest.raises(ApiError) as caught:
        runner.fire_now(runner.inject_of(drill, "fl06"), director)
    assert caught.value.code == "not_scheduled"
    released = runner.release_due(drill.started_at + timedelta(hours=1))
    statuses = _statuses(drill)
    assert statuses["fl06"] == "skipped" and len(released) == 4
    assert db.session.scalar(select(func.count(TranslationRequest.id))) == 1


def test_a_failed_release_leaves_the_inject_scheduled_and_stops_its_drill(
    app: Any, director: Any, flood_bytes: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker dying half-way: the claim and what was made roll back together."""
    drill = _start(flood_bytes, director)
    real = injects.MAKERS["inquiry"]

    def dies_after_making(d: Drill, inject: DrillInject, content: dict[str, Any]) -> None:
        real_create = injects.inquiries.create

        def create(*args: Any, **kwargs: Any) -> Any:
            link = kwargs.pop("on_flush")
            kwargs["on_flush"] = lambda item: (link(item), (_ for _ in ()).throw(OSError("killed")))
            return real_create(*args, **kwargs)

        monkeypatch.setattr(injects.inquiries, "create", create)
        real(d, inject, content)

    monkeypatch.setattr(injects, "MAKERS", {**injects.MAKERS, "inquiry": dies_after_making})
    released = runner.release_due(drill.started_at + timedelta(hours=1))
    assert len(released) == 2  # fl01, fl02; fl03 failed and the later ones wait
    assert _statuses(drill)["fl03"] == "scheduled"
    assert db.session.scalar(select(func.count(Inquiry.id))) == 0
    monkeypatch.undo()
    assert len(runner.release_due(utcnow() + timedelta(hours=1))) == 4
    assert db.session.scalar(select(func.count(Inquiry.id))) == 1


def test_two_tickers_at_once_release_each_inject_once(
    app: Any, director: Any, flood_bytes: bytes
) -> None:
    drill = _start(flood_bytes, director)
    when = drill.started_at + timedelta(hours=1)
    results: list[list[int]] = []
    barrier = threading.Barrier(2)

    def tick() -> None:
        with app.app_context():
            barrier.wait()
            results.append(runner.release_due(when))
            db.session.remove()

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    # Whatever one ticker lost to the other (or to a locked database), a third tick finishes.
    results.append(runner.release_due(when))
    ids = [i for r in results for i in r]
    assert sorted(ids) == sorted(set(ids)) and len(ids) == 6
    assert set(_statuses(drill).values()) == {InjectStatus.RELEASED}
    assert db.session.scalar(select(func.count(Inquiry.id))) == 1
    assert db.session.scalar(select(func.count(Round.id))) == 1
    assert db.session.scalar(select(func.count(TranslationRequest.id))) == 1


def test_finish_ends_the_run(app: Any, director: Any, flood_bytes: bytes) -> None:
    drill = _start(flood_bytes, director)
    runner.finish(drill, director)
    assert drill.status == DrillStatus.FINISHED
    assert runner.release_due(drill.started_at + timedelta(hours=1)) == []
    with pytest.raises(ApiError):
        runner.pause(drill, director)
