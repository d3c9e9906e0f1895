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
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from server import accounts, database, embedded
from server.security import board_token
from tests.conftest import BoardClient, LiveCenter
from translations.mt.tiny import build_tiny_package

SHORT = {
    "TAGENGO_MT_LEASE_SECONDS": "3",
    "TAGENGO_OUTBOX_SWEEP_SECONDS": "2",
    "TAGENGO_OUTBOX_STALE_SECONDS": "3",
    # Two cores on CI: one translation thread leaves the other to the web process and the test.
    "TAGENGO_MT_INTRA_THREADS": "1",
}


class FaultCenter(LiveCenter):
    """A live center with short recovery settings, Celery beat and a kill switch."""

    def __init__(self, base_dir: Path, db_url: str, redis: str) -> None:
        super().__init__(base_dir, db_url, redis)
        self.env.update(SHORT)

    def start(self) -> None:
        """Start web, worker and beat (the outbox sweep runs in beat)."""
        super().start()
        self.stack.start(
            "beat", embedded.beat_argv(self.base_dir), self.env, self.logs / "beat.log"
        )

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

    ``last_seq`` is the highest seq seen live or in the feed, which is what board.js sends
    as ``since``.
    """

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
                    threading.Event().wait(1)


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


def _stop(center: LiveCenter) -> None:
    center.stack.stop()
    with center.app.app_context():
        from server.extensions import db

        db.engine.dispose()


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
        _stop(live)


@pytest.fixture(scope="module")
def fault_setup(fault_center: FaultCenter) -> dict[str, Any]:
    """Accounts, shelters and boards of the fault center."""
    return fault_center.seed()


@pytest.fixture(scope="module")
def pg_database() -> Iterator[tuple[str, str]]:
    """A PostgreSQL database of its own, as (SQLAlchemy URL, name); skip without one."""
    base = os.environ.get("TAGENGO_TEST_DATABASE_URL")
    if not base:
        pytest.skip("PostgreSQL: set TAGENGO_TEST_DATABASE_URL to run the database-outage test")
    name = f"tagengo_fault_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    yield url, name
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module")
def pg_center(
    tmp_path_factory: pytest.TempPathFactory, pg_database: tuple[str, str], redis_url: str
) -> Iterator[FaultCenter]:
    """A center on its own PostgreSQL database, with beat running."""
    url, _ = pg_database
    database.upgrade(url)
    live = FaultCenter(tmp_path_factory.mktemp("pg-center"), url, redis_url)
    live.start()
    try:
        yield live
    finally:
        _stop(live)
