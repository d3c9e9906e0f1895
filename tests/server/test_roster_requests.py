"""The roster, interpreter dispatch with its clash check, invites, and the requester's pages."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from server.core.clock import center_tz
from server.core.extensions import db
from server.models import AuditLog, User, utcnow
from server.people import accounts
from server.requests import documents, invites
from server.requests.models import InterpreterRequest, Invite, TranslationRequest
from server.roster import service as roster
from server.roster.models import Dispatch, Person


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def op(app: Any) -> str:
    accounts.create_user("op", "operator", "operator-password")
    accounts.create_user("city", "requester", "requester-password")
    return accounts.create_token("op")


def later(hours: float) -> str:
    return (utcnow() + timedelta(hours=hours)).astimezone(center_tz()).isoformat()


def person(client: Any, token: str, name: str, langs: str, **extra: Any) -> int:
    body = {"name": name, "kind": "interpreter", "languages": langs, **extra}
    r = client.post("/api/v1/roster", json=body, headers=auth(token))
    assert r.status_code == 201, r.json
    return int(r.json["id"])


def test_who_speaks_nepali_and_is_free_this_evening(client: Any, op: str) -> None:
    start, end = roster.evening()
    shift = [{"starts_at": (start - timedelta(hours=1)).isoformat(), "ends_at": end.isoformat()}]
    maya = person(client, op, "Maya", "ne:native,ja:working", shifts=shift, contact="090-1111")
    person(client, op, "Ram", "ne:working", shifts=shift)
    person(client, op, "Off", "ne:native", shifts=shift, status="off")
    person(client, op, "Morning", "ne:native")  # no shift this evening
    person(client, op, "Viet", "vi:native", shifts=shift)
    found = roster.search("ne", start, end)
    assert [p.name for p in found] == ["Maya", "Ram"]  # native before working
    assert [p.name for p in roster.search("ne", start, end, min_level="fluent")] == ["Maya"]
    # Dispatched this evening: no longer free.
    roster.dispatch(
        db.session.get(Person, maya), start, start + timedelta(hours=1), db.session.get(User, 1)
    )
    db.session.commit()
    assert [p.name for p in roster.search("ne", start, end)] == ["Ram"]


def test_bad_roster_entries_are_refused(client: Any, op: str) -> None:
    for body, field in (
        ({"name": "A", "languages": "xx:native"}, "languages"),
        ({"name": "A", "languages": "ne:superb"}, "languages"),
        ({"name": "A", "languages": "ne", "skills": ["juggling"]}, "skills"),
        ({"languages": "ne"}, "name"),
    ):
        r = client.post("/api/v1/roster", json=body, headers=auth(op))
        assert (r.status_code, r.json["error"]["field"]) == (400, field)
    assert db.session.scalar(select(func.count(Person.id))) == 0


def test_a_contact_is_shown_only_on_the_audited_page_and_purged(client: Any, op: str) -> None:
    pid = person(client, op, "Maya", "ne:native", contact="maya@example.org")
    client.post("/login", data={"username": "op", "password": "operator-password"})
    listing = client.get("/roster").get_data(as_text=True)
    assert "Maya" in listing and "maya@example.org" not in listing
    roster_views = select(AuditLog).where(AuditLog.object_type == "roster_person")
    assert db.session.scalars(roster_views).all() == []  # (account changes are audited too)
    assert "maya@example.org" in client.get(f"/roster/{pid}").get_data(as_text=True)
    audit = db.session.scalar(roster_views)
    assert (audit.action, audit.object_type, audit.object_id) == (
        "view_contact",
        "roster_person",
        pid,
    )
    row = db.session.get(Person, pid)
    row.updated_at = utcnow() - timedelta(days=400)
    db.session.commit()
    assert roster.purge(180) == 1
    db.session.refresh(row)
    assert row.contact is None and row.purged_at is not None


def interpreter_request(client: Any, token: str, start: float, end: float) -> int:
    body = {"lang": "ne", "place": "第一小学校", "starts_at": later(start), "ends_at": later(end)}
    r = client.post("/api/v1/interpreter-requests", json=body, headers=auth(token))
    assert r.status_code == 201, r.json
    return int(r.json["id"])


def test_a_clashing_second_dispatch_is_refused(client: Any, op: str) -> None:
    maya = person(client, op, "Maya", "ne:native")
    first = interpreter_request(client, op, 2, 4)
    second = interpreter_request(client, op, 3, 5)  # overlaps the first
    third = interpreter_request(client, op, 4, 6)  # starts when the first ends
    url = "/api/v1/interpreter-requests/{}/dispatch"
    assert (
        client.post(url.format(first), json={"person_id": maya}, headers=auth(op)).status_code
        == 201
    )
    clash = client.post(url.format(second), json={"person_id": maya}, headers=auth(op))
    assert (clash.status_code, clash.json["error"]["code"]) == (409, "clash")
    assert "Maya" in clash.json["error"]["message"]
    assert db.session.get(InterpreterRequest, second).status == "open"
    assert (
        client.post(url.format(third), json={"person_id": maya}, headers=auth(op)).status_code
        == 201
    )
    assert db.session.scalar(select(func.count(Dispatch.id))) == 2
    viet = person(client, op, "Viet", "vi:native")
    wrong = client.post(url.format(second), json={"person_id": viet}, headers=auth(op))
    assert (wrong.status_code, wrong.json["error"]["code"]) == (409, "language")


def test_bad_interpreter_requests_are_refused(client: Any, op: str) -> None:
    base = {"lang": "ne", "place": "体育館", "starts_at": later(1), "ends_at": later(2)}
    for change, field in (
        ({"lang": "xx"}, "lang"),
        ({"lang": "fr"}, "lang"),
        ({"starts_at": later(-1)}, "starts_at"),
        ({"ends_at": later(0.5)}, "ends_at"),
        ({"place": ""}, "place"),
    ):
        r = client.post("/api/v1/interpreter-requests", json=base | change, headers=auth(op))
        assert (r.status_code, r.json["error"]["field"]) == (400, field), change
    assert db.session.scalar(select(func.count(InterpreterRequest.id))) == 0


def test_an_invite_makes_one_remote_account_until_it_expires(app: Any) -> None:
    admin, _ = accounts.create_user("boss", "admin", "admin-password")
    _, token = invites.create(["en"], "福岡県国際交流センター", admin)
    client = app.test_client()
    page = client.get(f"/invite/{token}")
    assert page.status_code == 200 and "福岡県国際交流センター" in page.get_data(as_text=True)
    r = client.post(f"/invite/{token}", data={"username": "kyushu1", "password": "remote-password"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/requests/queue")
    user = db.session.scalar(select(User).where(User.username == "kyushu1"))
    assert (user.role, user.languages) == ("remote", "en")
    assert client.get(f"/invite/{token}").status_code == 410  # used
    late, late_token = invites.create(["en"], "", admin)
    late.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    gone = app.test_client().post(
        f"/invite/{late_token}", data={"username": "kyushu2", "password": "remote-password"}
    )
    assert gone.status_code == 410 and "expired" in gone.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id)).where(User.role == "remote")) == 1
    assert db.session.scalar(select(func.count(Invite.id))) == 2


def test_a_requester_sends_a_docx_on_the_console_and_downloads_the_result(
    app: Any, op: str
) -> None:
    browser = app.test_client()
    browser.post("/login", data={"username": "city", "password": "requester-password"})
    assert browser.get("/").headers["Location"].endswith("/requests/mine")
    assert browser.get("/inquiries").status_code == 403
    form = {
        "title": "給水",
        "targets": ["en"],
        "file": (io.BytesIO(documents.write_docx("給水車が来ます。", "ja")), "kyusui.docx"),
    }
    r = browser.post("/requests/new", data=form, content_type="multipart/form-data")
    assert r.status_code == 302
    req = db.session.scalar(select(TranslationRequest))
    assert req.source_text == "給水車が来ます。"
    piece = req.pieces[0]
    piece.text, piece.status, piece.delivered_at = "A water truck comes.", "delivered", utcnow()
    db.session.commit()
    page = browser.get(f"/requests/{req.id}").get_data(as_text=True)
    assert "A water truck comes." in page
    got = browser.get(f"/requests/{req.id}/en.docx")
    assert got.status_code == 200
    assert documents.read_docx(got.data, 10_000) == "A water truck comes."
    assert browser.get(f"/requests/{req.id}/en.txt").data == b"A water truck comes."
    # Another requester sees none of it.
    accounts.create_user("town", "requester", "requester-password")
    other = app.test_client()
    other.post("/login", data={"username": "town", "password": "requester-password"})
    assert other.get(f"/requests/{req.id}").status_code == 403
    assert other.get(f"/requests/{req.id}/en.docx").status_code == 403


def test_the_console_form_refuses_a_past_deadline_and_keeps_nothing(app: Any, op: str) -> None:
    browser = app.test_client()
    browser.post("/login", data={"username": "city", "password": "requester-password"})
    past = (datetime.now(center_tz()) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    r = browser.post("/requests/new", data={"text": "給水", "targets": ["en"], "deadline": past})
    assert r.status_code == 400
    assert "future" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count(TranslationRequest.id))) == 0


def test_scoped_accounts_hear_requests_but_not_the_desk(app: Any, op: str) -> None:
    from server.core.extensions import socketio
    from server.live import events

    accounts.create_user("far", "remote", "remote-password")
    heard = {}
    for username, password in (("far", "remote-password"), ("op", "operator-password")):
        web = app.test_client()
        web.post("/login", data={"username": username, "password": password})
        with app.app_context():  # a context of its own, as a server gives each connection
            heard[username] = socketio.test_client(app, namespace="/live", flask_test_client=web)
        assert heard[username].is_connected("/live")
    events.emit_control("inquiry", {"type": "created", "id": 1}, room="console")
    events.emit_control("request", {"type": "request.new", "piece_id": 1}, room="requests")
    got = {name: [m["name"] for m in c.get_received("/live")] for name, c in heard.items()}
    assert got == {"far": ["request"], "op": ["inquiry"]}
