"""Inquiry messages and desk replies go through the batched machine drain like everything else."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from server.core.extensions import db
from server.inquiries import service as inquiries
from server.inquiries import translate
from server.models import Inquiry, InquiryReply, MachineJob, Outbox, User
from server.people import accounts
from server.translation import machine_jobs
from translations.mt import ArgosEngine, install
from translations.mt.tiny import build_tiny_package


@pytest.fixture
def models(app: Any, tmp_path: Path) -> None:
    folder = Path(app.config["ARGOS_PACKAGES_DIR"])
    install(build_tiny_package(tmp_path / "a", "es", "ja", {"agua": "みず"}), folder)
    install(build_tiny_package(tmp_path / "b", "ja", "es", {"みず": "agua"}), folder)


@pytest.fixture
def batches(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    calls: list[list[str]] = []
    original = ArgosEngine.translate

    def counting(self: ArgosEngine, texts: list[str], src: str, tgt: str) -> Any:
        calls.append(list(texts))
        return original(self, texts, src, tgt)

    monkeypatch.setattr(ArgosEngine, "translate", counting)
    return calls


def ask(message: str) -> Inquiry:
    fields = inquiries.parse({"message": message, "lang": "es"}, "api")
    return inquiries.create(fields, "api")[0]


def test_two_inquiries_are_translated_in_one_batch(
    app: Any, models: None, batches: list[list[str]]
) -> None:
    first, second = ask("agua 1"), ask("agua 2")
    for inquiry in (first, second):
        translate.process(inquiry.id)
    jobs = db.session.scalars(select(MachineJob)).all()
    assert {(j.kind, j.ref_id, j.target_lang) for j in jobs} == {
        ("inquiry", first.id, "ja"),
        ("inquiry", second.id, "ja"),
    }
    assert db.session.get(Inquiry, first.id).message_ja_method == "pending"

    assert machine_jobs.translate_machine("es", "ja") == 2
    assert batches == [["agua 1", "agua 2"]]  # one model call for both residents
    db.session.expire_all()
    for inquiry, number in ((first, "1"), (second, "2")):
        row = db.session.get(Inquiry, inquiry.id)
        assert (row.message_ja, row.message_ja_method) == (f"みず {number}", "machine")
    assert db.session.scalar(select(MachineJob)) is None
    assert all(o.processed_at for o in db.session.scalars(select(Outbox)))


def test_a_redelivered_process_task_adds_no_second_job(app: Any, models: None) -> None:
    inquiry = ask("agua")
    translate.process(inquiry.id)
    translate.process(inquiry.id)  # as the sweep or Celery might
    assert len(db.session.scalars(select(MachineJob)).all()) == 1
    assert machine_jobs.translate_machine("es", "ja") == 1
    outbox = db.session.scalar(select(Outbox).where(Outbox.ref == f"inquiry:{inquiry.id}"))
    assert outbox.processed_at is not None


def test_a_reply_is_translated_by_the_drain_and_closes_its_work(
    app: Any, models: None, batches: list[list[str]]
) -> None:
    accounts.create_user("desk", "operator")
    user = db.session.scalar(select(User).where(User.username == "desk"))
    inquiry = ask("agua")
    translate.process(inquiry.id)
    machine_jobs.translate_machine("es", "ja")
    reply = inquiries.reply(db.session.get(Inquiry, inquiry.id), {"text": "みず"}, user)
    translate.translate_reply(reply.id)
    assert db.session.get(InquiryReply, reply.id).status == "translating"
    assert db.session.get(Inquiry, inquiry.id).status == "waiting"  # the resident has nothing yet
    assert machine_jobs.translate_machine("ja", "es") == 1
    db.session.expire_all()
    done = db.session.get(InquiryReply, reply.id)
    assert (done.status, done.text, done.method) == ("done", "agua", "machine")
    assert db.session.get(Inquiry, inquiry.id).status == "answered"
    assert db.session.scalar(select(Outbox.processed_at).where(Outbox.ref == f"reply:{reply.id}"))


def test_purge_drops_a_waiting_job_with_the_residents_words(app: Any, models: None) -> None:
    inquiry = ask("agua")
    translate.process(inquiry.id)
    assert db.session.scalar(select(MachineJob.text)) == "agua"
    assert inquiries.purge(older_than_days=-1) == 1
    assert db.session.scalar(select(MachineJob)) is None
    assert machine_jobs.translate_machine("es", "ja") == 0
