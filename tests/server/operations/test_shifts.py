"""Shifts and handover: who is on duty, a note with the open items, acknowledged once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from server.core.extensions import db
from server.operations.models import ActivityEntry, Handover


def _iso(delta_hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=delta_hours)).isoformat()


def test_on_duty_handover_with_open_items_and_one_acknowledgement(
    client: Any, token_for: Any
) -> None:
    day = token_for("day", "operator")
    night = token_for("night", "operator")
    r = client.post(
        "/api/v1/shifts",
        headers=day,
        json={
            "label": "12/3 日勤",
            "starts_at": _iso(-2),
            "ends_at": _iso(6),
            "staff": ["佐藤", "Nguyen"],
            "volunteers": ["Maya (ne)"],
        },
    )
    assert r.status_code == 201, r.get_json()
    shift = r.get_json()["id"]
    client.post(
        "/api/v1/shifts",
        headers=day,
        json={"label": "昨日", "starts_at": _iso(-30), "ends_at": _iso(-22)},
    )
    listed = client.get("/api/v1/shifts", headers=day).get_json()
    assert [s["label"] for s in listed["on_duty"]] == ["12/3 日勤"]
    assert listed["on_duty"][0]["volunteers"] == ["Maya (ne)"]

    client.post(
        "/api/v1/inquiries",
        headers=day,
        json={"message": "Where is water?", "lang": "en", "category": "food_water"},
    )
    r = client.post(
        f"/api/v1/shifts/{shift}/handover", headers=day, json={"note": "給水車の時刻を市に確認中"}
    )
    assert r.status_code == 201
    handover = r.get_json()
    items = handover["open_items"]
    assert any(i["kind"] == "unanswered" and i["lang"] == "en" for i in items)
    assert any(i["kind"] == "checklist" and i["item"] == "standby.roster" for i in items)
    r = client.post(f"/api/v1/shifts/{shift}/handover", headers=day, json={"note": "again"})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "handover_exists"

    todo = client.get("/api/v1/now", headers=night).get_json()
    assert todo[0] == {"kind": "handover", "handover_id": handover["id"], "shift_id": shift}
    r = client.post(f"/api/v1/handovers/{handover['id']}/acknowledge", headers=night)
    assert r.status_code == 200 and r.get_json()["acknowledged_at"]
    first_ack = r.get_json()["acknowledged_at"]
    r = client.post(f"/api/v1/handovers/{handover['id']}/acknowledge", headers=day)
    assert r.status_code == 409
    assert r.get_json()["error"]["code"] == "already_acknowledged"
    row = db.session.scalar(select(Handover))
    db.session.refresh(row)
    assert row.acknowledged_at.isoformat() == first_ack  # nothing changed by the second try
    kinds = list(db.session.scalars(select(ActivityEntry.kind).order_by(ActivityEntry.id)))
    assert kinds.count("handover.acknowledged") == 1
    assert {"shift.created", "handover.written"} <= set(kinds)
    assert not any(t["kind"] == "handover" for t in client.get("/api/v1/now", headers=day).json)


def test_bad_shifts_are_refused(client: Any, token_for: Any) -> None:
    op = token_for("op", "operator")
    for body, field in (
        ({"label": "x", "starts_at": _iso(2), "ends_at": _iso(1)}, "ends_at"),
        ({"label": "x", "starts_at": "tomorrow", "ends_at": _iso(1)}, "starts_at"),
        ({"starts_at": _iso(1), "ends_at": _iso(2)}, "label"),
        ({"label": "x", "starts_at": _iso(1), "ends_at": _iso(2), "staff": "A"}, "staff"),
    ):
        r = client.post("/api/v1/shifts", headers=op, json=body)
        assert r.status_code == 400 and r.get_json()["error"]["field"] == field, body
    assert client.get("/api/v1/shifts", headers=op).get_json()["recent"] == []
    r = client.post("/api/v1/handovers/42/acknowledge", headers=op)
    assert r.status_code == 404


def test_the_console_writes_and_acknowledges_a_handover(client: Any, sign_in: Any) -> None:
    sign_in("desk", "operator")
    r = client.post(
        "/shifts",
        data={
            "label": "夜勤 <i>A</i>",
            "starts_at": "2026-12-03T18:00",
            "ends_at": "2026-12-04T09:00",
            "staff": "佐藤\n鈴木\n",
            "volunteers": "Maya\n",
        },
    )
    assert r.status_code == 302
    page = client.get("/shifts").get_data(as_text=True)
    assert "夜勤 &lt;i&gt;A&lt;/i&gt;" in page and "佐藤, 鈴木" in page
    client.post("/shifts/1/handover", data={"note": "171の案内を続ける"})
    page = client.get("/shifts").get_data(as_text=True)
    assert "171の案内を続ける" in page and "#item-standby.roster" in page
    client.post("/handovers/1/acknowledge")
    r = client.post("/handovers/1/acknowledge")
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "この引き継ぎはすでに確認済みです" in page
    r = client.post("/shifts", data={"label": "x", "starts_at": "2026-12-04T09:00"})
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "ends_at" in page
