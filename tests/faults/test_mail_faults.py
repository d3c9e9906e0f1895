"""A worker killed while sending the e-mail list: every subscriber still gets it exactly once."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from server.channels import mail
from server.channels.models import MailDelivery
from server.core import database
from server.core.extensions import db
from server.people import accounts
from tests.faults.conftest import FaultCenter, OwnRedis
from tests.mailsink import SmtpSink

SUBSCRIBERS = 24


def announcements(sink: SmtpSink) -> list[str]:
    """Recipients of the list's messages (confirmation mails a worker may send are left out)."""
    return [to[0] for to, m in sink.messages() if str(m["Message-ID"]).startswith("<tagengo.")]


@pytest.fixture(scope="module")
def slow_sink(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SmtpSink]:
    # 0.25 s per message: the batch takes ~6 s, long enough to be caught in the middle.
    server = SmtpSink(tmp_path_factory.mktemp("mailbox"), delay=0.25).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def mail_center(
    tmp_path_factory: pytest.TempPathFactory, own_redis: OwnRedis, slow_sink: SmtpSink
) -> Iterator[FaultCenter]:
    base: Path = tmp_path_factory.mktemp("mail-center")
    db_url = f"sqlite:///{base / 'tagengo.db'}"
    database.upgrade(db_url)
    live = FaultCenter(base, db_url, own_redis.url)
    live.env.update({"TAGENGO_SMTP_URL": slow_sink.url, "TAGENGO_MAIL_LEASE_SECONDS": "3"})
    live.app.config.update(SMTP_URL=slow_sink.url, MAIL_LEASE_SECONDS=3)
    live.start()
    try:
        yield live
    finally:
        live.stop()


@pytest.mark.slow
def test_worker_killed_mid_send_every_subscriber_gets_it_once(
    mail_center: FaultCenter, slow_sink: SmtpSink
) -> None:
    center = mail_center
    with center.app.app_context():
        accounts.create_user("desk", "operator", "operator-password")
        token = accounts.create_token("desk")
        addresses = [f"resident{i}@example.org" for i in range(SUBSCRIBERS)]
        for address in addresses:
            mail.confirm(mail.subscribe(address, "en"))
    r = center.api(
        "POST",
        "/api/v1/announcements",
        token,
        json={"text": "Water at the school at 3 pm.", "source_lang": "en", "email": True},
    )
    assert r.status_code == 201, r.text

    deadline = time.monotonic() + 60
    while len(announcements(slow_sink)) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert 4 <= len(announcements(slow_sink)) < SUBSCRIBERS, "the batch finished before the kill"
    center.kill("worker")
    at_kill = len(announcements(slow_sink))

    deadline = time.monotonic() + 120
    while len(announcements(slow_sink)) < SUBSCRIBERS and time.monotonic() < deadline:
        time.sleep(0.5)
    time.sleep(3)  # a duplicate, if any, would arrive now
    received = Counter(announcements(slow_sink))
    assert at_kill < SUBSCRIBERS
    with center.app.app_context():
        rows = [
            (r.subscriber_id, r.status, r.attempts, r.error)
            for r in db.session.scalars(select(MailDelivery))
        ]
    assert received == Counter(addresses), f"got {received}; rows {rows}; logs in {center.logs}"
    assert center.stack.restarts.get("worker"), "the worker was not restarted"
    with center.app.app_context():
        statuses = set(db.session.scalars(select(MailDelivery.status)))
        assert statuses == {"sent"}
        # At most the message in flight at the kill lacks the server's 250 (sent_at): its "."
        # had gone, the server stored it, and it is not sent again.
        unanswered = db.session.scalars(
            select(MailDelivery.id).where(MailDelivery.sent_at.is_(None))
        ).all()
        assert len(unanswered) <= 1
    assert requests.get(center.url + "/health", timeout=10).status_code == 200
