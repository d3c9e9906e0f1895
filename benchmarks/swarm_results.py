"""Turn raw receive times into latency figures, and results into a Markdown table."""

from __future__ import annotations

import math
from typing import Any


def percentile(values: list[float], pct: float) -> float | None:
    """Return the nearest-rank percentile of ``values`` (None when empty)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def latencies(
    boards: list[dict[str, Any]], posted: dict[int, float], expect: int
) -> dict[str, Any]:
    """Compute post → received latency (ms) over every board and measured announcement."""
    first: list[float] = []
    last: list[float] = []
    worst_board_p99 = 0.0
    incomplete = 0
    for board in boards:
        own: list[float] = []
        for aid, t_post in posted.items():
            row = board["times"].get(str(aid))
            if row is None:
                incomplete += 1
                continue
            t_pub, t_last, count = row
            if t_pub:
                first.append(1000 * (t_pub - t_post))
            if count == expect:
                own.append(1000 * (t_last - t_post))
            else:
                incomplete += 1
        last.extend(own)
        worst_board_p99 = max(worst_board_p99, percentile(own, 99) or 0.0)
    return {
        "published_ms": {f"p{p}": _r(percentile(first, p)) for p in (50, 95, 99)},
        "last_translated_ms": {f"p{p}": _r(percentile(last, p)) for p in (50, 95, 99)},
        "worst_board_p99_ms": _r(worst_board_p99),
        "max_last_ms": _r(max(last, default=0.0)),
        "incomplete": incomplete,
    }


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _key(run: dict[str, Any]) -> tuple[str, int, int]:
    return run["mode"], run["boards"], run["web_procs"]


def _ratio(ours: dict[str, Any], bare: dict[str, Any] | None) -> str:
    """Our last-translated p99 over the bare baseline's, all boards and probes."""
    if bare is None:
        return "–"
    parts = []
    for a, b in ((ours, bare), (ours.get("probe", {}), bare.get("probe", {}))):
        x = a.get("last_translated_ms", {}).get("p99")
        y = b.get("last_translated_ms", {}).get("p99")
        parts.append(f"{x / y:.2f}" if x and y else "–")
    return "/".join(parts)


def _cell(value: Any) -> str:
    return "–" if value is None else str(value)


HEADER = (
    "| stack | mode | boards connected | web × swarm procs (client) | anns complete | "
    "published p50/p99 ms | last translated p50/p95/p99 ms | probes: last p50/p99 ms | "
    "÷ bare p99 all/probes | "
    "missed/dup/drops | web CPU % · RSS MiB · threads | worker CPU % | swarm CPU % (µs/event) | "
    "load · busy % | verdict |"
)
HEADER_RULE = "|" + "---|" * (HEADER.count("|") - 1)


def _join(values: list[Any], sep: str = "/") -> str:
    return sep.join(_cell(v) for v in values)


def table(runs: list[dict[str, Any]]) -> str:
    """Render runs as a Markdown table, one row per run."""
    lines = [HEADER, HEADER_RULE]
    bare = {_key(r): r for r in runs if r["stack"] == "bare"}
    for run in runs:
        pub = run.get("published_ms", {})
        last = run.get("last_translated_ms", {})
        probe = run.get("probe", {}).get("last_translated_ms", {})
        proc = run.get("processes", {})
        web, side = proc.get("web", {}), proc.get("worker", proc.get("emitter", {}))
        swarm = proc.get("swarm", {})
        load = run.get("load_before")
        cells = [
            run["stack"],
            run["mode"],
            f"{run['connected']}/{run['boards']}",
            # Runs saved before --client existed all used python-socketio.
            f"{run['web_procs']} × {run['swarm_procs']} ({run.get('client', 'socketio')})",
            f"{run.get('complete', 0)}/{run.get('announcements', 0)}",
            _join([pub.get("p50"), pub.get("p99")]),
            _join([last.get(k) for k in ("p50", "p95", "p99")]),
            _join([probe.get("p50"), probe.get("p99")]),
            _ratio(run, bare.get(_key(run))) if run["stack"] == "ours" else "",
            _join([run.get("missed"), run.get("dups"), run.get("disconnects")]),
            _join([web.get("cpu_pct"), web.get("rss_mib"), web.get("threads")], " · "),
            _cell(side.get("cpu_pct")),
            f"{_cell(swarm.get('cpu_pct'))} ({_cell(run.get('swarm_cpu_us_per_event'))})",
            _join([load and round(load, 1), run.get("machine", {}).get("busy_pct")], " · "),
            run.get("verdict", ""),
        ]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines)
