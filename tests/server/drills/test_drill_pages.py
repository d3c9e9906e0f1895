"""The drill API and console pages: who may do what, one error shape, the incoming news panel."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from server.core.extensions import db
from server.drills.models import Drill
from server.operations.models import ActivityEntry


def test_directors_start_and_steer_a_drill_over_the_api(
    client: Any, token_for: Callable[[str, str], dict[str, str]]
) -> None:
    boss = token_for("boss", "director")
    rater = token_for("rater", "evaluator")
    desk = token_for("desk", "operator")
    r = client.post(
        "/api/v1/drills", json={"scenario": "typhoon_levels", "speed": 60}, headers=boss
    )
    assert r.status_code == 201, r.json
    drill = r.json
    assert drill["speed"] == 60 and len(drill["injects"]) == 21
    assert drill["injects"][0]["status"] == "scheduled"
    # Evaluators read; they and operators cannot steer.
    assert client.get(f"/api/v1/drills/{drill['id']}", headers=rater).status_code == 200
    listed = client.get("/api/v1/drills", headers=rater).json
    assert [s["id"] for s in listed["scenarios"]] == ["earthquake_tsunami", "typhoon_levels"]
    for headers in (rater, desk):
        r = client.post(f"/api/v1/drills/{drill['id']}/pause", headers=headers)
        assert r.status_code == 403 and r.json["error"]["code"] == "forbidden"
    assert client.post(f"/api/v1/drills/{drill['id']}/pause", headers=boss).json["status"] == (
        "paused"
    )
    r = client.post(f"/api/v1/drills/{drill['id']}/pause", headers=boss)
    assert r.status_code == 409 and r.json["error"]["code"] == "drill_paused"
    assert client.post(f"/api/v1/drills/{drill['id']}/resume", headers=boss).status_code == 200
    r = client.post(f"/api/v1/drills/{drill['id']}/injects/ty01/fire", headers=boss)
    assert r.json["status"] == "released" and r.json["released_by"] == "controller"
    r = client.post(f"/api/v1/drills/{drill['id']}/injects/ty02/skip", headers=boss)
    assert r.json["status"] == "skipped"
    r = client.post(f"/api/v1/drills/{drill['id']}/injects/ty99/skip", headers=boss)
    assert r.status_code == 404 and r.json["error"]["code"] == "not_found"
    r = client.post(f"/api/v1/drills/{drill['id']}/finish", headers=boss)
    assert r.json["status"] == "finished"
    r = client.post(f"/api/v1/drills/{drill['id']}/reset", headers=boss)
    assert r.json["status"] == "reset" and r.json["removed"]["activity_entries"] >= 1


def test_a_bad_start_is_refused_naming_the_field(
    client: Any, token_for: Callable[[str, str], dict[str, str]], flood_bytes: bytes
) -> None:
    boss = token_for("boss", "director")
    r = client.post("/api/v1/drills", json={"scenario": "volcano", "speed": 60}, headers=boss)
    assert r.status_code == 404 and r.json["error"]["field"] == "scenario"
    r = client.post("/api/v1/drills", json={"scenario": "typhoon_levels", "speed": 0}, headers=boss)
    assert r.status_code == 400 and r.json["error"]["field"] == "speed"
    bad = flood_bytes.replace(b"offset_minutes: 20", b"offset_minutes: -5")
    r = client.post(
        "/api/v1/drills",
        data={"file": (io.BytesIO(bad), "flood.yaml"), "speed": "60"},
        headers=boss,
    )
    assert r.status_code == 400 and r.json["error"]["field"] == "injects[3].offset_minutes"
    assert db.session.query(Drill).count() == 0
    r = client.post(
        "/api/v1/drills",
        data={"file": (io.BytesIO(flood_bytes), "flood.yaml"), "speed": "600"},
        headers=boss,
    )
    assert r.status_code == 201 and r.json["scenario_id"] == "flood_hoshino"


def test_the_controller_console_runs_a_drill(
    client: Any, sign_in: Callable[[str, str], None]
) -> None:
    sign_in("boss", "director")
    page = client.get("/drills", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert "台風・警戒レベル" in page and "訓練" in page
    r = client.post("/drills/start", data={"scenario": "earthquake_tsunami", "speed": "600"})
    assert r.status_code == 302
    drill = db.session.query(Drill).one()
    page = client.get(f"/drills/{drill.id}").get_data(as_text=True)
    assert "eq01" in page and "drills.js" in page and "<script>" not in page
    state = client.get(f"/drills/{drill.id}/state").json
    assert state["status"] == "running" and len(state["injects"]) == 25
    client.post(f"/drills/{drill.id}/injects/eq01/fire")
    client.post(f"/drills/{drill.id}/pause")
    assert client.get(f"/drills/{drill.id}/state").json["status"] == "paused"
    client.post(f"/drills/{drill.id}/resume")
    # Reset asks first.
    assert "confirm" in client.get(f"/drills/{drill.id}/reset").get_data(as_text=True)
    client.post(f"/drills/{drill.id}/reset", data={"confirm": "yes"})
    db.session.expire_all()
    assert db.session.get(Drill, drill.id).status == "reset"


def test_participants_see_incoming_news_and_compose_an_answer(
    client: Any,
    sign_in: Callable[[str, str], None],
    token_for: Callable[[str, str], dict[str, str]],
) -> None:
    boss = token_for("boss", "director")
    drill = client.post(
        "/api/v1/drills", json={"scenario": "typhoon_levels", "speed": 1}, headers=boss
    ).json
    client.post(f"/api/v1/drills/{drill['id']}/injects/ty01/fire", headers=boss)
    inject_id = drill["injects"][0]["id"]
    sign_in("desk", "operator")
    home = client.get("/", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert "台風第14号は強い勢力のまま" in home and "weather.typhoon_approaching" in home
    assert f"drill_inject={inject_id}" in home
    compose = client.get(
        f"/announcements/new?template=weather.typhoon_approaching&drill_inject={inject_id}"
        "&slot_date=2026-09-16"
    ).get_data(as_text=True)
    assert f'name="drill_inject_id" value="{inject_id}"' in compose
    r = client.post(
        "/announcements/new",
        data={
            "template_id": "weather.typhoon_approaching",
            "slot_date": "2026-09-16",
            "source_lang": "ja",
            "drill_inject_id": str(inject_id),
            "drill_present": "1",
            "target": "all",
        },
    )
    assert r.status_code == 302
    answer = client.get("/api/v1/announcements", headers=boss).json
    item = answer[0] if isinstance(answer, list) else answer["announcements"][0]
    assert item["drill"] is True
    entries = db.session.query(ActivityEntry).filter(ActivityEntry.drill_id == drill["id"]).all()
    assert any(e.kind == "announcement.published" for e in entries)
    # The activity page filters real / drill work.
    real_only = _csv(client.get("/activity.csv?work=real").get_data(as_text=True))
    drill_only = _csv(client.get("/activity.csv?work=drill").get_data(as_text=True))
    assert real_only and all(row["drill_id"] == "" for row in real_only)
    assert drill_only and all(row["drill_id"] == str(drill["id"]) for row in drill_only)
    assert "announcement.published" in {row["kind"] for row in drill_only}
    assert client.get("/activity?work=drill").status_code == 200


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_an_evaluator_reads_the_drill_pages_and_controls_nothing(
    client: Any,
    sign_in: Callable[[str, str], None],
    token_for: Callable[[str, str], dict[str, str]],
) -> None:
    boss = token_for("boss", "director")
    drill = client.post(
        "/api/v1/drills", json={"scenario": "typhoon_levels", "speed": 1}, headers=boss
    ).json
    sign_in("rater", "evaluator")
    home = client.get("/")
    assert home.status_code == 302 and home.headers["Location"].endswith("/drills")
    page = client.get(f"/drills/{drill['id']}").get_data(as_text=True)
    assert "ty01" in page and "/pause" not in page and "/fire" not in page
    assert client.post(f"/drills/{drill['id']}/pause").status_code == 403
    assert client.post("/drills/start", data={"scenario": "typhoon_levels"}).status_code == 403
    assert client.get("/inquiries").status_code == 403
