"""The activity log: every domain writes to it in its own transaction; entries are never edited."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from sqlalchemy import func, select

from server.core.extensions import db
from server.models import Board, Inquiry
from server.operations.models import ActivityEntry
from server.people import accounts


def kinds() -> list[str]:
    return list(db.session.scalars(select(ActivityEntry.kind).order_by(ActivityEntry.id)))


def test_domains_record_announcements_inquiries_boards_and_accounts(
    client: Any, token_for: Any, sign_in: Any
) -> None:
    op = token_for("op", "operator")
    r = client.post(
        "/api/v1/announcements",
        headers=op,
        json={"text": "本日15時に給水車が来ます。", "category": "food_water"},
    )
    assert r.status_code == 201
    ann = r.get_json()["id"]
    client.patch(f"/api/v1/announcements/{ann}", headers=op, json={"text": "16時に変更。"})
    client.post(f"/api/v1/announcements/{ann}/retract", headers=op)
    r = client.post(
        "/api/v1/inquiries",
        headers=op,
        json={"message": "Nước uống ở đâu?", "lang": "vi", "category": "food_water"},
    )
    inquiry = r.get_json()["id"]
    r = client.post(
        f"/api/v1/inquiries/{inquiry}/replies", headers=op, json={"text": "体育館で配っています。"}
    )
    assert r.status_code == 201, r.get_json()
    shelter = accounts.create_shelter("第一小学校")
    board = accounts.create_board(shelter.id, "TV")
    sign_in("root", "admin")
    client.post(f"/boards/{board.id}/new-link", data={"confirm": "yes"})
    assert kinds() == [
        "account.created",
        "account.changed",
        "announcement.published",
        "announcement.revised",
        "announcement.retracted",
        "inquiry.created",
        "inquiry.replied",
        "board.added",
        "account.created",
        "board.link_changed",
    ]
    entries = client.get("/api/v1/activity?kind=inquiry.created", headers=op).get_json()
    assert len(entries) == 1
    assert entries[0]["lang"] == "vi" and entries[0]["team"] == "consultation"
    assert entries[0]["ref"] == f"inquiry:{inquiry}" and entries[0]["user"] == "op"
    # The log names objects; it never holds a resident's words.
    every = " ".join(e.summary for e in db.session.scalars(select(ActivityEntry)))
    assert "Nước" not in every and "体育館" not in every
    assert db.session.scalar(select(Board.token_version).where(Board.id == board.id)) == 2


def test_a_failed_change_leaves_no_entry(client: Any, token_for: Any) -> None:
    op = token_for("op", "operator")
    before = kinds()
    r = client.post("/api/v1/inquiries", headers=op, json={"message": "", "lang": "vi"})
    assert r.status_code == 400
    assert kinds() == before
    assert db.session.scalar(select(func.count(Inquiry.id))) == 0


def test_filters_by_kind_team_language_and_time(client: Any, token_for: Any) -> None:
    op = token_for("op", "operator")
    client.post("/api/v1/activity", headers=op, json={"text": "市に電話", "team": "information"})
    client.post("/api/v1/inquiries", headers=op, json={"message": "hello?", "lang": "en"})
    get = client.get
    assert [e["kind"] for e in get("/api/v1/activity?team=information", headers=op).get_json()] == [
        "note"
    ]
    assert [e["kind"] for e in get("/api/v1/activity?lang=en", headers=op).get_json()] == [
        "inquiry.created"
    ]
    assert get("/api/v1/activity?since=2999-01-01T00:00", headers=op).get_json() == []
    assert len(get("/api/v1/activity?until=2999-01-01T00:00", headers=op).get_json()) == 4
    r = get("/api/v1/activity?kind=gossip", headers=op)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "kind"
    r = get("/api/v1/activity?since=yesterday", headers=op)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "since"


def test_a_correction_is_a_new_entry_and_entries_cannot_be_edited(
    client: Any, token_for: Any
) -> None:
    op = token_for("op", "operator")
    first = client.post("/api/v1/activity", headers=op, json={"text": "給水は15時"}).get_json()
    r = client.post(
        f"/api/v1/activity/{first['id']}/corrections", headers=op, json={"text": "給水は16時"}
    )
    assert r.status_code == 201
    assert r.get_json()["corrects"] == first["id"] and r.get_json()["kind"] == "correction"
    assert db.session.get(ActivityEntry, first["id"]).summary == "給水は15時"
    r = client.post("/api/v1/activity/9999/corrections", headers=op, json={"text": "x"})
    assert r.status_code == 404
    entry = db.session.get(ActivityEntry, first["id"])
    entry.summary = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(ActivityEntry, first["id"]))
    with pytest.raises(ValueError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(ActivityEntry, first["id"]).summary == "給水は15時"


def test_csv_export_and_console_page(client: Any, token_for: Any, sign_in: Any) -> None:
    op = token_for("op", "operator")
    client.post("/api/v1/activity", headers=op, json={"text": '=HYPERLINK("x")'})
    client.post("/api/v1/activity", headers=op, json={"text": "<b>避難所</b>に連絡"})
    r = client.get("/api/v1/activity.csv?kind=note", headers=op)
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert [row["summary"] for row in rows] == ['\'=HYPERLINK("x")', "<b>避難所</b>に連絡"]
    assert rows[0]["user"] == "op" and rows[0]["kind"] == "note"
    sign_in("desk", "operator")
    page = client.get("/activity").get_data(as_text=True)
    assert "活動記録" in page and "&lt;b&gt;避難所&lt;/b&gt;に連絡" in page
    r = client.post("/activity", data={"text": "市の本部と定時連絡", "team": "information"})
    assert r.status_code == 302
    page = client.get("/activity?team=information").get_data(as_text=True)
    assert "市の本部と定時連絡" in page and "HYPERLINK" not in page
    r = client.get("/activity.csv?team=information")
    assert "市の本部と定時連絡" in r.get_data(as_text=True)
