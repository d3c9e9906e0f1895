"""E-mail notices of requests: to the people who can take one, and to admins when overdue.

A real SMTP server process (tests/mailsink.py) receives them; each goes out once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from server.core.extensions import db
from server.models import Outbox, User, utcnow
from server.people import accounts
from server.requests import notices
from server.requests import service as requests
from server.requests.models import RequestNotice, TranslationRequest
from server.roster import service as roster
from tests.mailsink import SmtpSink


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[SmtpSink]:
    server = SmtpSink(tmp_path / "mailbox").start()
    yield server
    server.stop()


def _user(name: str, role: str, langs: str = "ja") -> User:
    user, _ = accounts.create_user(name, role, f"{name}-password-long")
    user.languages = langs
    db.session.commit()
    return user


def _person(name: str, langs: str, contact: str | None, **extra: Any) -> None:
    fields = {
        "name": name,
        "kind": "volunteer",
        "languages": roster.parse_languages(langs),
        "skills": ["written"],
        "contact": contact,
        **extra,
    }
    roster.create_person(fields)


@pytest.fixture
def people(app: Any) -> dict[str, str]:
    remote = _user("remote1", "remote", "en,vi")
    other = _user("remote2", "remote", "th")
    boss = _user("boss", "admin")
    _user("city", "requester")
    _person("Remote One", "en:fluent", "remote1@example.org", user_id=remote.id)
    _person("Remote Two", "th:native", "remote2@example.org", user_id=other.id)
    _person("Boss", "ja:native", "boss@example.jp", user_id=boss.id, skills=[])
    _person("Lan", "vi:native", "lan@example.org")
    _person("Busy", "vi:native", "busy@example.org", status="off")
    _person("Speaker", "vi:native", "speaker@example.org", skills=["interpreting"])
    _person("Phone", "en:native", "090-1234-5678")
    return {"city": accounts.create_token("city")}


def _request(client: Any, token: str) -> int:
    r = client.post(
        "/api/v1/requests",
        json={"text": "避難所で水を配ります。", "targets": ["en", "vi"], "title": "給水のお知らせ"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 201, r.get_json()
    return int(r.get_json()["id"])


def test_a_new_request_mails_the_people_who_can_take_it_once(
    app: Any, client: Any, people: dict[str, str], sink: SmtpSink, caplog: Any
) -> None:
    app.config["SMTP_URL"] = sink.url
    caplog.set_level(logging.INFO)
    rid = _request(client, people["city"])
    work = db.session.scalars(select(Outbox).where(Outbox.ref == f"request-notices:{rid}")).one()
    assert work.args == [rid]  # an id, never an address
    assert notices.send(rid) == 2
    assert notices.send(rid) == 0  # a redelivered task sends nothing twice
    received = {to[0]: m for to, m in sink.messages()}
    assert set(received) == {"remote1@example.org", "lan@example.org"}
    message = received["lan@example.org"]
    assert "給水のお知らせ" in message["Subject"] and "en, vi" in message["Subject"]
    body = message.get_body().get_content()
    assert "/requests/queue" in body and "JST" in body
    assert "避難所で水を配ります" not in body
    assert "@" not in caplog.text
    states = db.session.scalars(select(RequestNotice.status)).all()
    assert states == ["sent", "sent"]


def test_an_overdue_piece_mails_the_admins_once(
    app: Any, client: Any, people: dict[str, str], sink: SmtpSink
) -> None:
    app.config["SMTP_URL"] = sink.url
    rid = _request(client, people["city"])
    notices.send(rid)
    db.session.get(TranslationRequest, rid).deadline = utcnow() - timedelta(minutes=5)
    db.session.commit()
    assert requests.tick() == (0, 2)
    assert notices.send(rid) == 2  # one mail per overdue piece
    assert requests.tick() == (0, 0)
    assert notices.send(rid) == 0
    overdue = [m for to, m in sink.messages() if to == ["boss@example.jp"]]
    assert len(overdue) == 2 and all("Overdue" in m["Subject"] for m in overdue)
    assert "/requests/pieces/" in overdue[0].get_body().get_content()


def test_without_a_mail_server_nothing_is_recorded(
    app: Any, client: Any, people: dict[str, str]
) -> None:
    app.config["SMTP_URL"] = ""
    _request(client, people["city"])
    assert db.session.scalars(select(RequestNotice)).all() == []


def test_a_contact_purged_before_sending_is_skipped(
    app: Any, client: Any, people: dict[str, str], sink: SmtpSink
) -> None:
    app.config["SMTP_URL"] = sink.url
    rid = _request(client, people["city"])
    assert roster.purge(-1) > 0  # every contact emptied
    assert notices.send(rid) == 0 and sink.messages() == []
    assert set(db.session.scalars(select(RequestNotice.status))) == {"skipped"}
