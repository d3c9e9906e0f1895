"""Redis Sentinel: the primary dies while announcements are published; nothing lost or doubled.

A real primary, a replica and three sentinels (the bundled redis-server run with --sentinel)
watch over one service. The center is given only the sentinels' addresses. Killing the primary
mid-surge makes the sentinels promote the replica; Celery, the Socket.IO message queue, the
rate limiter and our own clients follow it, pub/sub messages in flight are lost (Socket.IO is
at-most-once) and the boards' catch-up through the database fills every gap.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from server.core import database, embedded, redis_urls
from tests.faults.conftest import FaultCenter
from tests.faults.test_faults import (
    assert_exactly_once,
    created_after,
    newest_id,
    unfinished,
    wait_until,
)

SERVICE = "tagengo"


def newest_seq(center: Any) -> int:
    """The highest board-event seq the database holds now."""
    from sqlalchemy import func, select

    from server.core.extensions import db
    from server.models import BoardEvent

    with center.app.app_context():
        return int(db.session.scalar(select(func.max(BoardEvent.seq))) or 0)


class SentinelSet:
    """A primary, a replica and three sentinels on loopback, all real redis-server processes."""

    def __init__(self, folder: Path) -> None:
        self.stack = embedded.Stack()
        self.folder = folder
        self.binary = embedded.redis_server_binary()
        self.primary = embedded.free_port()
        self.replica = embedded.free_port()
        self.sentinels = [embedded.free_port() for _ in range(3)]
        self._server("primary", self.primary)
        self._server("replica", self.replica, "--replicaof", "127.0.0.1", str(self.primary))
        for n, port in enumerate(self.sentinels):
            conf = folder / f"sentinel-{n}.conf"  # sentinels rewrite their file: one each
            conf.write_text(
                f"port {port}\nbind 127.0.0.1\ndir {folder}\n"
                f"sentinel monitor {SERVICE} 127.0.0.1 {self.primary} 2\n"
                f"sentinel down-after-milliseconds {SERVICE} 1000\n"
                f"sentinel failover-timeout {SERVICE} 5000\n"
                f"sentinel parallel-syncs {SERVICE} 1\n"
            )
            name = f"sentinel-{n}"
            self.stack.start(
                name, [self.binary, str(conf), "--sentinel"], os.environ, folder / f"{name}.log"
            )
            embedded.wait_for_port(port, 15, self.stack.procs[name])
        hosts = ",".join(f"127.0.0.1:{p}" for p in self.sentinels)
        self.url = f"sentinel://{hosts}/{SERVICE}"
        wait_until(self._ready, 30, "the sentinels never saw the replica and each other")

    def _server(self, name: str, port: int, *extra: str) -> None:
        argv = [self.binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(self.folder)]
        argv += ["--save", "", "--appendonly", "no", "--dbfilename", f"{name}.rdb", *extra]
        self.stack.start(name, argv, os.environ, self.folder / f"{name}.log")
        embedded.wait_for_port(port, 15, self.stack.procs[name])

    def _ready(self) -> str | None:
        for port in self.sentinels:
            s = redis.Redis(port=port, decode_responses=True)
            try:
                replicas = s.execute_command("SENTINEL", "REPLICAS", SERVICE)
                others = s.execute_command("SENTINEL", "SENTINELS", SERVICE)
            except redis.RedisError as exc:
                return f"sentinel {port}: {exc}"
            if len(replicas) < 1 or len(others) < 2:
                return f"sentinel {port} knows {len(replicas)} replica(s), {len(others)} peer(s)"
        return None

    def current_primary(self) -> int:
        """The primary's port as the sentinels announce it now."""
        s = redis.Redis(port=self.sentinels[0], decode_responses=True)
        _host, port = s.execute_command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", SERVICE)
        return int(port)

    def kill_primary(self) -> None:
        """SIGKILL the primary, as a power cut would; it does not come back."""
        proc = self.stack.procs["primary"]
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
        del self.stack.procs["primary"]  # the supervisor-less stack must not count it dead


@pytest.fixture(scope="module")
def sentinel_set(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SentinelSet]:
    """Start the sentinel set; stop every process at the end."""
    try:
        made = SentinelSet(tmp_path_factory.mktemp("sentinel"))
    except RuntimeError as exc:  # no redis-server binary at all
        pytest.skip(str(exc))
    yield made
    made.stack.stop()


def test_sentinel_urls_are_spelled_for_each_library() -> None:
    url = "sentinel://:pw@h1:26379,h2:26380/mymaster/2"
    assert redis_urls.socketio_url(url) == "redis+sentinel://:pw@h1:26379,h2:26380/2/mymaster"
    assert redis_urls.limiter_url(url) == "redis+sentinel://:pw@h1:26379,h2:26380/mymaster"
    assert redis_urls.limiter_options(url) == {"db": 2}
    assert redis_urls.celery_broker(url) == (
        "sentinel://:pw@h1:26379/2;sentinel://:pw@h2:26380/2",
        {"master_name": "mymaster"},
    )
    assert redis_urls.parse("redis+sentinel://h1:1/0/svc") == redis_urls.parse(
        "sentinel://h1:1/svc"
    )
    plain = "redis://127.0.0.1:6379/0"
    assert redis_urls.socketio_url(plain) == redis_urls.limiter_url(plain) == plain
    assert redis_urls.celery_broker(plain) == (plain, {})
    for bad in ("sentinel://h1:26379", "sentinel://h1/svc", "sentinel://h1:1/svc/x"):
        with pytest.raises(ValueError):
            redis_urls.parse(bad)


@pytest.mark.slow
def test_primary_killed_while_publishing_every_board_gets_every_event_once(
    sentinel_set: SentinelSet,
    tmp_path_factory: pytest.TempPathFactory,
    live_board: Any,
    publishing: Any,
) -> None:
    base = tmp_path_factory.mktemp("sentinel-center")
    db_url = f"sqlite:///{base / 'tagengo.db'}"
    database.upgrade(db_url)
    center = FaultCenter(base, db_url, sentinel_set.url)
    center.install_tiny_models(tmp_path_factory.mktemp("sentinel-models"))
    center.start()
    try:
        setup = center.seed()
        assert center.app.config["RATELIMIT_STORAGE_URI"].startswith("redis+sentinel://")
        assert center.app.extensions["celery"].conf.broker_url.startswith("sentinel://")
        health = center.api("GET", "/health", setup["token"]).json()
        assert health["checks"]["redis"] == "ok" and health["workers"], health
        boards = [live_board(center, b) for b in setup["boards"]]
        first = newest_id(center)
        publisher = publishing(center, setup["token"])
        time.sleep(3)
        old = sentinel_set.current_primary()
        assert old == sentinel_set.primary
        down = time.monotonic()
        sentinel_set.kill_primary()
        wait_until(
            lambda: None if sentinel_set.current_primary() == sentinel_set.replica else "not yet",
            60,
            "the sentinels never promoted the replica",
        )
        promoted = time.monotonic()
        seq_at_promotion = newest_seq(center)
        time.sleep(5)  # keep publishing on the new primary
        publisher.finish()

        publisher.assert_clean()
        assert publisher.during(down, promoted), "nothing was published during the failover"
        after = [s for t, _a, s, _d in publisher.answers if t > promoted + 2]
        assert after and all(s in (200, 201, 409) for s in after), after
        aids = created_after(center, first)
        assert set(publisher.accepted) <= set(aids)
        wait_until(lambda: unfinished(center, aids), 90, "work was lost in the failover")
        assert_exactly_once(center, boards, aids, timeout=30)
        # Live push through the message queue works on the new primary (the worker's
        # translations), not only the feed's catch-up.
        for board in boards:
            fed = {id(e) for e in board.fed}
            pushed = [
                e["seq"]
                for e in board.events
                if id(e) not in fed and e["type"] == "announcement.translated"
            ]
            assert any(seq > seq_at_promotion for seq in pushed), (board.board_id, pushed)
        # The health check (our own redis-py client) follows the new primary too.
        health = center.api("GET", "/health", setup["token"]).json()
        assert health["checks"]["redis"] == "ok", health
    finally:
        center.stop()
