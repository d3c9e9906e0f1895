"""Turn a soak result into Markdown: memory over time with its trend, events, latency, actions."""

from __future__ import annotations

from typing import Any

GROUPS = ("web", "worker", "beat", "redis", "swarm")


def slope_per_hour(points: list[tuple[float, float]]) -> float | None:
    """Return the least-squares slope of (seconds, MiB) points in MiB per hour."""
    if len(points) < 3:
        return None
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_m = sum(m for _, m in points) / n
    var = sum((t - mean_t) ** 2 for t, _ in points)
    if var == 0:
        return None
    cov = sum((t - mean_t) * (m - mean_m) for t, m in points)
    return round(3600 * cov / var, 1)


def at(samples: list[dict[str, Any]], t_s: float, name: str) -> float:
    """Return the group's memory in the sample closest to ``t_s``."""
    return float(min(samples, key=lambda s: abs(s["t_s"] - t_s))[name])


def memory_table(samples: list[dict[str, Any]], minutes: float) -> str:
    """Render RSS per group at start, ⅓, ⅔ and end, with its trend."""
    marks = [0.0, minutes / 3, 2 * minutes / 3]
    head = [f"{m:g} min" for m in marks[1:]]
    skip = min(10.0, minutes / 3)  # the first minutes fill caches and pools; trend after them
    lines = [
        f"| process | start MiB | {head[0]} | {head[1]} | end | peak | "
        f"slope MiB/h (all) | slope MiB/h (after {skip:g} min) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name in GROUPS:
        if name not in samples[0]:
            continue
        points = [(s["t_s"], float(s[name])) for s in samples]
        late = [(t, m) for t, m in points if t >= 60 * skip]
        cells = [at(samples, 60 * m, name) for m in marks] + [points[-1][1]]
        cells.append(max(m for _, m in points))
        cells_s = [f"{c:.1f}" for c in cells]
        cells_s += [str(slope_per_hour(points)), str(slope_per_hour(late))]
        label = f"{name} (clients, not the center)" if name == "swarm" else name
        lines.append(f"| {label} | " + " | ".join(cells_s) + " |")
    return "\n".join(lines)


def markdown(r: dict[str, Any]) -> str:
    """Render the whole result."""
    samples = r["samples"]
    loads = [s["load1"] for s in samples]
    pub, last = r["published_ms"], r["last_translated_ms"]
    actions = ", ".join(f"{k} {v}" for k, v in sorted(r["actions"].items()))
    events = (
        "| boards | events expected | received | lost | pushed twice | stored twice | "
        "came through the feed first | drops |\n|---|---|---|---|---|---|---|---|\n"
        f"| {r['connected']}/{r['boards']} | {r['expected']} | {r['received']} | {r['lost']} | "
        f"{r['duplicated_live']} | {r['stored_twice']} | {r['fed']} | {r['drops']} |"
    )
    latency = (
        "| post → board | p50 ms | p99 ms |\n|---|---|---|\n"
        f"| published | {pub['p50']} | {pub['p99']} |\n"
        f"| every language | {last['p50']} | {last['p99']} |"
    )
    return "\n\n".join(
        [
            f"Started {r['started_utc']} UTC; load {r['load_s']} s; {len(samples)} memory "
            f"samples; seqs {r['seq_range'][0]}–{r['seq_range'][1]}; 1-minute load average "
            f"{min(loads):.1f}–{max(loads):.1f} (mean {sum(loads) / len(loads):.1f}).",
            memory_table(samples, r["minutes"]),
            events,
            latency,
            f"Actions: {actions}. API errors: {r['error_count']}. "
            f"Incomplete (board, announcement) pairs: {r['incomplete']}.",
        ]
    )
