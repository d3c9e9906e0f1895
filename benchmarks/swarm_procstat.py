"""CPU time and resident memory of server processes, read from /proc (Linux only)."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def _stat_fields(pid: int) -> list[str]:
    raw = Path(f"/proc/{pid}/stat").read_text()
    # The command name may hold spaces; every field we need follows its closing paren.
    return raw[raw.rindex(")") + 2 :].split()


def cpu_seconds(pid: int) -> float:
    """Return user + system CPU seconds a process has used (0 once it is gone)."""
    try:
        fields = _stat_fields(pid)
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_mib(pid: int) -> float:
    """Return a process's resident memory in MiB (0 once it is gone)."""
    try:
        pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return pages * PAGE / 2**20


def threads(pid: int) -> int:
    """Return how many threads a process has."""
    try:
        return len(os.listdir(f"/proc/{pid}/task"))
    except FileNotFoundError:
        return 0


def children(pid: int) -> list[int]:
    """Return the direct children of ``pid`` (gunicorn's workers, Celery's pool)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if int(_stat_fields(int(entry))[1]) == pid:
                    found.append(int(entry))
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue
    return found


def family(pid: int) -> list[int]:
    """Return ``pid`` and all its descendants."""
    out = [pid]
    for child in children(pid):
        out.extend(family(child))
    return out


def machine_ticks() -> list[int]:
    """Return the machine-wide CPU counters of /proc/stat (user … steal)."""
    return [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]


def machine_share(before: list[int], after: list[int]) -> dict[str, float]:
    """Return busy, idle and stolen time between two readings, in % of all CPUs."""
    delta = [b - a for a, b in zip(before, after, strict=True)]
    total = sum(delta) or 1
    idle = delta[3] + delta[4]  # idle + iowait
    return {
        "busy_pct": round(100 * (total - idle - delta[7]) / total, 1),
        "idle_pct": round(100 * idle / total, 1),
        # A virtual machine's vCPUs can be handed to other guests: time we never got.
        "steal_pct": round(100 * delta[7] / total, 1),
    }


@dataclass
class Sampler:
    """Sample CPU and peak RSS of named process groups while a phase runs."""

    groups: dict[str, list[int]]
    interval: float = 0.5
    peak_rss: dict[str, float] = field(default_factory=dict)
    peak_threads: dict[str, int] = field(default_factory=dict)
    machine: dict[str, float] = field(default_factory=dict)
    _cpu0: dict[str, float] = field(default_factory=dict)
    _ticks0: list[int] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def _sample(self) -> None:
        for name, pids in self.groups.items():
            rss = sum(rss_mib(p) for p in pids)
            self.peak_rss[name] = max(self.peak_rss.get(name, 0.0), rss)
            count = sum(threads(p) for p in pids)
            self.peak_threads[name] = max(self.peak_threads.get(name, 0), count)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def start(self) -> None:
        """Take the starting CPU times and begin sampling memory."""
        self._cpu0 = {n: sum(cpu_seconds(p) for p in ps) for n, ps in self.groups.items()}
        self._ticks0 = machine_ticks()
        self._sample()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self, wall: float) -> dict[str, dict[str, float]]:
        """Stop sampling; return per group CPU % of one core, peak RSS MiB and peak threads."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self._sample()
        self.machine = machine_share(self._ticks0, machine_ticks())
        result = {}
        for name, pids in self.groups.items():
            used = sum(cpu_seconds(p) for p in pids) - self._cpu0[name]
            result[name] = {
                "cpu_pct": round(100 * used / wall, 1) if wall > 0 else 0.0,
                "cpu_s": round(used, 2),
                "rss_mib": round(self.peak_rss.get(name, 0.0), 1),
                "threads": self.peak_threads.get(name, 0),
                "procs": len(pids),
            }
        return result
