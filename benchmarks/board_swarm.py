"""Live-board capacity: post → board latency, lost and repeated events, server CPU and memory.

For each board count N and async mode (gevent, threading) this starts the web processes
under gunicorn, connects N WebSocket board clients (several swarm processes), posts
phrasebook announcements one at a time (the next once every board has the last one, or
after --timeout) and measures, per board and announcement, the time from the post to
``announcement.published`` and to the last ``announcement.translated``; then counts
sequence numbers each board missed or received twice. "ours" is Tagengo
(POST /api/v1/announcements, SQLite, one Celery worker); "bare" is a minimal Flask-SocketIO
server fed by an external emitter on the same Redis queue — the baseline.

--client picks the board client: ``raw`` (default, ``swarm_rawclient.py``) speaks Engine.IO /
Socket.IO text frames over bare aiohttp WebSockets and spends about half the CPU per event,
so the swarm starves later when it shares the machine with the servers; ``socketio``
(``swarm_client.py``) is python-socketio's asyncio client, the heavier reference. Both need
aiohttp; point --swarm-path at a folder holding it if the project's environment lacks it.
Results are appended to --out (JSON); --table renders that file as Markdown.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Protocol

import requests
from swarm_driver import Swarm
from swarm_procstat import Sampler, family
from swarm_results import latencies, table
from swarm_stacks import Bare, Base, Center, Web

from server.core import embedded
from server.core.config import DEFAULT_TARGET_LANGUAGES

BODY = {"template_id": "shelter.quiet_hours", "slots": {"time": "22:00"}}


class Poster(Protocol):
    """Something that publishes one announcement and knows the sequence numbers used."""

    def post(self, url: str) -> tuple[float, int]: ...
    def last_seq(self) -> int: ...


class OursPoster:
    """Publish through our API with an operator token."""

    def __init__(self, center: Center, token: str) -> None:
        self.center = center
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"

    def post(self, url: str) -> tuple[float, int]:
        """POST a phrasebook announcement; return the post time and its id."""
        started = time.monotonic()
        r = self.http.post(url + "/api/v1/announcements", json=BODY, timeout=30)
        r.raise_for_status()
        return started, int(r.json()["id"])

    def last_seq(self) -> int:
        """Highest stored sequence number."""
        return self.center.last_seq()


class BarePoster:
    """Ask the external emitter for one announcement's events."""

    def __init__(self, emitter: subprocess.Popen[str]) -> None:
        self.emitter = emitter
        self.seq = 0

    def post(self, url: str) -> tuple[float, int]:
        """Tell the emitter to emit; return the time the command was sent and its id."""
        assert self.emitter.stdin is not None and self.emitter.stdout is not None
        started = time.monotonic()
        self.emitter.stdin.write("emit\n")
        self.emitter.stdin.flush()
        _, aid, _, last = self.emitter.stdout.readline().split()
        self.seq = int(last)
        return started, int(aid)

    def last_seq(self) -> int:
        """Highest sequence number emitted."""
        return self.seq


def measure(
    stack: Base,
    poster: Poster,
    side: list[int],
    tokens: list[str],
    spec: dict[str, Any],
    args: argparse.Namespace,
) -> dict[str, Any]:
    """Run one configuration and return its figures."""
    n, mode, expect = spec["boards"], spec["mode"], spec["expect"]
    app = "server.core.wsgi:app" if spec["stack"] == "ours" else "bare_server:create_app()"
    run_dir = stack.work / f"{spec['stack']}-{mode}-{n}"
    run_dir.mkdir(exist_ok=True)
    web: Web | None = None
    swarm: Swarm | None = None
    result: dict[str, Any] = dict(spec, load_before=os.getloadavg()[0])
    try:
        web, url = stack.start_web(mode, args.web_procs, n, app)
        swarm = Swarm([url], expect, args.per_swarm, run_dir, args.swarm_path, args.client)
        probes = min(args.probes, n)
        started = time.monotonic()
        ok, failed = swarm.wait_connected(swarm.add(tokens[probes:n]), 60 + n / 10)
        # Probes join last, so the server reaches them last: their latency is the time to
        # fan out to every board, without the backlog of a saturated swarm process.
        more_ok, more_failed = swarm.wait_connected(swarm.add(tokens[:probes], probe=True), 60)
        result["connect_s"] = round(time.monotonic() - started, 1)
        result["connected"], result["connect_failed"] = ok + more_ok, failed + more_failed
        result["swarm_procs"] = len(swarm.procs)
        if not result["connected"]:
            return result | {"verdict": "FAIL: no board connected"}
        for _ in range(args.warmup):  # first posts load templates and warm connections
            swarm.wait_done(poster.post(url)[1], args.timeout)
        lo = poster.last_seq() + 1
        groups = {"web": web.pids(), "redis": [stack.stack.procs["redis"].pid]}
        groups["worker" if spec["stack"] == "ours" else "emitter"] = side
        groups["swarm"] = swarm.pids()
        sampler = Sampler(groups)
        sampler.start()
        started = time.monotonic()
        posted: dict[int, float] = {}
        complete = strikes = errors = 0
        for _ in range(spec["wanted"]):
            try:
                t_post, aid = poster.post(url)
            except (requests.RequestException, ValueError) as exc:
                errors += 1
                print(f"  post failed: {exc!r}", flush=True)
                continue
            posted[aid] = t_post
            if swarm.wait_done(aid, args.timeout):
                complete, strikes = complete + 1, 0
            else:
                strikes += 1
                if strikes >= args.strikes:
                    result["aborted"] = f"{strikes} announcements in a row timed out"
                    break
            time.sleep(args.gap)
        wall = time.monotonic() - started
        result["processes"] = sampler.stop(wall)
        result["machine"] = sampler.machine
        time.sleep(1)  # let late or repeated events arrive before counting
        hi = poster.last_seq()
        rows = swarm.report(lo, hi)
        result |= {
            "measure_s": round(wall, 1),
            "announcements": len(posted),
            "post_errors": errors,
            "complete": complete,
            "seq_range": [lo, hi],
            "missed": sum(r["missed"] for r in rows),
            "dups": sum(r["dups"] for r in rows),
            "disconnects": sum(r["disconnects"] for r in rows),
            "load_after": os.getloadavg()[0],
        }
        result |= latencies(rows, posted, expect)
        result["probe"] = latencies([r for r in rows if r["probe"]], posted, expect)
        swarm_cpu = result["processes"]["swarm"]["cpu_s"]
        result["swarm_cpu_us_per_event"] = round(1e6 * swarm_cpu / max(1, n * len(posted) * expect))
        result["verdict"] = verdict(result, spec["wanted"])
        return result
    except Exception as exc:  # a collapsed server is a result to record, not a crash
        return result | {"verdict": f"FAIL: {exc!r}"[:200]}
    finally:
        if swarm is not None:
            swarm.stop()
        if web is not None:
            web.stop()


def verdict(r: dict[str, Any], wanted: int) -> str:
    """Say whether every board got every event exactly once."""
    problems = [
        f"{k}={r[k]}"
        for k in ("connect_failed", "missed", "dups", "disconnects", "post_errors")
        if r.get(k)
    ]
    if r["complete"] < wanted:
        problems.append(f"complete={r['complete']}/{wanted}")
    if r.get("aborted"):
        problems.append("aborted")
    return "ok" if not problems else "FAIL: " + ", ".join(problems)


def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Run every requested configuration; smaller N first, stacks side by side."""
    work = Path(args.work_dir or tempfile.mkdtemp(prefix="tagengo-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    counts = [int(x) for x in args.boards.split(",")]
    redis_stack = embedded.Stack()
    redis = redis_stack.start_redis(work / "redis", os.environ, persist=False)
    stacks: dict[str, tuple[Base, Poster, list[int], list[str]]] = {}
    langs = [x for x in DEFAULT_TARGET_LANGUAGES.split(",") if x != "ja"]
    try:
        if "ours" in args.stacks:
            center = Center(work / "ours", redis)
            center.stack.procs["redis"] = redis_stack.procs["redis"]  # sampled, not stopped
            token, tokens = center.seed(max(counts))
            worker = center.start_worker()
            langs = center.targets
            stacks["ours"] = (center, OursPoster(center, token), family(worker.pid), tokens)
        if "bare" in args.stacks:
            bare = Bare(work / "bare", redis)
            bare.stack.procs["redis"] = redis_stack.procs["redis"]
            emitter = bare.start_emitter(langs)
            stacks["bare"] = (bare, BarePoster(emitter), [emitter.pid], [""] * max(counts))
        return _matrix(args, counts, stacks, 1 + len(langs))
    finally:
        for stack, poster, _, _ in stacks.values():
            stack.stack.procs.pop("redis", None)
            stack.stop()
            if isinstance(poster, BarePoster):
                poster.emitter.kill()
        redis_stack.stop()
        if not args.keep_files:
            shutil.rmtree(work, ignore_errors=True)


def _matrix(
    args: argparse.Namespace,
    counts: list[int],
    stacks: dict[str, tuple[Base, Poster, list[int], list[str]]],
    expect: int,
) -> list[dict[str, Any]]:
    runs: list[dict[str, Any]] = []
    failed: set[tuple[str, str]] = set()
    posts = [int(x) for x in args.announcements.split(",")]
    posts += posts[-1:] * (len(counts) - len(posts))  # one number means the same for every N
    for n, wanted in zip(counts, posts, strict=False):
        for mode in args.modes.split(","):
            for name, (stack, poster, side, tokens) in stacks.items():
                if (name, mode) in failed and not args.keep_going:
                    continue  # it failed at a smaller N; spend the time elsewhere
                spec = {"stack": name, "mode": mode, "boards": n, "wanted": wanted}
                spec |= {"expect": expect, "web_procs": args.web_procs, "client": args.client}
                spec |= {"swarm_procs": 0, "connected": 0}
                print(f"{name} {mode} N={n} …", flush=True)
                result = measure(stack, poster, side, tokens, spec, args)
                print(json.dumps(result), flush=True)
                runs.append(result)
                _save(args.out, result)
                if result["verdict"] != "ok":
                    failed.add((name, mode))
    return runs


def _save(path: str, result: dict[str, Any]) -> None:
    out = Path(path)
    existing = json.loads(out.read_text()) if out.exists() else []
    out.write_text(json.dumps([*existing, result], indent=1, ensure_ascii=False))


def main() -> None:
    """Parse arguments; run the benchmark or render a results file."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add = parser.add_argument
    add("--stacks", default="ours,bare", help="ours and/or bare (default: both)")
    add("--modes", default="gevent,threading", help="async modes (default: both)")
    add("--boards", default="100,500,1000,2000", help="board counts N (comma-separated)")
    add(
        "--announcements",
        default="100",
        help="measured posts per run: one number, or one per board count (default 100)",
    )
    add("--warmup", type=int, default=2, help="posts before measuring (default 2)")
    add("--web-procs", type=int, default=2, help="gunicorn workers (default 2)")
    add("--probes", type=int, default=20, help="boards in a lightly loaded probe process")
    add(
        "--client",
        choices=["raw", "socketio"],
        default="raw",
        help="board client: bare WebSockets (raw, default) or python-socketio's",
    )
    add("--per-swarm", type=int, default=250, help="boards per swarm process (default 250)")
    add("--timeout", type=float, default=15, help="seconds to wait for one announcement")
    add("--strikes", type=int, default=3, help="timeouts in a row that end a run")
    add("--gap", type=float, default=0.1, help="pause between posts in seconds")
    add("--swarm-path", default=os.environ.get("BENCH_SWARM_PATH", ""), help="extra PYTHONPATH")
    add("--keep-going", action="store_true", help="run larger N after a failure too")
    add("--work-dir", help="folder for data and logs (default: a temporary one)")
    add("--keep-files", action="store_true", help="keep the work folder (logs) afterwards")
    add("--out", default="board_swarm_results.json", help="JSON file results are appended to")
    add("--table", metavar="FILE", help="print FILE's results as a Markdown table and exit")
    args = parser.parse_args()
    if args.table:
        print(table(json.loads(Path(args.table).read_text())))
        return
    runs = run(args)
    print(table(runs))
    sys.exit(0 if all(r["verdict"] == "ok" for r in runs) else 1)


if __name__ == "__main__":
    main()
