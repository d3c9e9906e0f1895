"""Hostile input against the API, the console and the resident pages: refused, or kept as text.

Every test here takes the ``app`` fixture, so it runs on SQLite and, with
TAGENGO_TEST_DATABASE_URL set, on PostgreSQL too (where a NUL in text would otherwise be a 500).
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from server import accounts
from server.extensions import db
from server.models import (
    Announcement,
    BoardEvent,
    Inquiry,
    InquiryReply,
    MemoryEntry,
    Shelter,
)

STORED = (Announcement, BoardEvent, Inquiry, InquiryReply, MemoryEntry, Shelter)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def counts() -> tuple[int, ...]:
    db.session.rollback()  # read what other requests committed, not a stale snapshot
    return tuple(db.session.scalar(select(func.count()).select_from(m)) or 0 for m in STORED)


def assert_error(response: Any, status: int, field: str | None) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "field"}
    assert body["error"]["message"] and body["error"]["field"] == field
    error: dict[str, Any] = body["error"]
    return error


@pytest.fixture
def admin_token(app: Any) -> str:
    accounts.create_user("boss", "admin", "admin-password")
    return accounts.create_token("boss")


@pytest.fixture
def board_id(app: Any) -> int:
    shelter = accounts.create_shelter("第一小学校")
    return accounts.create_board(shelter.id, "体育館").id


# --- the three defects of issue 18 ---------------------------------------------------------


@pytest.mark.parametrize(
    "since", [str(2**31), str(2**63), "99999999999999999999", str(-(2**63) - 1), "1e3"]
)
def test_feed_since_out_of_range_is_a_400_naming_since(
    client: Any, admin_token: str, board_id: int, since: str
) -> None:
    r = client.get(f"/api/v1/boards/{board_id}/feed?since={since}", headers=auth(admin_token))
    assert_error(r, 400, "since")


def test_feed_since_at_the_largest_sequence_is_accepted(
    client: Any, admin_token: str, board_id: int
) -> None:
    r = client.get(f"/api/v1/boards/{board_id}/feed?since={2**31 - 1}", headers=auth(admin_token))
    assert r.status_code == 200 and r.get_json()["events"] == []


ENTITY_TMX = (
    '<?xml version="1.0" encoding="UTF-16"?>'
    '<!DOCTYPE tmx [<!ENTITY evil "INJECTED BY AN ENTITY">]>'
    '<tmx version="1.4"><header srclang="ja"/><body><tu>'
    '<tuv xml:lang="ja"><seg>給水車が来ます。</seg></tuv>'
    '<tuv xml:lang="en"><seg>&evil;</seg></tuv></tu></body></tmx>'
)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8"])
def test_tmx_with_a_dtd_is_refused_in_any_encoding(
    client: Any, admin_token: str, encoding: str
) -> None:
    body = ENTITY_TMX.encode(encoding)
    if encoding == "utf-16-le":
        body = b"\xff\xfe" + body
    elif encoding == "utf-16-be":
        body = b"\xfe\xff" + body
    before = counts()
    r = client.post(
        "/api/v1/memory.tmx",
        headers={**auth(admin_token), "Content-Type": "application/x-tmx+xml"},
        data=body,
    )
    assert assert_error(r, 400, None)["code"] == "invalid_tmx"
    assert counts() == before
    assert db.session.scalar(select(func.count()).select_from(MemoryEntry)) == 0


def test_utf16_tmx_without_a_dtd_still_imports(client: Any, admin_token: str) -> None:
    good = ENTITY_TMX.replace('<!DOCTYPE tmx [<!ENTITY evil "INJECTED BY AN ENTITY">]>', "")
    good = good.replace("&evil;", "The water truck is coming.")
    r = client.post(
        "/api/v1/memory.tmx",
        headers={**auth(admin_token), "Content-Type": "application/x-tmx+xml"},
        data=good.encode("utf-16"),
    )
    assert r.status_code == 200 and r.get_json() == {"imported": 1}


CONTROLS = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f"]


@pytest.mark.parametrize("char", CONTROLS)
def test_control_characters_in_api_json_are_refused_naming_the_field(
    client: Any, admin_token: str, char: str
) -> None:
    before = counts()
    r = client.post(
        "/api/v1/announcements",
        headers=auth(admin_token),
        json={"text": f"給水{char}車", "category": "food_water"},
    )
    assert assert_error(r, 400, "text")["code"] == "control_character"
    r = client.post(
        "/api/v1/inquiries",
        headers=auth(admin_token),
        json={"message": "水がほしい", "name": f"A{char}B"},
    )
    assert_error(r, 400, "name")
    r = client.post(
        "/api/v1/announcements",
        headers=auth(admin_token),
        json={"template_id": "x", "slots": {"place": f"体育館{char}"}},
    )
    assert_error(r, 400, "slots.place")
    r = client.post("/api/v1/shelters", headers=auth(admin_token), json={f"k{char}": "v"})
    assert r.status_code == 400
    assert counts() == before


def test_tab_newline_and_carriage_return_are_kept(client: Any, admin_token: str) -> None:
    r = client.post(
        "/api/v1/announcements",
        headers=auth(admin_token),
        json={"text": "給水\tのお知らせ\r\n15時から", "category": "food_water"},
    )
    assert r.status_code == 201, r.get_data(as_text=True)
    assert "\t" in db.session.get(Announcement, r.get_json()["id"]).revisions[-1].text


def test_control_characters_in_query_strings_are_refused(
    client: Any, admin_token: str, board_id: int
) -> None:
    r = client.get("/api/v1/glossary?q=%00", headers=auth(admin_token))
    assert_error(r, 400, "q")
    r = client.get("/api/v1/inquiries?category=%01", headers=auth(admin_token))
    assert_error(r, 400, "category")


def test_control_characters_in_console_forms_are_refused(app: Any, client: Any) -> None:
    accounts.create_user("op", "operator", "operator-password")
    client.post("/login", data={"username": "op", "password": "operator-password"})
    before = counts()
    r = client.post(
        "/announcements/new",
        data={"text": "給水\x00車", "source_lang": "ja", "category": "food_water"},
    )
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert "「text」に保存できない制御文字" in page and "\x00" not in page
    r = client.post("/shelters", data={"name_ja": "避難所\x07"})
    assert r.status_code == 400
    assert counts() == before


def test_control_characters_in_the_resident_form_are_refused_in_their_language(
    app: Any,
) -> None:
    client = app.test_client()
    form = {"message": "Cần nước\x00", "category": "food_water", "consent": "on", "lang": "vi"}
    before = counts()
    r = client.post("/help?lang=vi", data=form)
    assert r.status_code == 400
    assert "Vui lòng kiểm tra lại biểu mẫu." in r.get_data(as_text=True)
    assert counts() == before


def test_control_characters_in_a_tmx_file_are_refused(client: Any, admin_token: str) -> None:
    for seg in ("&#1;", "\x01", "&#0;"):
        body = (
            '<?xml version="1.0" encoding="UTF-8"?><tmx version="1.4"><header srclang="ja"/>'
            '<body><tu><tuv xml:lang="ja"><seg>水</seg></tuv>'
            f'<tuv xml:lang="en"><seg>wa{seg}ter</seg></tuv></tu></body></tmx>'
        )
        r = client.post(
            "/api/v1/memory.tmx",
            headers={**auth(admin_token), "Content-Type": "application/x-tmx+xml"},
            data=body.encode(),
        )
        assert_error(r, 400, None)
    assert db.session.scalar(select(func.count()).select_from(MemoryEntry)) == 0
