"""Fixtures for fault tests: centers with short leases and sweeps, beat, and a Redis we own.

The settings are cut from minutes to seconds so a lapsed lease or a forgotten outbox row is
recovered while the test waits: lease 3 s, sweep every 2 s, a row is stale after 3 s.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from server.core import database, embedded
from server.core.security import board_token
from server.people import accounts
from tests.conftest import BoardClient, LiveCenter
from translations.mt.tiny import build_tiny_package

SHORT = {
    "TAGENGO_MT_LEASE_SECONDS": "3",
    "TAGENGO_OUTBOX_SWEEP_SECONDS": "2",
    "TAGENGO_OUTBOX_STALE_SECONDS": "3",
    # Two cores on CI: one translation thread leaves the other to the web process and the test.
    "TAGENGO_MT_INTRA_THREADS": "1",
}
LEAKS = ("psycopg", "sqlalchemy", "SQLAlchemy", "Traceback", "SELECT", "INSERT", "UPDATE")


class FaultCenter(LiveCenter):
    """A live center with short recovery settings, Celery beat, a kill switch and, as under
    `tagengo up` or compose's restart policy, a supervisor that restarts a child that dies."""

    def __init__(self, base_dir: Path, db_url: str, redis: str) -> None:
        super().__init__(base_dir, db_url, redis)
        self.env.update(SHORT)
        self.supervising = threading.Event()
        self.given_up: list[str] = []

    def start(self) -> None:
        """Start web, worker and beat (the outbox sweep runs in beat), then supervise them."""
        super().start()
        self.stack.start(
            "beat", embedded.beat_argv(self.base_dir), self.env, self.logs / "beat.log"
        )
        self.supervising.set()
        threading.Thread(target=self._supervise, daemon=True).start()

    def _supervise(self) -> None:
        while self.supervising.is_set() and not self.given_up:
            self.given_up += self.stack.revive()[1]
            time.sleep(0.5)

    def stop(self) -> None:
        """Stop supervising, then every child; fail if a child kept dying."""
        self.supervising.clear()
        time.sleep(0.6)  # let a revive in progress finish before the children are stopped
        self.stack.stop()
        with self.app.app_context():
            from server.core.extensions import db

            db.engine.dispose()
        assert not self.given_up, f"{self.given_up} kept dying; see {self.logs}"

    def kill(self, name: str) -> None:
        """SIGKILL one child's whole process group, as the OOM killer or a power cut would."""
        proc = self.stack.procs[name]
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)

    def tagengo(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run the `tagengo` CLI against this center."""
        return subprocess.run(
            [sys.executable, "-m", "server.cli", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def install_tiny_models(self, folder: Path) -> None:
        """Install ja→en and en→vi glossing models: en is translated directly, vi via English."""
        ja_en = build_tiny_package(folder, "ja", "en", {"給水": "water", "停電": "outage"})
        en_vi = build_tiny_package(folder, "en", "vi", {"water": "nước", "outage": "mất"})
        result = self.tagengo("models", "install", str(ja_en), str(en_vi))
        assert result.returncode == 0, result.stderr

    def seed(self) -> dict[str, Any]:
        """Make an operator token, two shelters, and boards (two in the first shelter)."""
        with self.app.app_context():
            accounts.create_user("desk", "operator", "operator-password")
            token = accounts.create_token("desk")
            first = accounts.create_shelter("第一小学校")
            second = accounts.create_shelter("市民会館")
            boards = [
                accounts.create_board(first.id, "体育館TV"),
                accounts.create_board(first.id, "入口TV"),
                accounts.create_board(second.id, "ホールTV"),
            ]
            secret = self.app.config["SECRET_KEY"]
            return {
                "token": token,
                "shelters": [first.id, second.id],
                "boards": [(b.id, board_token(secret, b.id, b.token_version)) for b in boards],
            }


class LiveBoard(BoardClient):
    """A board that behaves like web/static/board.js: reconnect by itself, catch up on connect.

    Like board.js it keeps a feed cursor that only the feed moves (a live event never skips the
    cursor past a lost one), catches up on every (re)connect, and also asks the feed now and
    then while connected — board.js every 45–60 s, this one every ``poll`` seconds so a test
    need not wait a minute. Change this class when board.js changes.
    """

    poll = 3.0

    def __init__(self, center: LiveCenter, board_id: int, token: str) -> None:
        super().__init__(center, board_id, token)
        self.sio = socketio.Client(
            reconnection=True, reconnection_delay=0.5, reconnection_delay_max=2
        )
        self.sio.on("board_event", self._on_event, namespace="/live")
        self.sio.on("connect", self._on_connect, namespace="/live")
        self.sio.on("disconnect", self._on_disconnect, namespace="/live")
        self.connects = 0
        self.disconnects = 0
        self.catch_up_errors: list[str] = []
        self.fed: list[dict[str, Any]] = []  # what catch-ups brought, apart from live events
        self._catching = threading.Lock()
        self.feed_cursor = 0
        threading.Thread(target=self._poll, daemon=True).start()

    def _poll(self) -> None:
        while True:
            time.sleep(self.poll)
            if self.sio.connected:
                self.safe_catch_up()

    def catch_up(self) -> list[dict[str, Any]]:
        """Fetch everything after the feed cursor, as board.js does."""
        got: list[dict[str, Any]] = []
        while True:
            r = requests.get(
                f"{self.center.url}/api/v1/boards/{self.board_id}/feed",
                params={"since": self.feed_cursor},
                headers={"Authorization": f"Bearer {self.token}"},
                timeout=10,
            )
            r.raise_for_status()
            page = r.json()
            got.extend(page["events"])
            self.feed_cursor = max(self.feed_cursor, page["last_seq"])
            if not page["more"]:
                break
        with self.lock:
            self.events.extend(got)
        return got

    def _on_connect(self) -> None:
        self.connects += 1
        # Off the socket's thread, as board.js does with fetch(): events keep flowing meanwhile.
        threading.Thread(target=self.safe_catch_up, daemon=True).start()

    def _on_disconnect(self, *_: Any) -> None:
        self.disconnects += 1

    def safe_catch_up(self) -> None:
        """Catch up; on failure note it and retry a little later, as board.js does."""
        with self._catching:
            for _ in range(20):
                try:
                    self.fed.extend(self.catch_up())
                    return
                except (requests.RequestException, ValueError, KeyError) as exc:
                    self.catch_up_errors.append(repr(exc))
                    time.sleep(1)


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
                body = {
                    "text": f"第{step}報。本日15時に給水があります。",
                    "easy_text": "きょう 15時に 水が きます。",
                }
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
                # Clean: no driver message, SQL or traceback handed to the caller.
                leaked = [w for w in LEAKS if w in str(error["message"])]
                assert not leaked, f"{action} {status} leaks {leaked}: {error}"
            else:
                assert status in (200, 201, 409), f"{action} {status}: {data}"


@pytest.fixture
def live_board() -> Iterator[Any]:
    """Make LiveBoards connected to a center; disconnect them at the end of the test."""
    made: list[LiveBoard] = []

    def make(center: LiveCenter, board: tuple[int, str]) -> LiveBoard:
        client = LiveBoard(center, *board)
        client.connect()
        made.append(client)
        return client

    yield make
    for client in made:
        if client.sio.connected:
            client.disconnect()


@pytest.fixture
def publishing() -> Iterator[Any]:
    """Start Publishers; stop any still running at the end of the test."""
    started: list[Publisher] = []

    def start(center: LiveCenter, token: str) -> Publisher:
        publisher = Publisher(center, token)
        publisher.start()
        started.append(publisher)
        return publisher

    yield start
    for publisher in started:
        publisher.finish()


class OwnRedis:
    """A private redis-server on a fixed port that a test may kill and start again."""

    def __init__(self, folder: Path) -> None:
        self.stack = embedded.Stack()
        self.folder = folder
        self.port = embedded.free_port()
        self.url = self.start()

    def start(self) -> str:
        """Start redis-server on our port, with no persistence: a restart loses every task."""
        return self.stack.start_redis(self.folder, os.environ, persist=False, port=self.port)

    def kill(self) -> None:
        """SIGKILL the server."""
        proc = self.stack.procs["redis"]
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


@pytest.fixture(scope="module")
def own_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OwnRedis]:
    """A Redis this module may restart, apart from the session's shared one."""
    server = OwnRedis(tmp_path_factory.mktemp("fault-redis"))
    yield server
    server.stack.stop()


@pytest.fixture(scope="module")
def fault_center(
    tmp_path_factory: pytest.TempPathFactory, own_redis: OwnRedis
) -> Iterator[FaultCenter]:
    """A center on SQLite and the private Redis, with tiny models installed and beat running."""
    base = tmp_path_factory.mktemp("fault-center")
    db_url = f"sqlite:///{base / 'tagengo.db'}"
    database.upgrade(db_url)
    live = FaultCenter(base, db_url, own_redis.url)
    live.install_tiny_models(tmp_path_factory.mktemp("fault-models"))
    live.start()
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture(scope="module")
def fault_setup(fault_center: FaultCenter) -> dict[str, Any]:
    """Accounts, shelters and boards of the fault center."""
    return fault_center.seed()


class OwnDatabase:
    """A PostgreSQL database of this module's own, which a test may shut for a while."""

    def __init__(self, admin_url: str) -> None:
        self.name = f"tagengo_fault_{uuid.uuid4().hex[:10]}"
        self.admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        self._sql(f'CREATE DATABASE "{self.name}"')
        self.url = make_url(admin_url).set(database=self.name).render_as_string(hide_password=False)

    def _sql(self, statement: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(statement))

    def shut(self) -> None:
        """Refuse new connections and end every open one, as a crashed server would."""
        self._sql(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS false')
        self._sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = '{self.name}' AND pid <> pg_backend_pid()"
        )

    def open(self) -> None:
        """Accept connections again."""
        self._sql(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS true')

    def drop(self) -> None:
        """Drop the database (even with clients still connected)."""
        self.open()
        self._sql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self.admin.dispose()


@pytest.fixture(scope="module")
def own_database() -> Iterator[OwnDatabase]:
    """A PostgreSQL database of its own; skip when no PostgreSQL is configured."""
    admin_url = os.environ.get("TAGENGO_TEST_DATABASE_URL")
    if not admin_url:
        pytest.skip("PostgreSQL: set TAGENGO_TEST_DATABASE_URL to run the database-outage test")
    own = OwnDatabase(admin_url)
    yield own
    own.drop()


@pytest.fixture(scope="module")
def pg_center(
    tmp_path_factory: pytest.TempPathFactory, own_database: OwnDatabase, redis_url: str
) -> Iterator[FaultCenter]:
    """A center on its own PostgreSQL database, with beat running."""
    database.upgrade(own_database.url)
    live = FaultCenter(tmp_path_factory.mktemp("pg-center"), own_database.url, redis_url)
    live.start()
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture(scope="module")
def pg_setup(pg_center: FaultCenter) -> dict[str, Any]:
    """Accounts, shelters and boards of the PostgreSQL center."""
    return pg_center.seed()
