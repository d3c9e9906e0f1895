"""Fixtures with real parts: Redis, PostgreSQL or SQLite, a web process and a Celery worker.

Redis comes from TAGENGO_TEST_REDIS_URL when set (CI points it at the machine's server),
else a private redis-server is started. PostgreSQL is used when TAGENGO_TEST_DATABASE_URL
is set; each session gets a database of its own, dropped at the end.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis as redis_lib
import requests
import socketio
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from server import create_app
from server.core import database, embedded

SECRET = "test-secret-key-" + uuid.uuid4().hex


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Redis: the configured one (flushed) or a private server."""
    configured = os.environ.get("TAGENGO_TEST_REDIS_URL")
    if configured:
        redis_lib.Redis.from_url(configured).flushdb()
        yield configured
        return
    stack = embedded.Stack()
    url = stack.start_redis(tmp_path_factory.mktemp("redis"), os.environ, persist=False)
    yield url
    stack.stop()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    """A fresh PostgreSQL database for this session, or None when none is configured."""
    base = os.environ.get("TAGENGO_TEST_DATABASE_URL")
    if not base:
        yield None
        return
    name = f"tagengo_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _app_config(tmp_path: Path, db_url: str, redis: str = "") -> dict[str, Any]:
    return {
        "TESTING": True,
        "SECRET_KEY": SECRET,
        "DATA_DIR": str(tmp_path),
        "DATABASE_URL": db_url,
        "REDIS_URL": redis,
        "WTF_CSRF_ENABLED": False,
    }


class FreshContextClient(FlaskClient):
    """Run each request in its own app context, as a server does.

    The ``app`` fixture keeps a context open for the test body; without this, requests would
    share its ``g`` (and so a cached signed-in user) and its database session.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(params=["sqlite", "postgres"])
def app(request: pytest.FixtureRequest, tmp_path: Path, postgres_url: str | None) -> Iterator[Any]:
    """An app on a migrated database (SQLite, and PostgreSQL when configured); no broker."""
    if request.param == "postgres":
        if postgres_url is None:
            pytest.skip("PostgreSQL: set TAGENGO_TEST_DATABASE_URL to run these on PostgreSQL")
        db_url = postgres_url
        _reset_postgres(db_url)
    else:
        db_url = f"sqlite:///{tmp_path / 'tagengo.db'}"
    database.upgrade(db_url)
    application = create_app(_app_config(tmp_path, db_url))
    application.test_client_class = FreshContextClient
    with application.app_context():
        yield application
        from server.core.extensions import db

        db.session.remove()
        db.engine.dispose()


def _reset_postgres(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture
def client(app: Any) -> Any:
    """A Flask test client."""
    return app.test_client()


@pytest.fixture
def operator_token(app: Any) -> str:
    """An API token of an operator."""
    from server.people import accounts

    accounts.create_user("operator1", "operator", "operator-password")
    return accounts.create_token("operator1")


class LiveCenter:
    """A running center: web and worker processes on a real Redis and database."""

    def __init__(self, base_dir: Path, db_url: str, redis: str) -> None:
        self.base_dir = base_dir
        self.db_url = db_url
        self.redis = redis
        self.port = embedded.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "TAGENGO_SECRET_KEY": SECRET,
            "TAGENGO_DATA_DIR": str(base_dir),
            "TAGENGO_DATABASE_URL": db_url,
            "TAGENGO_REDIS_URL": redis,
            "TAGENGO_PORT": str(self.port),
            "TAGENGO_SOCKETIO_CHANNEL": "tagengo-test-" + uuid.uuid4().hex[:8],
            "TAGENGO_OUTBOX_SWEEP_SECONDS": "2",
            "TAGENGO_OUTBOX_STALE_SECONDS": "3",
        }
        self.stack = embedded.Stack()
        self.app = create_app(
            _app_config(base_dir, db_url, redis)
            | {
                "SOCKETIO_CHANNEL": self.env["TAGENGO_SOCKETIO_CHANNEL"],
                "PORT": self.port,
            },
            role="test",
        )
        self.logs = base_dir / "logs"
        self.logs.mkdir(exist_ok=True)

    def start(self) -> None:
        """Start the web process and one worker; wait until both are ready."""
        web = self.stack.start("web", embedded.web_argv(), self.env, self.logs / "web.log")
        self.start_worker()
        embedded.wait_for_health(self.url, 60, web)
        self.wait_for_worker()

    def start_worker(self, name: str = "worker") -> None:
        """Start (or restart) a Celery worker process."""
        self.stack.start(
            name,
            embedded.worker_argv(2, name=name + uuid.uuid4().hex[:4]),
            self.env,
            self.logs / f"{name}.log",
        )

    def wait_for_worker(self, timeout: float = 60) -> None:
        """Wait until a worker answers a ping over the broker."""
        celery = self.app.extensions["celery"]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if celery.control.ping(timeout=0.5):
                return
        raise TimeoutError("no Celery worker answered a ping; see " + str(self.logs))

    def api(self, method: str, path: str, token: str, **kwargs: Any) -> requests.Response:
        """Call the API of the web process."""
        headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
        return requests.request(method, self.url + path, headers=headers, timeout=10, **kwargs)


class BoardClient:
    """A real python-socketio client connected as a board, recording every event."""

    def __init__(self, center: LiveCenter, board_id: int, token: str) -> None:
        self.center = center
        self.board_id = board_id
        self.token = token
        self.events: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("board_event", self._on_event, namespace="/live")

    def _on_event(self, data: dict[str, Any]) -> None:
        with self.lock:
            self.events.append(data)

    def connect(self) -> None:
        """Connect over WebSocket with the board token."""
        self.sio.connect(
            self.center.url,
            namespaces=["/live"],
            auth={"board_token": self.token},
            transports=["websocket"],
            wait_timeout=10,
        )

    def disconnect(self) -> None:
        """Drop the connection."""
        self.sio.disconnect()

    def last_seq(self) -> int:
        """Highest sequence number received so far."""
        with self.lock:
            return max((e["seq"] for e in self.events), default=0)

    def catch_up(self) -> list[dict[str, Any]]:
        """Fetch what was missed since the last event, as a board does on reconnect."""
        got: list[dict[str, Any]] = []
        since = self.last_seq()
        while True:
            r = requests.get(
                f"{self.center.url}/api/v1/boards/{self.board_id}/feed",
                params={"since": since},
                headers={"Authorization": f"Bearer {self.token}"},
                timeout=10,
            )
            r.raise_for_status()
            page = r.json()
            got.extend(page["events"])
            since = page["last_seq"]
            if not page["more"]:
                break
        with self.lock:
            self.events.extend(got)
        return got

    def wait_for(
        self, predicate: Callable[[list[dict[str, Any]]], bool], timeout: float = 30
    ) -> list[dict[str, Any]]:
        """Wait until the events received satisfy ``predicate``; return them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                snapshot = list(self.events)
            if predicate(snapshot):
                return snapshot
            time.sleep(0.05)
        with self.lock:
            raise AssertionError(f"board {self.board_id} timed out; it has {self.events}")


@pytest.fixture(scope="module")
def center(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[LiveCenter]:
    """A live center on SQLite (the embedded default) with a real web and worker process."""
    base = tmp_path_factory.mktemp("center")
    db_url = f"sqlite:///{base / 'tagengo.db'}"
    database.upgrade(db_url)
    live = LiveCenter(base, db_url, redis_url)
    live.start()
    try:
        yield live
    finally:
        live.stack.stop()
        with live.app.app_context():
            from server.core.extensions import db

            db.engine.dispose()


@pytest.fixture
def board_client() -> Iterator[Callable[[LiveCenter, int, str], BoardClient]]:
    """Make board clients that are disconnected at the end of the test."""
    made: list[BoardClient] = []

    def make(live: LiveCenter, board_id: int, token: str) -> BoardClient:
        client = BoardClient(live, board_id, token)
        made.append(client)
        return client

    yield make
    for c in made:
        if c.sio.connected:
            c.disconnect()
