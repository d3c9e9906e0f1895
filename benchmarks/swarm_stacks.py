"""Start what the benchmark measures: our center or the bare baseline, under gunicorn.

Both run the same gunicorn worker classes so only our own code differs between them:
gevent is ``geventwebsocket.gunicorn.workers.GeventWebSocketWorker`` with raised
``--worker-connections`` (plain ``-k gevent`` silently loses WebSockets); threading is
``-k gthread`` with a thread per board, since each WebSocket holds one for its lifetime.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

from sqlalchemy import func, select
from swarm_procstat import family

from server import create_app
from server.core import database, embedded
from server.core.extensions import db
from server.core.security import board_token
from server.models import Board, BoardEvent
from server.people import accounts

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
GEVENT_WORKER = "geventwebsocket.gunicorn.workers.GeventWebSocketWorker"
SHELTERS = 10


def gunicorn_argv(async_mode: str, app: str, port: int, workers: int, boards: int) -> list[str]:
    """Command line of a gunicorn serving ``app`` in ``async_mode`` for ``boards`` boards."""
    argv = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}"]
    if async_mode == "gevent":
        argv += ["-k", GEVENT_WORKER, "--worker-connections", str(max(10000, boards + 100))]
    else:
        per_worker = -(-boards // workers) + 50  # ceil, plus room for the API and health
        argv += ["-k", "gthread", "--threads", str(per_worker)]
    # A long timeout: on a saturated machine the arbiter's heartbeat check must not kill
    # a worker that is merely busy sending.
    argv += ["--timeout", "300", "--graceful-timeout", "5", "--backlog", "4096"]
    argv += ["--log-level", "warning", "--pythonpath", str(BENCH), app]
    return argv


class Web:
    """One gunicorn master and its workers."""

    def __init__(self, stack: embedded.Stack, name: str) -> None:
        self.stack = stack
        self.name = name

    def pids(self) -> list[int]:
        """The master and every worker."""
        return family(self.stack.procs[self.name].pid)

    def stop(self) -> None:
        """Stop the web processes only."""
        proc = self.stack.procs.pop(self.name)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # gunicorn stops its workers on TERM
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


class Base:
    """Shared parts: a private Redis and a folder for logs."""

    def __init__(self, work: Path, redis: str) -> None:
        self.work = work
        self.redis = redis
        self.logs = work / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.stack = embedded.Stack()
        self.channel = "tagengo-bench-" + uuid.uuid4().hex[:8]

    def env(self) -> dict[str, str]:
        """Environment of child processes."""
        return dict(os.environ)

    def start_web(
        self, async_mode: str, workers: int, boards: int, app: str, wait: float = 60
    ) -> tuple[Web, str]:
        """Start gunicorn; return it and its URL once /health answers (within ``wait`` s)."""
        port = embedded.free_port()
        name = f"web-{async_mode}-{port}"
        argv = gunicorn_argv(async_mode, app, port, workers, boards)
        proc = self.stack.start(name, argv, self.env(), self.logs / f"{name}.log")
        url = f"http://127.0.0.1:{port}"
        embedded.wait_for_health(url, wait, proc)
        return Web(self.stack, name), url

    def stop(self) -> None:
        """Stop every child process."""
        self.stack.stop()


class Center(Base):
    """Tagengo itself: SQLite, one Celery worker, gunicorn on ``server.core.wsgi:app``."""

    def __init__(self, work: Path, redis: str) -> None:
        super().__init__(work, redis)
        self.secret = "bench-" + uuid.uuid4().hex
        self.db_url = f"sqlite:///{work / 'tagengo.db'}"
        database.upgrade(self.db_url)
        self.app = create_app(
            {
                "SECRET_KEY": self.secret,
                "DATA_DIR": str(work),
                "DATABASE_URL": self.db_url,
                "REDIS_URL": redis,
                "SOCKETIO_CHANNEL": self.channel,
            },
            role="bench",
        )
        self.targets = [
            lang for lang in self.app.config["TARGET_LANGUAGES"] if lang != "ja"
        ]  # the source language gets no translated event

    def env(self) -> dict[str, str]:
        """The TAGENGO_* settings every process of the center shares."""
        return {
            **os.environ,
            "TAGENGO_SECRET_KEY": self.secret,
            "TAGENGO_DATA_DIR": str(self.work),
            "TAGENGO_DATABASE_URL": self.db_url,
            "TAGENGO_REDIS_URL": self.redis,
            "TAGENGO_SOCKETIO_CHANNEL": self.channel,
            "TAGENGO_LOG_LEVEL": "WARNING",
        }

    def seed(self, boards: int) -> tuple[str, list[str]]:
        """Create an operator token and ``boards`` boards; return the token and board tokens."""
        with self.app.app_context():
            accounts.create_user("bench-operator", "operator", "bench-operator-password")
            token = accounts.create_token("bench-operator")
            shelters = [accounts.create_shelter(f"ベンチ避難所{i}") for i in range(SHELTERS)]
            rows = [
                Board(shelter_id=shelters[i % SHELTERS].id, name=f"TV {i}") for i in range(boards)
            ]
            db.session.add_all(rows)  # one commit: thousands of boards in a second
            db.session.commit()
            tokens = [board_token(self.secret, b.id, b.token_version) for b in rows]
        return token, tokens

    def last_seq(self) -> int:
        """Return the highest board-event sequence number stored."""
        with self.app.app_context():
            value = db.session.scalar(select(func.max(BoardEvent.seq)))
            db.session.remove()
        return int(value or 0)

    def start_worker(self) -> subprocess.Popen[bytes]:
        """Start one Celery worker (2 threads, as `tagengo up` does) and wait for its ping."""
        argv = embedded.worker_argv(2, name="bench" + uuid.uuid4().hex[:4])
        proc: subprocess.Popen[bytes] = self.stack.start(
            "worker", argv, self.env(), self.logs / "worker.log"
        )
        celery = self.app.extensions["celery"]
        for _ in range(120):
            if proc.poll() is not None:
                raise RuntimeError("the Celery worker exited; see " + str(self.logs))
            if celery.control.ping(timeout=0.5):
                return proc
        raise TimeoutError("no Celery worker answered a ping")


class Bare(Base):
    """The baseline: ``bare_server`` under gunicorn and ``bare_emitter`` in its own process."""

    def env(self) -> dict[str, str]:
        """Tell the bare server which queue to listen on."""
        return {**os.environ, "BENCH_REDIS_URL": self.redis, "BENCH_CHANNEL": self.channel}

    def start_emitter(self, langs: list[str]) -> subprocess.Popen[str]:
        """Start the external emitter with a pipe to drive it."""
        argv = [sys.executable, str(BENCH / "bare_emitter.py"), "--redis", self.redis]
        argv += ["--channel", self.channel, "--langs", ",".join(langs)]
        log = open(self.logs / "emitter.log", "ab")  # noqa: SIM115 - the child owns it
        return subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True, bufsize=1
        )
