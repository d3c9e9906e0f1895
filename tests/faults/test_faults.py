"""Faults on the live path: nothing lost, nothing shown twice.

Each test breaks one part of a running center — a worker killed mid-batch, Redis restarted,
the database away, a board offline — and then checks every board against the database, the
source of truth: each (type, announcement, revision, language) arrives under one seq, every
board event meant for the board's shelter arrives, and no language is left half-done.
Boards drop repeated seqs themselves, so a re-emitted event is allowed; a second seq for the
same key, or a missing one, is not.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from server.extensions import db
from server.models import Announcement, Board, BoardEvent, Outbox, Translation
from translations import languages

Key = tuple[str, int, int, str | None]
SENTENCE = "本日15時に第一小学校で給水があります。停電は夜まで続く見込みです。"


def key(event: dict[str, Any]) -> Key:
    """Return what a board shows once: (type, announcement, revision, language)."""
    return (event["type"], event["announcement_id"], event["revision"], event["lang"])


def post(center: Any, token: str, **body: Any) -> int:
    """Publish an announcement and return its id."""
    r = center.api("POST", "/api/v1/announcements", token, json=body)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def wait_until(check: Callable[[], str | None], timeout: float, what: str) -> None:
    """Poll ``check`` (None means done, a string says what is still missing) until done."""
    deadline = time.monotonic() + timeout
    last: str | None = "never checked"
    while time.monotonic() < deadline:
        last = check()
        if last is None:
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} after {timeout:.0f}s: {last}")


def unfinished(center: Any, aids: Iterable[int]) -> str | None:
    """Say what the database still has to do for these announcements, or None when done."""
    aids = list(aids)
    with center.app.app_context():
        targets = center.app.config["TARGET_LANGUAGES"]
        busy = db.session.scalars(
            select(Translation).where(
                Translation.announcement_id.in_(aids), Translation.status == "translating"
            )
        ).all()
        if busy:
            return f"{len(busy)} language(s) still translating, e.g. {busy[0].announcement_id}"
        open_rows = db.session.scalars(
            select(Outbox).where(Outbox.announcement_id.in_(aids), Outbox.processed_at.is_(None))
        ).all()
        if open_rows:
            return (
                f"{len(open_rows)} outbox row(s) unprocessed, e.g. {open_rows[0].announcement_id}"
            )
        for item in db.session.scalars(select(Announcement).where(Announcement.id.in_(aids))):
            if item.status != "active":
                continue
            done = set(
                db.session.scalars(
                    select(Translation.lang).where(
                        Translation.announcement_id == item.id,
                        Translation.revision == item.revision,
                        Translation.event_seq.is_not(None),
                    )
                )
            )
            missing = set(targets) - {item.source_lang} - done
            if missing:
                return f"announcement {item.id} rev {item.revision} lacks {sorted(missing)}"
        return None


def truth(center: Any, aids: Iterable[int]) -> dict[int, tuple[Key, bool, list[int]]]:
    """Read the board events of these announcements and check them against Translation rows."""
    aids = list(aids)
    with center.app.app_context():
        rows = db.session.scalars(
            select(BoardEvent).where(BoardEvent.announcement_id.in_(aids))
        ).all()
        events = {e.seq: (key(e.payload), e.target_all, list(e.shelter_ids)) for e in rows}
        keys = [k for k, _, _ in events.values()]
        twice = {k for k in keys if keys.count(k) > 1}
        assert not twice, f"the database holds two events for {sorted(twice)[:5]}"
        translations = db.session.scalars(
            select(Translation).where(Translation.announcement_id.in_(aids))
        ).all()
        stored = {t.event_seq for t in translations if t.event_seq is not None}
        for t in translations:
            if t.event_seq is not None:
                assert events[t.event_seq][0] == (
                    "announcement.translated",
                    t.announcement_id,
                    t.revision,
                    t.lang,
                ), f"translation {t.id} points at the wrong event"
        orphans = [
            s
            for s, (k, _, _) in events.items()
            if k[0] == "announcement.translated" and s not in stored
        ]
        assert not orphans, f"translated events with no translation row: {orphans[:5]}"
        return events


def expected_for(
    center: Any, board_id: int, events: dict[int, tuple[Key, bool, list[int]]]
) -> dict[int, Key]:
    """Return the events a board's shelter must see: seq → key."""
    with center.app.app_context():
        shelter = db.session.get(Board, board_id).shelter_id
    return {s: k for s, (k, every, ids) in events.items() if every or shelter in ids}


def received(board: Any, aids: set[int]) -> tuple[dict[int, Key], list[str]]:
    """Fold a board's raw events by seq; report a seq with two keys or a key with two seqs."""
    with board.lock:
        raw = [e for e in board.events if e["announcement_id"] in aids]
    keys_of: dict[int, set[Key]] = defaultdict(set)
    seqs_of: dict[Key, set[int]] = defaultdict(set)
    for e in raw:
        keys_of[e["seq"]].add(key(e))
        seqs_of[key(e)].add(e["seq"])
    problems = [f"seq {s} carried {sorted(map(str, k))}" for s, k in keys_of.items() if len(k) > 1]
    problems += [f"{k} arrived as seqs {sorted(s)}" for k, s in seqs_of.items() if len(s) > 1]
    return {s: next(iter(k)) for s, k in keys_of.items()}, problems


def assert_exactly_once(
    center: Any, boards: list[Any], aids: Iterable[int], timeout: float = 20
) -> None:
    """Wait for every board to hold each of its events exactly once, then check it."""
    aid_set = set(aids)
    events = truth(center, aid_set)
    for board in boards:
        expected = expected_for(center, board.board_id, events)

        def gap(board: Any = board, expected: dict[int, Key] = expected) -> str | None:
            got, _ = received(board, aid_set)
            missing = sorted(set(expected) - set(got))
            return f"board {board.board_id} misses seqs {missing[:10]}" if missing else None

        wait_until(gap, timeout, "a board is missing events")
        got, problems = received(board, aid_set)
        assert not problems, f"board {board.board_id}: {problems[:5]}"
        extra = {s: k for s, k in got.items() if expected.get(s) != k}
        assert not extra, f"board {board.board_id} got events not meant for it: {extra}"


def leased_batch(center: Any, aids: list[int]) -> list[int]:
    """Return the ids of machine jobs leased together in one batch right now, if two or more."""
    now = datetime.now(UTC)
    with center.app.app_context():
        rows = db.session.scalars(
            select(Translation).where(
                Translation.announcement_id.in_(aids),
                Translation.status == "translating",
                Translation.claim_token.is_not(None),
                Translation.claimed_until > now,
            )
        ).all()
    batches: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        batches[row.claim_token].append(row.id)
    return max(batches.values(), key=len, default=[]) if rows else []


@pytest.mark.slow
def test_worker_killed_mid_batch(
    fault_center: Any, fault_setup: dict[str, Any], live_board: Any
) -> None:
    center = fault_center
    boards = [live_board(center, b) for b in fault_setup["boards"]]
    # Long texts make one batch last long enough to be caught and killed in the middle.
    aids = [
        post(center, fault_setup["token"], text=f"第{i}報。" + SENTENCE * 15) for i in range(24)
    ]

    batch: list[int] = []
    deadline = time.monotonic() + 60
    while len(batch) < 2 and time.monotonic() < deadline:
        batch = leased_batch(center, aids)
    assert len(batch) >= 2, "never saw a batch of machine jobs in flight"
    center.kill("worker")
    center.start_worker()

    wait_until(lambda: unfinished(center, aids), 120, "work was lost with the killed worker")
    with center.app.app_context():
        rows = db.session.scalars(select(Translation).where(Translation.id.in_(batch))).all()
        # The killed batch was taken over after its lease lapsed and translated, not given up.
        assert {(r.status, r.method) for r in rows} == {("done", "machine")}
        assert min(r.attempts for r in rows) >= 2
    print("DEBUG", [(b.connects, b.disconnects, b.catch_up_errors, [(e["seq"], e["type"]) for e in b.fed], sorted(e["seq"] for e in b.events if e["type"] != "announcement.translated")) for b in boards], publisher.during(down, up))
    assert_exactly_once(center, boards, aids)


def newest_id(center: Any) -> int:
    """Return the highest announcement id so far (0 when none)."""
    with center.app.app_context():
        return int(db.session.scalar(select(func.max(Announcement.id))) or 0)


def created_after(center: Any, first: int) -> list[int]:
    """Return the ids of announcements the database holds beyond ``first``."""
    with center.app.app_context():
        return list(db.session.scalars(select(Announcement.id).where(Announcement.id > first)))


class Publisher(threading.Thread):
    """Post, revise and retract announcements at a steady pace, recording every answer."""

    def __init__(self, center: Any, token: str, pause: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.center = center
        self.token = token
        self.pause = pause
        self.stopping = threading.Event()
        self.answers: list[tuple[float, str, int, dict[str, Any] | None]] = []
        self.accepted: list[int] = []

    def _call(self, action: str, method: str, path: str, body: dict[str, Any]) -> None:
        try:
            r = self.center.api(method, path, self.token, json=body)
        except requests.RequestException as exc:
            self.answers.append((time.monotonic(), f"{action}: {exc!r}", 0, None))
            return
        try:
            data = r.json()
        except ValueError:
            data = None
        self.answers.append((time.monotonic(), action, r.status_code, data))
        if action == "post" and r.status_code == 201 and data:
            self.accepted.append(int(data["id"]))

    def run(self) -> None:
        step = 0
        while not self.stopping.is_set():
            if step % 4 == 3 and self.accepted:
                path = f"/api/v1/announcements/{self.accepted[-1]}"
                self._call("patch", "PATCH", path, {"text": f"訂正: 給水は{step}時からです。"})
            elif step % 6 == 5 and len(self.accepted) > 2:
                path = f"/api/v1/announcements/{self.accepted[-3]}/retract"
                self._call("retract", "POST", path, {})
            else:
                body = {"text": f"第{step}報。{SENTENCE}", "easy_text": f"お知らせ {step}"}
                self._call("post", "POST", "/api/v1/announcements", body)
            step += 1
            time.sleep(self.pause)

    def finish(self) -> None:
        """Stop after the call in progress."""
        self.stopping.set()
        self.join(30)

    def during(self, start: float, end: float) -> list[tuple[str, int]]:
        """Return (action, status) of the calls answered between two monotonic times."""
        return [(a, s) for t, a, s, _ in self.answers if start <= t <= end]

    def assert_clean(self) -> None:
        """Every call got an answer: a success, a 409 on a retracted one, or a JSON 5xx."""
        for _, action, status, data in self.answers:
            assert status, f"no answer at all: {action}"
            if status >= 500:
                error = (data or {}).get("error") or {}
                assert error.get("code") and error.get("message"), f"{action} {status}: {data}"
            else:
                assert status in (200, 201, 409), f"{action} {status}: {data}"


@pytest.mark.slow
def test_redis_restart_while_publishing(
    fault_center: Any, fault_setup: dict[str, Any], own_redis: Any, live_board: Any
) -> None:
    center = fault_center
    boards = [live_board(center, b) for b in fault_setup["boards"]]
    first = newest_id(center)
    # Redis goes away while the worker is in the middle of a batch, so its pushes fail too.
    long = [post(center, fault_setup["token"], text=f"第{i}報。" + SENTENCE * 15) for i in range(8)]
    publisher = Publisher(center, fault_setup["token"])
    publisher.start()
    wait_until(lambda: None if len(leased_batch(center, long)) >= 2 else "no batch", 60, "idle")
    down = time.monotonic()
    own_redis.kill()
    time.sleep(3)
    own_redis.start()
    up = time.monotonic()
    time.sleep(2)
    publisher.finish()

    publisher.assert_clean()
    assert publisher.during(down, up), "nothing was published while Redis was down"
    aids = created_after(center, first)
    assert set(publisher.accepted) <= set(aids)
    wait_until(lambda: unfinished(center, aids), 90, "work was lost with Redis")
    print("DEBUG", [(b.connects, b.disconnects, b.catch_up_errors, [(e["seq"], e["type"]) for e in b.fed], sorted(e["seq"] for e in b.events if e["type"] != "announcement.translated")) for b in boards], publisher.during(down, up))
    assert_exactly_once(center, boards, aids)
