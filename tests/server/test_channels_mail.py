"""The e-mail list against a real SMTP server process: opt-in, one message per subscriber."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from server.channels import mail
from server.channels.models import MailBatch, MailDelivery, MailSubscriber
from server.core.extensions import db
from server.models import Announcement, AuditLog, Outbox, utcnow
from server.people import accounts
from server.translation import planning
from tests.mailsink import SmtpSink

LINK = re.compile(r"http://\S+/help/mail/(confirm|unsubscribe)/(\S+)")


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[SmtpSink]:
    server = SmtpSink(tmp_path / "mailbox").start()
    yield server
    server.stop()


@pytest.fixture
def mailing(app: Any, sink: SmtpSink) -> SmtpSink:
    app.config["SMTP_URL"] = sink.url
    return sink


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def confirmed(lang: str, address: str) -> MailSubscriber:
    row = mail.subscribe(address, lang)
    mail.confirm(row)
    return row


def body(message: Any) -> str:
    return str(message.get_content())


def test_double_opt_in_through_the_resident_pages(client: Any, mailing: SmtpSink) -> None:
    page = client.get("/help/mail?lang=vi")
    assert page.status_code == 200 and 'value="vi" lang="vi" selected' in page.get_data(True)
    bad = client.post("/help/mail", data={"email": "not an address", "mail_lang": "vi"})
    assert bad.status_code == 400 and db.session.scalar(select(func.count(MailSubscriber.id))) == 0
    r = client.post("/help/mail", data={"email": "Lan@Example.org", "mail_lang": "vi"})
    assert r.status_code == 200
    row = db.session.scalars(select(MailSubscriber)).one()
    assert (row.email, row.lang, row.status) == ("lan@example.org", "vi", "pending")
    work = db.session.scalars(select(Outbox).where(Outbox.ref == f"mail-confirm:{row.id}")).one()
    assert work.args == [row.id]  # an id, never the address
    assert mail.send_confirmation(row.id)
    [(to, message)] = mailing.messages()
    assert to == ["lan@example.org"]
    kind, token = LINK.search(body(message)).groups()  # type: ignore[union-attr]
    assert kind == "confirm"
    assert client.get(f"/help/mail/confirm/{token}").status_code == 200
    db.session.expire_all()
    assert db.session.get(MailSubscriber, row.id).status == "pending"  # a GET changes nothing
    assert client.post(f"/help/mail/confirm/{token}").status_code == 200
    db.session.expire_all()
    assert db.session.get(MailSubscriber, row.id).status == "confirmed"
    assert client.get("/help/mail/confirm/forged").status_code == 404


def test_an_announcement_reaches_each_subscriber_once_in_their_language(
    client: Any, operator_token: str, mailing: SmtpSink
) -> None:
    people = {"en": "amy@example.org", "vi": "lan@example.org", "ja": "taro@example.jp"}
    for lang, address in people.items():
        confirmed(lang, address)
    mail.subscribe("never@example.org", "en")  # never confirmed: gets nothing
    r = client.post(
        "/api/v1/announcements",
        json={
            "template_id": "food_water.water_truck",
            "slots": {"place": "第一小学校", "time": "15:00"},
            "category": "food_water",
            "email": True,
        },
        headers=auth(operator_token),
    )
    assert r.status_code == 201, r.get_json()
    aid = r.get_json()["id"]
    planning.translate_revision(aid, 1)
    batch = db.session.scalars(select(MailBatch)).one()
    assert mail.send_batch(batch.id) == 3
    assert mail.send_batch(batch.id) == 0  # a redelivered task sends nothing again
    received = {to[0]: m for to, m in mailing.messages()}
    assert set(received) == set(people.values())
    assert "water truck" in body(received["amy@example.org"])
    assert "給水車" in body(received["taro@example.jp"])
    assert "xe" in body(received["lan@example.org"]).lower()
    for message in received.values():
        assert message["List-Unsubscribe"] and "/help/mail/unsubscribe/" in body(message)
    db.session.expire_all()
    assert db.session.get(MailBatch, batch.id).finished_at is not None
    assert db.session.scalar(
        select(Outbox.processed_at).where(Outbox.ref == f"mail-batch:{batch.id}")
    )
    # Marking it again is the same batch: nobody gets it twice.
    again = client.post(f"/api/v1/announcements/{aid}/email", headers=auth(operator_token))
    assert again.status_code == 202 and again.get_json()["id"] == batch.id
    assert again.get_json()["messages"]["sent"] == 3


def test_unsubscribe_link_erases_the_address(client: Any, mailing: SmtpSink) -> None:
    row = confirmed("en", "amy@example.org")
    token = mail._link(mail.UNSUBSCRIBE, row).rsplit("/", 1)[1]
    assert client.get(f"/help/mail/unsubscribe/{token}").status_code == 200
    # RFC 8058 one-click: the mail program POSTs without a page or a CSRF token.
    r = client.post(f"/help/mail/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert r.status_code == 200
    db.session.expire_all()
    row = db.session.get(MailSubscriber, row.id)
    assert row.email is None and row.status == "unsubscribed"
    assert client.post(f"/help/mail/unsubscribe/{token}").status_code == 404  # link now void


def test_a_language_still_translating_waits_then_goes_in_japanese_and_english(
    client: Any, operator_token: str, mailing: SmtpSink, app: Any
) -> None:
    confirmed("ja", "taro@example.jp")
    confirmed("vi", "lan@example.org")  # no model for ja→vi: this language never arrives
    r = client.post(
        "/api/v1/announcements",
        json={"text": "体育館は18時に閉まります。", "category": "shelter", "email": True},
        headers=auth(operator_token),
    )
    aid = r.get_json()["id"]
    planning.translate_revision(aid, 1)
    batch = db.session.scalars(select(MailBatch)).one()
    assert mail.send_batch(batch.id) == 1
    assert [to for to, _m in mailing.messages()] == [["taro@example.jp"]]
    app.config["MAIL_WAIT_SECONDS"] = 0
    assert mail.send_batch(batch.id) == 1
    vi = next(m for to, m in mailing.messages() if to == ["lan@example.org"])
    assert "体育館は18時に閉まります。" in body(vi)


def test_a_server_that_is_away_leaves_messages_for_the_next_try(
    client: Any, operator_token: str, app: Any, tmp_path: Path
) -> None:
    sink = SmtpSink(tmp_path / "late")
    app.config["SMTP_URL"] = sink.url  # nothing listens there yet
    confirmed("en", "amy@example.org")
    aid = client.post(
        "/api/v1/announcements",
        json={"text": "Water at 3 pm.", "source_lang": "en", "category": "food_water"},
        headers=auth(operator_token),
    ).get_json()["id"]
    batch = mail.schedule(db.session.get(Announcement, aid), None)
    assert mail.send_batch(batch.id) == 0
    row = db.session.scalars(select(MailDelivery)).one()
    assert (row.status, row.attempts) == ("pending", 1)
    sink.start()
    try:
        assert mail.send_batch(batch.id) == 1
        assert len(sink.messages()) == 1
    finally:
        sink.stop()


def test_api_refuses_email_without_a_mail_server_and_publishes_nothing(
    client: Any, operator_token: str
) -> None:
    r = client.post(
        "/api/v1/announcements",
        json={"text": "テスト", "category": "other", "email": True},
        headers=auth(operator_token),
    )
    assert r.status_code == 409 and r.get_json()["error"]["field"] == "email"
    assert db.session.scalar(select(func.count(Announcement.id))) == 0


def test_staff_see_counts_and_only_admins_see_addresses_audited(
    client: Any, mailing: SmtpSink
) -> None:
    confirmed("en", "amy@example.org")
    accounts.create_user("op", "operator", "operator-password")
    accounts.create_user("boss", "admin", "admin-password")
    client.post("/login", data={"username": "op", "password": "operator-password"})
    page = client.get("/mail").get_data(as_text=True)
    assert "English" in page and "amy@example.org" not in page
    assert client.get("/mail?personal=1").status_code == 403
    client.post("/logout")
    client.post("/login", data={"username": "boss", "password": "admin-password"})
    assert "amy@example.org" in client.get("/mail?personal=1").get_data(as_text=True)
    audit = db.session.scalars(select(AuditLog).where(AuditLog.object_type == "mail_subscriber"))
    assert [a.action for a in audit] == ["view"]


def test_unconfirmed_addresses_are_purged(app: Any, mailing: SmtpSink) -> None:
    old = mail.subscribe("old@example.org", "en")
    old.created_at = utcnow() - timedelta(days=8)
    db.session.commit()
    mail.subscribe("new@example.org", "en")
    confirmed("en", "kept@example.org").created_at = utcnow() - timedelta(days=30)
    db.session.commit()
    assert mail.purge(7) == 1
    left = set(db.session.scalars(select(MailSubscriber.email)))
    assert left == {"new@example.org", "kept@example.org"}
