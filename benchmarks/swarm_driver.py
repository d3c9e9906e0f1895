"""Drive several swarm client processes and collect what their boards received.

Two client scripts speak the same line protocol: ``swarm_rawclient.py`` (``raw``: bare
WebSockets speaking Socket.IO frames themselves) and ``swarm_client.py`` (``socketio``:
python-socketio's asyncio client, which spends about twice the CPU per event).
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CLIENTS = {"raw": HERE / "swarm_rawclient.py", "socketio": HERE / "swarm_client.py"}


class Swarm:
    """Board clients split over processes of at most ``per_process`` boards each."""

    def __init__(
        self,
        urls: list[str],
        expect: int,
        per_process: int,
        work: Path,
        extra_path: str = "",
        client: str = "raw",
        options: tuple[str, ...] = (),
    ) -> None:
        self.urls = urls
        self.options = list(options)  # more client flags: --since, --poll
        self.client = CLIENTS[client]
        self.expect = expect
        self.per_process = per_process
        self.work = work
        self.lines: queue.Queue[tuple[int, str]] = queue.Queue()
        self.procs: list[subprocess.Popen[str]] = []
        self.done: dict[int, int] = defaultdict(int)
        self.active = 0  # processes with at least one connected board
        self.env = dict(os.environ)
        if extra_path:  # where aiohttp lives when it is not in the project's environment
            parts = (extra_path, self.env.get("PYTHONPATH"))
            self.env["PYTHONPATH"] = os.pathsep.join(p for p in parts if p)

    def add(self, tokens: list[str], probe: bool = False) -> list[int]:
        """Start processes for ``tokens``; return their indexes (wait_connected them next)."""
        size = max(1, len(tokens)) if probe else self.per_process
        started = []
        for start in range(0, len(tokens), size):
            i = len(self.procs)
            token_file = self.work / f"tokens-{i}.json"
            token_file.write_text(json.dumps(tokens[start : start + size]))
            argv = [sys.executable, str(self.client), "--urls", ",".join(self.urls)]
            argv += ["--tokens", str(token_file), "--expect", str(self.expect)]
            argv += ["--probe"] if probe else []
            argv += self.options
            log = open(self.work / f"swarm-{i}.log", "ab")  # noqa: SIM115 - the child owns it
            proc = subprocess.Popen(
                argv,
                env=self.env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
            self.procs.append(proc)
            threading.Thread(target=self._read, args=(i, proc), daemon=True).start()
            started.append(i)
        return started

    def _read(self, index: int, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            self.lines.put((index, line.strip()))
        self.lines.put((index, "exited"))

    def pids(self) -> list[int]:
        """The swarm processes' ids."""
        return [p.pid for p in self.procs]

    def _next(self, deadline: float) -> tuple[int, str] | None:
        try:
            return self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            return None

    def _note(self, line: str) -> None:
        if line.startswith("done "):
            self.done[int(line.split()[1])] += 1

    def wait_connected(self, indexes: list[int], timeout: float) -> tuple[int, int]:
        """Wait until these processes have connected their boards; return (connected, failed)."""
        ok = failed = 0
        waiting = set(indexes)
        deadline = time.monotonic() + timeout
        while waiting and (got := self._next(deadline)) is not None:
            index, line = got
            if line.startswith("connected "):
                a, b = (int(x) for x in line.split()[1:])
                ok, failed = ok + a, failed + b
                self.active += a > 0
                waiting.discard(index)
            elif line == "exited":
                waiting.discard(index)
        for index in waiting:  # a process that never answered: count its boards as failed
            failed += len(json.loads((self.work / f"tokens-{index}.json").read_text()))
        return ok, failed

    def wait_done(self, aid: int, timeout: float) -> bool:
        """Wait until every active process says all its boards have announcement ``aid``."""
        deadline = time.monotonic() + timeout
        while self.done[aid] < self.active:
            got = self._next(deadline)
            if got is None:
                return False
            self._note(got[1])
        return True

    def tell(self, line: str) -> None:
        """Send a command line to every running process."""
        for proc in self.procs:
            if proc.poll() is None and proc.stdin is not None:
                proc.stdin.write(line + "\n")
                proc.stdin.flush()

    def drain(self) -> list[str]:
        """Return the lines the processes printed since last asked (``done`` lines noted)."""
        got = []
        while (item := self._next(time.monotonic())) is not None:
            self._note(item[1])
            got.append(item[1])
        return got

    def ask(self, line: str, answer: str, timeout: float) -> list[str]:
        """Send ``line`` to every process; wait for each to print ``answer``; return the rest."""
        self.tell(line)
        pending = {i for i, p in enumerate(self.procs) if p.poll() is None}
        others = []
        deadline = time.monotonic() + timeout
        while pending and (got := self._next(deadline)) is not None:
            if got[1] == answer or got[1] == "exited":
                pending.discard(got[0])
            else:
                self._note(got[1])
                others.append(got[1])
        return others

    def report(self, lo: int, hi: int, timeout: float = 120) -> list[dict[str, Any]]:
        """Ask every process for its boards' records; return one row per connected board."""
        paths = []
        for i, proc in enumerate(self.procs):
            path = self.work / f"report-{i}.json"
            paths.append(path)
            if proc.poll() is None and proc.stdin is not None:
                proc.stdin.write(f"report {path} {lo} {hi}\n")
                proc.stdin.flush()
        pending = {i for i, p in enumerate(self.procs) if p.poll() is None}
        deadline = time.monotonic() + timeout
        while pending and (got := self._next(deadline)) is not None:
            if got[1] in ("reported", "exited"):
                pending.discard(got[0])
            self._note(got[1])
        rows: list[dict[str, Any]] = []
        for path in paths:
            if path.exists():
                rows.extend(json.loads(path.read_text())["boards"])
        return rows

    def stop(self) -> None:
        """Tell every process to quit; kill the ones that do not."""
        for proc in self.procs:
            if proc.poll() is None and proc.stdin is not None:
                try:
                    proc.stdin.write("quit\n")
                    proc.stdin.close()
                except BrokenPipeError:
                    pass
        for proc in self.procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
