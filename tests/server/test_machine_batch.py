"""Machine jobs: every waiting text of a language pair goes through one batched call."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from server.announcements import drafts
from server.announcements import service as announcements
from server.core.extensions import db
from server.core.tasks import TaskName
from server.models import BoardEvent, MachineJob, Outbox, Translation, utcnow
from server.translation import machine_jobs
from server.translation import planning as translating
from translations.mt import ArgosEngine, install
from translations.mt.tiny import build_tiny_package


@pytest.fixture
def tiny_models(app: Any, tmp_path: Path) -> None:
    folder = Path(app.config["ARGOS_PACKAGES_DIR"])
    install(
        build_tiny_package(tmp_path, "es", "en", {"agua": "water", "refugio": "shelter"}), folder
    )


def publish(text: str) -> int:
    return announcements.create(drafts.parse_draft({"text": text, "source_lang": "es"}), None).id


def test_waiting_texts_of_a_pair_share_one_batch(
    app: Any, tiny_models: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    original = ArgosEngine.translate

    def counting(self: ArgosEngine, texts: list[str], src: str, tgt: str) -> Any:
        calls.append(len(texts))
        return original(self, texts, src, tgt)

    monkeypatch.setattr(ArgosEngine, "translate", counting)
    ids = [publish(f"agua refugio {i}.") for i in range(5)]
    for aid in ids:
        translating.translate_revision(aid, 1)
    waiting = db.session.scalars(select(Translation).where(Translation.status == "translating"))
    assert {(t.announcement_id, t.lang) for t in waiting} == {(aid, "en") for aid in ids}
    assert machine_jobs.translate_machine("es", "en") == 5
    assert calls == [5]  # one call for all five announcements
    rows = db.session.scalars(select(Translation).where(Translation.lang == "en")).all()
    assert sorted(r.text for r in rows) == [f"water shelter {i}." for i in range(5)]
    assert all(r.method == "machine" and not r.reviewed and r.event_seq for r in rows)
    assert machine_jobs.translate_machine("es", "en") == 0  # nothing left, nothing repeated
    events = db.session.scalars(
        select(BoardEvent).where(BoardEvent.type == "announcement.translated")
    ).all()
    assert sum(1 for e in events if e.payload["lang"] == "en") == 5
    assert all(o.processed_at for o in db.session.scalars(select(Outbox)))
    assert db.session.scalar(select(MachineJob)) is None  # finished jobs are gone


def test_a_live_lease_is_respected_and_an_expired_one_taken_over(
    app: Any, tiny_models: None
) -> None:
    held, lapsed = publish("agua."), publish("refugio.")
    for aid in (held, lapsed):
        translating.translate_revision(aid, 1)
    rows = {
        t.announcement_id: t
        for t in db.session.scalars(select(Translation).where(Translation.status == "translating"))
    }
    jobs = {
        aid: db.session.scalar(select(MachineJob).where(MachineJob.ref_id == row.id))
        for aid, row in rows.items()
    }
    jobs[held].claim_token, jobs[held].claimed_until = "other", utcnow() + timedelta(minutes=1)
    jobs[lapsed].claim_token, jobs[lapsed].claimed_until = "dead", utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert machine_jobs.translate_machine("es", "en") == 1
    db.session.expire_all()
    assert db.session.get(Translation, rows[lapsed].id).text == "shelter."
    assert db.session.get(Translation, rows[held].id).status == "translating"
    # The worker that held the live lease never finishes: once it lapses, the job is redone.
    db.session.get(MachineJob, jobs[held].id).claimed_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert machine_jobs.translate_machine("es", "en") == 1


def test_superseded_revision_is_not_shown(app: Any, tiny_models: None) -> None:
    aid = publish("agua.")
    translating.translate_revision(aid, 1)
    from server.models import Announcement

    item = db.session.get(Announcement, aid)
    announcements.revise(item, drafts.parse_draft({"text": "refugio."}, base=item), None)
    assert machine_jobs.translate_machine("es", "en") == 0
    stale = db.session.scalar(
        select(Translation).where(Translation.revision == 1, Translation.lang == "en")
    )
    assert stale.status == "pending" and stale.event_seq is None


def test_removed_model_turns_jobs_into_an_honest_pending(app: Any, tiny_models: None) -> None:
    from translations.mt import remove

    aid = publish("agua.")
    translating.translate_revision(aid, 1)
    remove(Path(app.config["ARGOS_PACKAGES_DIR"]), "es", "en")
    machine_jobs.translate_machine("es", "en")
    row = db.session.scalar(
        select(Translation).where(Translation.announcement_id == aid, Translation.lang == "en")
    )
    assert row.status == "pending" and row.text is None
    assert "no model installed" in row.reason


def test_a_job_that_keeps_killing_workers_ends_as_a_visible_failure(
    app: Any, tiny_models: None
) -> None:
    poison, healthy = publish("agua."), publish("refugio.")
    for aid in (poison, healthy):
        translating.translate_revision(aid, 1)
    row = db.session.scalar(
        select(Translation).where(Translation.announcement_id == poison, Translation.lang == "en")
    )
    # As if three workers died while translating it: started three times, lease lapsed.
    job = db.session.scalar(select(MachineJob).where(MachineJob.ref_id == row.id))
    job.attempts, job.claim_token = app.config["MAX_ATTEMPTS"], "dead"
    job.claimed_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert machine_jobs.translate_machine("es", "en") == 2
    db.session.expire_all()
    failed = db.session.get(Translation, row.id)
    assert failed.status == "pending" and failed.text is None
    assert "failed 3 times" in failed.reason and failed.event_seq is not None
    ok = db.session.scalar(
        select(Translation).where(Translation.announcement_id == healthy, Translation.lang == "en")
    )
    assert (ok.status, ok.text) == ("done", "shelter.")


def test_a_task_finding_its_pair_being_drained_leaves_the_job_to_that_drain(
    app: Any, tiny_models: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[list[str]] = []
    turned_away: list[int] = []
    original_translate, original_claim = ArgosEngine.translate, machine_jobs._claim

    def counting(self: ArgosEngine, texts: list[str], src: str, tgt: str) -> Any:
        calls.append(list(texts))
        return original_translate(self, texts, src, tgt)

    def claim(source_lang: str, target_lang: str) -> Any:
        if calls and not turned_away:
            # While the model works, another announcement arrives and its task runs.
            translating.translate_revision(publish("refugio."), 1)
            turned_away.append(machine_jobs.translate_machine("es", "en"))
        return original_claim(source_lang, target_lang)

    monkeypatch.setattr(ArgosEngine, "translate", counting)
    monkeypatch.setattr(machine_jobs, "_claim", claim)
    translating.translate_revision(publish("agua."), 1)
    assert machine_jobs.translate_machine("es", "en") == 2
    assert turned_away == [0]
    assert sorted(calls) == [["agua."], ["refugio."]]  # the running drain took the newcomer
    texts = db.session.scalars(select(Translation.text).where(Translation.lang == "en")).all()
    assert sorted(texts) == ["shelter.", "water."]


def test_a_job_recorded_as_the_drain_ends_is_not_left_behind(
    app: Any, tiny_models: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = machine_jobs._drain
    late: list[int] = []

    def drain_then_newcomer(source_lang: str, target_lang: str) -> int:
        done = original(source_lang, target_lang)
        if not late:
            # Its task tried the gate while we still held it, and was turned away.
            late.append(publish("refugio."))
            translating.translate_revision(late[0], 1)
        return done

    monkeypatch.setattr(machine_jobs, "_drain", drain_then_newcomer)
    translating.translate_revision(publish("agua."), 1)
    assert machine_jobs.translate_machine("es", "en") == 2
    row = db.session.scalar(
        select(Translation).where(Translation.announcement_id == late[0], Translation.lang == "en")
    )
    assert (row.status, row.text) == ("done", "shelter.")


def test_no_task_is_queued_for_a_pair_this_process_is_draining(
    app: Any, tiny_models: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[list[str]] = []
    celery = app.extensions["celery"]
    original = celery.send_task

    def send_task(name: str, args: list[Any], **options: Any) -> Any:
        if name != TaskName.TRANSLATE_MACHINE:
            return original(name, args=args, **options)
        sent.append(args)

    monkeypatch.setattr(celery, "send_task", send_task)
    with machine_jobs._gate("es", "en"):  # a drain of es→en is running in this process
        translating.translate_revision(publish("agua."), 1)
    assert sent == []
    translating.translate_revision(publish("refugio."), 1)
    assert sent == [["es", "en"]]
    assert machine_jobs.translate_machine("es", "en") == 2  # the drain takes both jobs
