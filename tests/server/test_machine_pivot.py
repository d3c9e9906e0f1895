"""The shared English pivot, life-safety first across pairs, and review-first languages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from server.announcements import drafts
from server.announcements import service as announcements
from server.core.extensions import db
from server.models import BoardEvent, MachineJob, Translation, User
from server.people import accounts
from server.translation import machine_jobs, review
from server.translation import planning as translating
from translations.mt import ArgosEngine, install
from translations.mt.tiny import build_tiny_package

Calls = list[tuple[str, str, list[str]]]


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Calls:
    seen: Calls = []
    original = ArgosEngine.translate

    def counting(self: ArgosEngine, texts: list[str], src: str, tgt: str) -> Any:
        seen.append((src, tgt, list(texts)))
        return original(self, texts, src, tgt)

    monkeypatch.setattr(ArgosEngine, "translate", counting)
    return seen


def models(app: Any, tmp_path: Path, *pairs: tuple[str, str, dict[str, str]]) -> None:
    folder = Path(app.config["ARGOS_PACKAGES_DIR"])
    for i, (src, tgt, words) in enumerate(pairs):
        install(build_tiny_package(tmp_path / str(i), src, tgt, words), folder)


def pivot_models(app: Any, tmp_path: Path) -> None:
    """Install es→en and two pairs from English (vi, ko): the shared pivot's shape."""
    models(
        app,
        tmp_path,
        ("es", "en", {"agua": "water"}),
        ("en", "vi", {"water": "nước"}),
        ("en", "ko", {"water": "물"}),
    )


def publish(text: str, severity: str = "Moderate") -> int:
    draft = drafts.parse_draft({"text": text, "source_lang": "es", "severity": severity})
    aid = announcements.create(draft, None).id
    translating.translate_revision(aid, 1)
    return aid


def row(aid: int, lang: str) -> Translation:
    db.session.expire_all()
    found = db.session.scalar(
        select(Translation).where(Translation.announcement_id == aid, Translation.lang == lang)
    )
    assert found is not None
    return found


def test_the_source_goes_to_english_once_and_english_feeds_the_rest(
    app: Any, tmp_path: Path, calls: Calls
) -> None:
    pivot_models(app, tmp_path)
    aid = publish("agua.")
    jobs = {j.target_lang: j for j in db.session.scalars(select(MachineJob))}
    assert (jobs["vi"].source_lang, jobs["vi"].after_id) == ("en", row(aid, "en").id)
    # The vi job waits for the English: the en→vi drain makes that first, then its own,
    # then serves the ko pair too (one drain per worker process).
    assert machine_jobs.translate_machine("en", "vi") == 3
    assert machine_jobs.translate_machine("es", "en") == 0
    assert machine_jobs.translate_machine("en", "ko") == 0
    # One pass per target: es→en once, then en→vi and en→ko from that English.
    assert calls == [("es", "en", ["agua."]), ("en", "vi", ["water."]), ("en", "ko", ["water."])]
    assert (row(aid, "vi").text, row(aid, "vi").pivot_lang) == ("nước.", "en")
    assert (row(aid, "ko").text, row(aid, "en").pivot_lang) == ("물.", None)


def test_a_corrected_english_remakes_the_unreviewed_pivoted_languages(
    app: Any, tmp_path: Path
) -> None:
    models(
        app,
        tmp_path,
        ("es", "en", {"agua": "water"}),
        ("en", "vi", {"water": "nước", "shelter": "trú"}),
    )
    aid = publish("agua.")
    for pair in (("es", "en"), ("en", "vi")):
        machine_jobs.translate_machine(*pair)
    accounts.create_user("rev", "reviewer")
    reviewer = db.session.scalar(select(User).where(User.username == "rev"))
    review.review(row(aid, "en").id, reviewer, "shelter.")
    assert row(aid, "vi").status == "translating"
    assert machine_jobs.translate_machine("en", "vi") == 1
    vi = row(aid, "vi")
    assert (vi.text, vi.reason) == ("trú.", "made from the English a reviewer checked")
    shown = db.session.scalars(select(BoardEvent).order_by(BoardEvent.seq)).all()
    assert [e.payload["text"] for e in shown if e.payload["lang"] == "vi"] == ["nước.", "trú."]


def test_without_english_the_waiting_languages_go_the_long_way(
    app: Any, tmp_path: Path, calls: Calls
) -> None:
    models(app, tmp_path, ("es", "en", {"agua": "water"}), ("en", "vi", {"water": "nước"}))
    aid = publish("agua.")
    english = row(aid, "en")
    from translations.mt import remove

    remove(Path(app.config["ARGOS_PACKAGES_DIR"]), "es", "en")
    # Fails: the model is gone. The vi job then goes from the source, and the same drain
    # serves that pair next.
    machine_jobs.translate_machine("es", "en")
    assert row(aid, "en").status == "pending"
    vi = row(aid, "vi")
    assert vi.pivot_lang is None and english.id != vi.id
    assert "no Argos package for es→vi" in (vi.reason or "")  # honest: no route


def test_a_severe_alerts_languages_are_translated_before_routine_ones_of_other_pairs(
    app: Any, tmp_path: Path, calls: Calls
) -> None:
    app.config["MT_CLAIM_TEXTS"] = 1  # one text a batch, so the order shows
    models(app, tmp_path, ("es", "en", {"agua": "water"}), ("es", "vi", {"agua": "nước"}))
    publish("agua 1.")
    publish("agua 2.", severity="Severe")
    machine_jobs.translate_machine("es", "en")
    order = [(tgt, texts[0]) for _, tgt, texts in calls]
    assert order == [
        ("en", "agua 2."),  # the Severe one first in its own pair,
        ("vi", "agua 2."),  # then in the other pair before anything routine,
        ("vi", "agua 1."),
        ("en", "agua 1."),
    ]


def test_a_severe_alert_is_batched_alone_and_its_pivoted_languages_come_next(
    app: Any, tmp_path: Path, calls: Calls
) -> None:
    # The surge benchmark saw a Severe alert claimed in a batch of 64 routine texts in every
    # pair, so its last language came with the last routine one. A batch never mixes
    # priorities, and nothing is queued behind an urgent batch.
    pivot_models(app, tmp_path)
    routine = [publish("agua 1."), publish("agua 3.")]
    severe = publish("agua 2.", severity="Severe")
    assert machine_jobs.translate_machine("es", "en") == 9
    assert calls[:4] == [
        ("es", "en", ["agua 2."]),  # alone, although two routine texts wait in its pair
        ("en", "vi", ["water 2."]),  # its English feeds the other pairs at once,
        ("en", "ko", ["water 2."]),
        ("es", "en", ["agua 1.", "agua 3."]),  # then the routine ones, in one batch
    ]
    assert sorted(calls[4:]) == [
        ("en", "ko", ["water 1.", "water 3."]),
        ("en", "vi", ["water 1.", "water 3."]),
    ]
    assert row(severe, "ko").text == "물 2." and row(routine[1], "vi").text == "nước 3."


def test_a_pivoted_pair_lets_the_english_its_jobs_wait_for_go_first(
    app: Any, tmp_path: Path, calls: Calls
) -> None:
    models(app, tmp_path, ("es", "en", {"agua": "water"}), ("en", "vi", {"water": "nước"}))
    publish("agua 1.")
    with machine_jobs._gate("en", "vi"):  # as if another thread drained en→vi meanwhile
        machine_jobs.translate_machine("es", "en")
    publish("agua 2.")  # its English waits, and so does its en→vi job behind it
    assert machine_jobs.translate_machine("en", "vi") == 3  # one English, two Vietnamese
    # The en→vi drain first made the English its second job waited for, then took both
    # Vietnamese texts in one batch rather than one now and one later.
    assert calls[1:] == [("es", "en", ["agua 2."]), ("en", "vi", ["water 1.", "water 2."])]


def test_a_drain_serves_every_pair_and_a_task_turned_away_by_full_slots_loses_nothing(
    app: Any, tmp_path: Path, calls: Calls
) -> None:
    models(app, tmp_path, ("es", "en", {"agua": "water"}), ("es", "vi", {"agua": "nước"}))
    publish("agua.")
    assert app.config["MT_DRAINS_PER_WORKER"] == 2
    slots = machine_jobs._slots()
    with slots, slots:  # other threads hold both of the worker's drain slots
        assert machine_jobs.translate_machine("es", "vi") == 0
    # The drain that held it, once its own pair is done, serves the waiting pairs too.
    assert machine_jobs.translate_machine("es", "en") == 2
    assert sorted(tgt for _, tgt, _ in calls) == ["en", "vi"]


def test_drains_leave_a_thread_of_the_worker_free_to_plan(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert machine_jobs.drain_count(2) == 2  # not in a Celery worker: the setting
    monkeypatch.setattr(machine_jobs, "_worker", None)
    machine_jobs.worker_started(2, ["translate", "machine", "maintenance", "channels"])
    assert machine_jobs.drain_count(2) == 1  # `-c 2` on every queue: one drain, one planner
    assert machine_jobs.drain_count(3) == 1
    monkeypatch.setattr(machine_jobs, "_drain_slots", None)
    slots = machine_jobs._slots()
    assert slots.acquire(blocking=False) and not slots.acquire(blocking=False)
    slots.release()
    machine_jobs.worker_started(3, ["translate", "machine"])
    assert machine_jobs.drain_count(2) == 2  # `tagengo up`: 3 threads, 2 drains, 1 planner
    machine_jobs.worker_started(2, ["machine"])
    assert machine_jobs.drain_count(2) == 2  # a machine-only worker plans nothing
    assert machine_jobs.drain_count(5) == 2  # never more drains than threads
    machine_jobs.worker_started(1, ["translate", "machine"])
    assert machine_jobs.drain_count(2) == 1  # at least one


def test_a_drain_never_takes_a_pair_another_drain_of_its_process_serves(
    app: Any, tmp_path: Path, calls: Calls
) -> None:
    # Two drains of one process: when the first finished its pair and looked for more work,
    # it was offered the pair the second drain was serving, was turned away by its gate, and
    # asked again at once — a busy loop of queries until the second drain was done.
    models(app, tmp_path, ("es", "en", {"agua": "water"}), ("es", "vi", {"agua": "nước"}))
    publish("agua.")
    with machine_jobs._gate("es", "vi"):  # another drain of this process serves es→vi
        assert machine_jobs._next_pair(("es", "vi")) == ("es", "en")
        assert machine_jobs.translate_machine("es", "en") == 1  # returns, es→vi left to it
        assert machine_jobs._next_pair(("es", "vi")) is None
        assert machine_jobs._next_pair(None) is None
    assert [tgt for _, tgt, _ in calls] == ["en"]
    assert machine_jobs._next_pair(None) == ("es", "vi")


def test_a_review_first_language_reaches_boards_only_after_approval(
    app: Any, tmp_path: Path
) -> None:
    app.config["REVIEW_FIRST_LANGUAGES"] = ["en"]
    models(app, tmp_path, ("es", "en", {"agua": "water"}))
    aid = publish("agua.")
    machine_jobs.translate_machine("es", "en")
    held = row(aid, "en")
    assert (held.status, held.text) == ("review", "water.")
    event = db.session.scalar(select(BoardEvent).where(BoardEvent.seq == held.event_seq))
    assert (event.payload["status"], event.payload["text"]) == ("pending", None)
    assert [t.id for t, _, _ in review.queue("en")] == [held.id]
    accounts.create_user("rev", "reviewer")
    reviewer = db.session.scalar(select(User).where(User.username == "rev"))
    review.review(held.id, reviewer, None)
    shown = row(aid, "en")
    event = db.session.scalar(select(BoardEvent).where(BoardEvent.seq == shown.event_seq))
    assert (shown.status, event.payload["status"], event.payload["text"]) == (
        "done",
        "done",
        "water.",
    )
