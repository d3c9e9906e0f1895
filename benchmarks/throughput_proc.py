"""What the throughput benchmark reads about processes (from /proc, Linux only) and latencies."""

from __future__ import annotations

import math
from pathlib import Path

# /proc reading is shared with the board benchmark.
from swarm_procstat import cpu_seconds, family  # noqa: F401  (re-exported)


def peak_rss_mib(pids: list[int]) -> float:
    """Return the summed peak resident memory (VmHWM) of processes, in MiB."""
    total = 0
    for pid in pids:
        try:
            lines = Path(f"/proc/{pid}/status").read_text().splitlines()
        except FileNotFoundError:
            continue
        total += next((int(x.split()[1]) for x in lines if x.startswith("VmHWM:")), 0)
    return total / 1024


def percentile(values: list[float], pct: float) -> float:
    """Return the nearest-rank percentile of ``values`` (0 when empty)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(1, math.ceil(pct / 100 * len(ordered))) - 1]
