"""Hostile input against the API, the console and the resident pages: refused, or kept as text.

Every test here takes the ``app`` fixture, so it runs on SQLite and, with
TAGENGO_TEST_DATABASE_URL set, on PostgreSQL too (where a NUL in text would otherwise be a 500).
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from server.core.extensions import db
from server.models import (
    Announcement,
    BoardEvent,
    Inquiry,
    InquiryReply,
    MemoryEntry,
    Shelter,
)
from server.people import accounts

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


# --- the hostile set: every case is refused with the one error shape, or kept as text -----

BIG = "9" * 25  # beyond any 64-bit integer column
DEEP = "[" * 5000 + "]" * 5000
LONG = "あ" * 5001  # one past TAGENGO_MAX_TEXT_CHARS

# (method, path, how the body is sent, body, status, field)
REFUSED: list[tuple[str, str, str, Any, int, str | None]] = [
    # wrong-typed and oversized announcement fields
    ("POST", "/api/v1/announcements", "json", {"text": 123}, 400, "text"),
    ("POST", "/api/v1/announcements", "json", {"text": ["給水"]}, 400, "text"),
    ("POST", "/api/v1/announcements", "json", {"text": {"a": 1}}, 400, "text"),
    ("POST", "/api/v1/announcements", "json", {"text": True}, 400, "text"),
    ("POST", "/api/v1/announcements", "json", {"text": LONG}, 413, "text"),
    ("POST", "/api/v1/announcements", "json", {"text": "x", "category": 5}, 400, "category"),
    ("POST", "/api/v1/announcements", "json", {"text": "x", "drill": "yes"}, 400, "drill"),
    ("POST", "/api/v1/announcements", "json", {"text": "x", "severity": []}, 400, "severity"),
    ("POST", "/api/v1/announcements", "json", {"text": "x", "expires_at": 1}, 400, "expires_at"),
    (
        "POST",
        "/api/v1/announcements",
        "json",
        {"text": "x", "shelter_ids": "1"},
        400,
        "shelter_ids",
    ),
    (
        "POST",
        "/api/v1/announcements",
        "json",
        {"text": "x", "shelter_ids": [True]},
        400,
        "shelter_ids",
    ),
    (
        "POST",
        "/api/v1/announcements",
        "json",
        {"text": "x", "shelter_ids": [1.5]},
        400,
        "shelter_ids",
    ),
    (
        "POST",
        "/api/v1/announcements",
        "json",
        {"text": "x", "shelter_ids": [int(BIG)]},
        400,
        "shelter_ids",
    ),
    (
        "POST",
        "/api/v1/announcements",
        "json",
        {"text": "x", "source_lang": "<b>"},
        400,
        "source_lang",
    ),
    ("POST", "/api/v1/announcements", "json", {"template_id": "{{7*7}}"}, 400, "template_id"),
    (
        "POST",
        "/api/v1/announcements",
        "json",
        {"template_id": "food_water.water_truck", "slots": "x"},
        400,
        "slots",
    ),
    # malformed JSON bodies
    ("POST", "/api/v1/announcements", "raw-json", b'{"text": ', 400, None),
    ("POST", "/api/v1/announcements", "raw-json", b"[1, 2]", 400, None),
    ("POST", "/api/v1/announcements", "raw-json", DEEP.encode(), 400, None),
    ("POST", "/api/v1/announcements", "raw-json", b'{"text": "\\ud800"}', 400, "text"),
    ("POST", "/api/v1/announcements", "raw-json", b"\xff\xfe\x00garbage", 400, None),
    ("POST", "/api/v1/announcements", "form", {"text": "x"}, 415, None),
    ("POST", "/api/v1/announcements", "raw-json", b"x" * 300_000, 413, None),
    # inquiries
    ("POST", "/api/v1/inquiries", "json", {"message": ""}, 400, "message"),
    (
        "POST",
        "/api/v1/inquiries",
        "json",
        {"message": "水", "shelter_id": "abc"},
        400,
        "shelter_id",
    ),
    ("POST", "/api/v1/inquiries", "json", {"message": "水", "shelter_id": BIG}, 404, "shelter_id"),
    ("POST", "/api/v1/inquiries", "json", {"message": "水", "lang": "{{7*7}}"}, 400, "lang"),
    ("POST", "/api/v1/inquiries", "json", {"message": "水", "name": "n" * 201}, 413, "name"),
    ("POST", "/api/v1/inquiries", "json", {"message": "水", "category": ["x"]}, 400, "category"),
    # shelters
    ("POST", "/api/v1/shelters", "json", {"name_ja": None}, 400, "name_ja"),
    ("POST", "/api/v1/shelters", "json", {"name_ja": "避" * 201}, 413, "name_ja"),
    # the translate API
    ("POST", "/api/v1/translate", "json", {"q": [1, 2], "source": "ja", "target": "en"}, 400, "q"),
    ("POST", "/api/v1/translate", "json", {"q": [], "source": "ja", "target": "en"}, 400, "q"),
    (
        "POST",
        "/api/v1/translate",
        "json",
        {"q": "x", "source": "auto", "target": "en"},
        400,
        "source",
    ),
    (
        "POST",
        "/api/v1/translate",
        "json",
        {"q": "x", "source": "ja", "target": "\u202e"},
        400,
        "target",
    ),
    # bad query parameters
    ("GET", "/api/v1/announcements?limit=abc", "", None, 400, "limit"),
    ("GET", "/api/v1/announcements?limit=" + BIG, "", None, 200, None),  # clamped to 500
    ("GET", "/api/v1/announcements?status=<script>", "", None, 400, "status"),
    ("GET", "/api/v1/boards/1/feed?since=abc", "", None, 400, "since"),
    ("GET", "/api/v1/boards/1/feed?since=-1", "", None, 400, "since"),
    ("GET", "/api/v1/inquiries?status=bogus", "", None, 400, "status"),
    ("GET", "/api/v1/inquiries?shelter_id=" + BIG, "", None, 400, "shelter_id"),
    ("GET", "/api/v1/inquiries?older_than_hours=" + BIG, "", None, 400, "older_than_hours"),
    ("GET", "/api/v1/review?lang=xx-\u200b", "", None, 400, "lang"),
    # ids out of range in the path are simply not found
    ("GET", "/api/v1/announcements/" + BIG, "", None, 404, None),
    ("GET", "/api/v1/inquiries/" + BIG, "", None, 404, None),
    ("GET", "/api/v1/boards/" + BIG + "/feed", "", None, 404, None),
    ("POST", f"/api/v1/announcements/{BIG}/retract", "json", {}, 404, None),
    ("POST", f"/api/v1/shelters/{BIG}/boards", "json", {"name": "b"}, 404, None),
    # malformed TMX files
    ("POST", "/api/v1/memory.tmx", "tmx", b"", 400, None),
    ("POST", "/api/v1/memory.tmx", "tmx", b"<tmx><body><tu>", 400, None),
    ("POST", "/api/v1/memory.tmx", "tmx", b"\x00\x01\x02\x03", 400, None),
    ("POST", "/api/v1/memory.tmx", "tmx", b"<html><body/></html>", 400, None),
    (
        "POST",
        "/api/v1/memory.tmx",
        "tmx",
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;'
        b'&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><tmx><body><tu '
        b'srclang="ja"><tuv xml:lang="ja"><seg>&c;</seg></tuv></tu></body></tmx>',
        400,
        None,
    ),
    (
        "POST",
        "/api/v1/memory.tmx",
        "tmx",
        b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<tmx><body><tu srclang="ja"><tuv xml:lang="ja"><seg>&x;</seg></tuv>'
        b'<tuv xml:lang="en"><seg>x</seg></tuv></tu></body></tmx>',
        400,
        None,
    ),
    (
        "POST",
        "/api/v1/memory.tmx",
        "tmx",
        b'<?xml version="1.0" encoding="UTF-8"?><tmx><body><tu srclang="ja"><tuv xml:lang="ja">'
        b"<seg>\xff\xfe</seg></tuv></tu></body></tmx>",
        400,
        None,
    ),
]


def _send(client: Any, token: str, method: str, path: str, kind: str, body: Any) -> Any:
    headers = auth(token)
    if kind == "json":
        return client.open(path, method=method, headers=headers, json=body)
    if kind == "raw-json":
        headers["Content-Type"] = "application/json"
        return client.open(path, method=method, headers=headers, data=body)
    if kind == "tmx":
        headers["Content-Type"] = "application/x-tmx+xml"
        return client.open(path, method=method, headers=headers, data=body)
    if kind == "form":
        return client.open(path, method=method, headers=headers, data=body)
    return client.open(path, method=method, headers=headers)


@pytest.mark.parametrize(
    ("method", "path", "kind", "body", "status", "field"),
    REFUSED,
    ids=[f"{m} {p[:40]} {str(b)[:30]}" for m, p, _k, b, _s, _f in REFUSED],
)
def test_hostile_request_is_refused_with_one_error_shape_and_changes_nothing(
    client: Any,
    admin_token: str,
    board_id: int,
    method: str,
    path: str,
    kind: str,
    body: Any,
    status: int,
    field: str | None,
) -> None:
    before = counts()
    r = _send(client, admin_token, method, path, kind, body)
    if status == 200:
        assert r.status_code == 200, r.get_data(as_text=True)
    else:
        assert_error(r, status, field)
    assert counts() == before


HOSTILE_TEXTS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "{{7*7}} {% for x in range(3) %}x{% endfor %} ${7*7} #{7*7}",
    "\u202eevil\u202c 給水 \u2066isolate\u2069",
    "zero\u200bwidth\u200c\u200d\ufeff joiners",
    "' OR 1=1; DROP TABLE announcements; --",
    "&lt;already escaped&gt; &amp; &#x3c;",
    "👩‍👩‍👧 𠮷野家 \U0001f3f3\ufe0f\u200d\U0001f308",
]


@pytest.mark.parametrize("hostile", HOSTILE_TEXTS)
def test_hostile_text_is_stored_as_is_and_rendered_as_text(
    app: Any, client: Any, admin_token: str, hostile: str
) -> None:
    r = client.post(
        "/api/v1/announcements",
        headers=auth(admin_token),
        json={"text": hostile, "easy_text": hostile, "category": "other"},
    )
    assert r.status_code == 201, r.get_data(as_text=True)
    aid = r.get_json()["id"]
    db.session.rollback()
    assert db.session.get(Announcement, aid).revisions[-1].text == hostile.strip()
    r = client.post(
        "/api/v1/inquiries", headers=auth(admin_token), json={"message": hostile, "name": hostile}
    )
    assert r.status_code == 201, r.get_data(as_text=True)
    status_path = r.get_json()["status_url"].split("://", 1)[-1]
    status_path = status_path[status_path.index("/") :]

    from markupsafe import escape

    client.post("/login", data={"username": "boss", "password": "admin-password"})
    for page in (f"/announcements/{aid}", "/"):
        html = client.get(page).get_data(as_text=True)
        assert str(escape(hostile.strip())) in html, page
        assert "<script>alert" not in html and "<img src=x" not in html
    html = app.test_client().get(status_path).get_data(as_text=True)
    assert str(escape(hostile.strip())) in html
    assert "<script>alert" not in html and "<img src=x" not in html


def test_hostile_fields_in_the_resident_form_are_refused_in_their_language(app: Any) -> None:
    client = app.test_client()
    good = {"message": "Cần nước", "category": "food_water", "consent": "on", "lang": "vi"}
    before = counts()
    for bad in (
        {"message": "n" * 5001},
        {"category": "{{7*7}}"},
        {"shelter_id": BIG},
        {"shelter_id": "<b>"},
        {"lang": "\u202e"},
    ):
        r = client.post("/help?lang=vi", data={**good, **bad})
        assert r.status_code in (400, 404), (bad, r.status_code)
        assert "Vui lòng" in r.get_data(as_text=True), bad
    assert counts() == before
