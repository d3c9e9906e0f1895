"""`tagengo up` from nothing: bundled Redis, migrations, web, worker, beat — and a clean stop."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from server.core import embedded

pytestmark = pytest.mark.slow


def read_until(proc: subprocess.Popen[str], marker: str, timeout: float) -> str:
    """Collect the command's output until ``marker`` appears."""
    assert proc.stdout is not None
    seen = ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            if proc.poll() is not None:
                break
            continue
        seen += line
        if marker in line:
            return seen
    raise AssertionError(f"'{marker}' not printed in {timeout}s; output so far:\n{seen}")


def test_up_brings_a_center_up_and_ctrl_c_stops_it(tmp_path: Path) -> None:
    port = embedded.free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAGENGO_")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "server.cli",
            "up",
            "--port",
            str(port),
            "--data-dir",
            str(tmp_path / "data"),
            "--demo",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        out = read_until(proc, "Stop with Ctrl-C", 120)
        assert "Starting the bundled Redis" in out
        assert re.search(r"one-time password: \S{10,}", out)
        boards = re.findall(r"(http://127\.0\.0\.1:\d+/board/\d+\?token=[\w.]+)", out)
        assert len(boards) == 4  # the lobby board and the demo's three
        for url in boards:
            page = requests.get(url, timeout=10)
            assert page.status_code == 200 and 'id="announcements"' in page.text
        health = requests.get(f"http://127.0.0.1:{port}/health", timeout=10).json()
        assert health["checks"]["database"] == "ok" and health["checks"]["redis"] == "ok"
        redis_url = (tmp_path / "data" / "redis.url").read_text()
        board_id, token = re.search(r"/board/(\d+)\?token=([\w.]+)", boards[1]).groups()  # type: ignore[union-attr]

        def translated() -> bool:
            feed = requests.get(
                f"http://127.0.0.1:{port}/api/v1/boards/{board_id}/feed",
                params={"since": 0},
                headers={"Authorization": f"Bearer {token}"},
                timeout=10,
            ).json()
            return any(e["type"] == "announcement.translated" for e in feed["events"])

        deadline = time.monotonic() + 60
        while not translated():
            assert time.monotonic() < deadline, "the demo's announcements were never translated"
            time.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, rest
    assert "Stopped." in rest
    redis_port = int(redis_url.rsplit(":", 1)[1].split("/")[0])
    for closed in (port, redis_port):
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", closed)) != 0, f"port {closed} still open"
    assert not (tmp_path / "data" / "redis.url").exists()


def test_a_child_that_dies_is_restarted_and_one_that_keeps_dying_given_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(embedded, "RESTARTS", 2)
    stack = embedded.Stack()
    runs = tmp_path / "runs"
    # Each start appends a line, then the child dies at once, as a crashing worker would.
    argv = [sys.executable, "-c", f"open({str(runs)!r}, 'a').write('x\\n')"]
    try:
        stack.start("worker", argv, os.environ, tmp_path / "worker.log")
        stack.procs["worker"].wait(10)
        assert stack.revive() == (["worker"], [])
        stack.procs["worker"].wait(10)
        assert stack.revive() == (["worker"], [])
        stack.procs["worker"].wait(10)
        assert stack.revive() == ([], ["worker"])  # a third death within the window
        assert runs.read_text() == "x\n" * 3
    finally:
        stack.stop()
