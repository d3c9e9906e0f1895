"""Checklists per phase: tick, set aside with a reason, open again, add the center's own."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from server.core.extensions import db
from server.operations.models import ActivityEntry, ChecklistMark

# The fixtures create accounts, and account changes are logged too.
NOT_ACCOUNTS = ActivityEntry.kind.not_like("account.%")


def test_the_checklist_comes_from_the_manual(client: Any, token_for: Any) -> None:
    staff = token_for("op", "operator")
    items = client.get("/api/v1/checklists/activated", headers=staff).get_json()
    ids = [i["id"] for i in items]
    assert ids[:2] == ["activated.decide", "activated.log"]
    first = items[0]
    assert first["team"] == "general_affairs" and first["state"] == "open"
    assert first["due_hours"] == 1 and "センター長" in first["text"]["ja"]


def test_ticking_records_who_when_and_the_note(client: Any, token_for: Any) -> None:
    staff = token_for("op", "operator")
    r = client.post(
        "/api/v1/checklists/items/activated.log",
        headers=staff,
        json={"state": "done", "note": "ホワイトボードに時系列"},
    )
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["state"] == "done" and body["note"] == "ホワイトボードに時系列"
    assert body["marked_at"] and body["marked_by"]
    entry = db.session.scalar(select(ActivityEntry).where(NOT_ACCOUNTS))
    assert entry is not None and entry.kind == "checklist.done"
    assert entry.team == "general_affairs" and entry.ref == "checklist:activated.log"


def test_not_applicable_needs_a_reason(client: Any, token_for: Any) -> None:
    staff = token_for("op", "operator")
    url = "/api/v1/checklists/items/activated.shelter_list"
    r = client.post(url, headers=staff, json={"state": "not_applicable"})
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "reason"
    assert db.session.scalar(select(func.count(ChecklistMark.id))) == 0
    r = client.post(
        url, headers=staff, json={"state": "not_applicable", "reason": "no shelter opened"}
    )
    assert r.status_code == 200 and r.get_json()["reason"] == "no shelter opened"
    r = client.post(url, headers=staff, json={"state": "done"})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "already_marked"
    r = client.post(url, headers=staff, json={"state": "open", "reason": "a shelter opened"})
    assert r.status_code == 200 and r.get_json()["state"] == "open"
    kinds = list(
        db.session.scalars(
            select(ActivityEntry.kind).where(NOT_ACCOUNTS).order_by(ActivityEntry.id)
        )
    )
    assert kinds == ["checklist.not_applicable", "checklist.reopened"]


def test_an_unknown_item_is_a_clear_error_and_changes_nothing(client: Any, token_for: Any) -> None:
    staff = token_for("op", "operator")
    r = client.post(
        "/api/v1/checklists/items/activated.nonsense", headers=staff, json={"state": "done"}
    )
    assert r.status_code == 404
    err = r.get_json()["error"]
    assert err["code"] == "unknown_item" and "activated.nonsense" in err["message"]
    assert db.session.scalar(select(func.count(ChecklistMark.id))) == 0
    assert db.session.scalar(select(func.count(ActivityEntry.id)).where(NOT_ACCOUNTS)) == 0


def test_a_center_adds_its_own_item(client: Any, token_for: Any) -> None:
    staff = token_for("op", "operator")
    r = client.post(
        "/api/v1/checklists/operating/items",
        headers=staff,
        json={"text": "ネパール語の通訳を市役所に派遣", "team": "consultation"},
    )
    assert r.status_code == 201
    item_id = r.get_json()["id"]
    assert item_id.startswith("custom.")
    items = client.get("/api/v1/checklists/operating", headers=staff).get_json()
    assert items[-1]["id"] == item_id and items[-1]["custom"] is True
    r = client.post(
        "/api/v1/checklists/operating/items", headers=staff, json={"text": "x", "team": "nope"}
    )
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "team"
    r = client.post(f"/api/v1/checklists/items/{item_id}", headers=staff, json={"state": "done"})
    assert r.status_code == 200


def test_the_console_ticks_and_escapes_notes(client: Any, sign_in: Any) -> None:
    sign_in("op", "operator")
    r = client.post(
        "/center/checklist/standby.drill",
        data={"action": "done", "note": "<b>合同訓練</b>", "phase": "standby"},
    )
    assert r.status_code == 302
    page = client.get("/center?phase=standby").get_data(as_text=True)
    assert "&lt;b&gt;合同訓練&lt;/b&gt;" in page
    r = client.post("/center/checklist/standby.nothing", data={"action": "done"})
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "そのようなチェック項目はありません" in page
