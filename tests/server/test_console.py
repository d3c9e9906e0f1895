"""Operator console: sign-in, CSRF, composing, escaping, language switch and roles."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select

from server.core.extensions import db
from server.models import Announcement, Board, Shelter
from server.people import accounts


def login(client: Any, username: str = "op", password: str = "operator-password") -> Any:
    return client.post("/login", data={"username": username, "password": password})


def test_console_requires_sign_in(client: Any) -> None:
    r = client.get("/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_wrong_password_is_refused(client: Any) -> None:
    accounts.create_user("op", "operator", "operator-password")
    r = login(client, password="nope")
    assert r.status_code == 401
    assert "パスワード" in r.get_data(as_text=True)  # Japanese by default


def test_compose_publishes_and_shows_text_escaped(client: Any) -> None:
    accounts.create_user("op", "operator", "operator-password")
    login(client)
    evil = '<script>alert("x")</script> 給水は15時'
    r = client.post(
        "/announcements/new",
        data={
            "text": evil,
            "source_lang": "ja",
            "category": "food_water",
            "severity": "Moderate",
            "urgency": "Expected",
            "certainty": "Observed",
            "target": "all",
        },
    )
    assert r.status_code == 302
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "&lt;script&gt;alert(" in page
    assert '<script>alert("x")' not in page


def test_compose_error_is_readable_and_stores_nothing(client: Any) -> None:
    accounts.create_user("op", "operator", "operator-password")
    login(client)
    r = client.post(
        "/announcements/new",
        data={
            "text": "",
            "source_lang": "ja",
            "category": "other",
            "severity": "Moderate",
            "urgency": "Expected",
            "certainty": "Observed",
        },
    )
    assert r.status_code == 400
    assert "text" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Announcement.id))) == 0


def test_console_switches_to_english(client: Any) -> None:
    accounts.create_user("op", "operator", "operator-password")
    login(client)
    ja = client.get("/").get_data(as_text=True)
    en = client.get("/?lang=en").get_data(as_text=True)
    assert "お知らせ" in ja
    assert "Announcements" in en and "お知らせ一覧" not in en
    assert "Announcements" in client.get("/").get_data(as_text=True)  # remembered


def test_reviewer_cannot_publish(client: Any) -> None:
    accounts.create_user("rev", "reviewer", "reviewer-password")
    login(client, "rev", "reviewer-password")
    assert client.post("/announcements/new", data={"text": "x"}).status_code == 403


def test_forms_need_csrf_token(app: Any) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    accounts.create_user("op", "operator", "operator-password")
    r = client.post("/login", data={"username": "op", "password": "operator-password"})
    assert r.status_code == 400  # no token
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    r = client.post(
        "/login", data={"username": "op", "password": "operator-password", "csrf_token": token}
    )
    assert r.status_code == 302


def test_admin_sees_board_links_and_can_rotate(client: Any, app: Any) -> None:
    accounts.create_user("boss", "admin", "admin-password")
    shelter = accounts.create_shelter("市民センター")
    board = accounts.create_board(shelter.id, "ロビー")
    login(client, "boss", "admin-password")
    page = client.get("/shelters").get_data(as_text=True)
    old = re.search(rf"/board/{board.id}\?token=([\w.]+)", page).group(1)  # type: ignore[union-attr]
    assert client.get(f"/board/{board.id}?token={old}").status_code == 200
    # Without the confirmation nothing changes: a page asks first.
    asked = client.post(f"/boards/{board.id}/new-link")
    assert asked.status_code == 200 and 'name="confirm" value="yes"' in asked.get_data(as_text=True)
    assert client.get(f"/board/{board.id}?token={old}").status_code == 200
    assert client.post(f"/boards/{board.id}/new-link", data={"confirm": "yes"}).status_code == 302
    assert client.get(f"/board/{board.id}?token={old}").status_code == 403
    db.session.expire_all()
    assert db.session.get(Board, board.id).token_version == 2


def test_pages_carry_security_headers(client: Any) -> None:
    r = client.get("/login")
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in r.headers["Content-Security-Policy"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in r.get_data(as_text=True)  # no inline scripts anywhere


def test_board_page_has_no_inline_script_and_no_external_asset(client: Any, app: Any) -> None:
    shelter = Shelter(name_ja="<b>体育館</b>")
    db.session.add(shelter)
    db.session.commit()
    board = accounts.create_board(shelter.id, "TV")
    from server.core.security import board_token

    token = board_token(app.config["SECRET_KEY"], board.id, board.token_version)
    page = client.get(f"/board/{board.id}?token={token}").get_data(as_text=True)
    assert "&lt;b&gt;体育館" in page
    assert not re.search(r"<script>(?!</script>)", page)
    assert not re.search(r'(src|href)="(https?:)?//', page)
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', page):
        assert client.get(asset).status_code == 200, asset


def test_favicon_is_served_locally(client: Any) -> None:
    r = client.get("/favicon.ico")
    assert r.status_code == 200 and r.mimetype == "image/vnd.microsoft.icon"
    assert r.data[:4] == b"\x00\x00\x01\x00"  # an ICO header
    page = client.get("/login").get_data(as_text=True)
    assert 'rel="icon" href="/static/favicon.svg"' in page
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200 and b"<svg" in svg.data


def test_daily_report_is_in_the_navigation(client: Any) -> None:
    accounts.create_user("op", "operator", "operator-password")
    login(client)
    nav = client.get("/").get_data(as_text=True).split("<nav>")[1].split("</nav>")[0]
    assert 'href="/reports"' in nav and "日報" in nav
