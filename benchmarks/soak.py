"""Soak: a center under mixed load for a long while; memory over time, events lost, latency.

What runs: a private Redis, our center on SQLite (gunicorn with the gevent WebSocket worker,
2 web processes, one Celery worker with 2 threads, Celery beat) with tiny glossing models
installed (ja→en, en→vi, en→ja: real CTranslate2 loads and translations, so the machine path
works, in milliseconds), and ``--boards`` raw WebSocket boards (``swarm_rawclient.py``) that
behave like ``board.js``: catch up through ``/feed?since=`` on every (re)connect and every
45–60 s. For ``--minutes`` the driver keeps a mixed load going — new announcements
(phrasebook and free text needing machine translation), revisions, retractions, inquiries
from other channels, replies to them — and every ``--cycle`` seconds each swarm process
drops a share of its boards and connects them again.

Every ``--sample`` seconds it reads the resident memory of every server process group (web:
gunicorn master and workers; worker; beat; redis) and of the board swarm. At the end, once
the center is idle and every board has asked the feed once more, each board's sequence
numbers are checked against the range the run produced: lost (never arrived), pushed twice,
and the database's own check that no (type, announcement, revision, language) was stored
twice. Latency is post → board receipt of ``announcement.published`` and of the last
language, over every (board, new announcement) pair, boards that were reconnecting included.
Results go to ``--out`` (JSON); ``--table FILE`` renders one as Markdown.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import requests
import soak_report
from sqlalchemy import func, select
from swarm_driver import Swarm
from swarm_procstat import family, rss_mib
from swarm_results import latencies
from swarm_stacks import Center

from server.core import embedded
from server.core.extensions import db
from server.models import BoardEvent, Outbox, Translation
from translations.mt.tiny import build_tiny_package

PHRASE = {"template_id": "shelter.quiet_hours", "slots": {"time": "22:00"}}
TEXT = "第{n}報。本日15時に給水があります。停電は夜まで続く見込みです。"
INQUIRY = "Where can I get water for my baby? We are at the school gym. ({n})"
REPLY = "給水は15時から第一小学校の校庭です。"
GLOSS = {"給水": "water", "停電": "outage", "本日": "today"}


class Load:
    """The operator and the other intake channels: one API call at a time, counted."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.counts: Counter[str] = Counter()
        self.errors: list[str] = []
        self.posted: dict[int, float] = {}  # new announcement id -> monotonic post time
        self.active: list[int] = []
        self.inquiries: list[int] = []
        self.n = 0

    def _call(self, action: str, method: str, path: str, body: dict[str, Any]) -> Any:
        try:
            r = self.http.request(method, self.url + path, json=body, timeout=30)
        except requests.RequestException as exc:
            self.errors.append(f"{action}: {exc!r}"[:200])
            return None
        if r.status_code not in (200, 201):
            self.errors.append(f"{action}: {r.status_code} {r.text[:150]}")
            return None
        self.counts[action] += 1
        return r.json()

    def step(self) -> None:
        """Do one action, picked at random with fixed weights."""
        self.n += 1
        roll = random.random()
        if roll < 0.15 and len(self.active) > 3:
            # Retract an older one; the newest stay up so boards keep showing something.
            aid = self.active.pop(random.randrange(len(self.active) - 3))
            self._call("retract", "POST", f"/api/v1/announcements/{aid}/retract", {})
        elif roll < 0.35 and self.active:
            aid = random.choice(self.active[-10:])
            body: dict[str, Any] = {"text": f"訂正: 給水は{self.n % 24}時からです。"}
            self._call("revise", "PATCH", f"/api/v1/announcements/{aid}", body)
        elif roll < 0.50:
            body = {"message": INQUIRY.format(n=self.n), "lang": "en", "channel": "api"}
            got = self._call("inquiry", "POST", "/api/v1/inquiries", body)
            if got:
                self.inquiries = [*self.inquiries[-49:], int(got["id"])]
        elif roll < 0.65 and self.inquiries:
            iid = random.choice(self.inquiries)
            self._call("reply", "POST", f"/api/v1/inquiries/{iid}/replies", {"text": REPLY})
        else:
            free = self.n % 2 == 0
            body = {"text": TEXT.format(n=self.n)} if free else PHRASE
            started = time.monotonic()
            got = self._call(
                "post_text" if free else "post_phrase", "POST", "/api/v1/announcements", body
            )
            if got:
                self.posted[int(got["id"])] = started
                self.active.append(int(got["id"]))


class Memory(threading.Thread):
    """Sample the resident memory of each process group every ``every`` seconds."""

    def __init__(self, groups: dict[str, Any], every: float) -> None:
        super().__init__(daemon=True)
        self.groups = groups  # name -> callable returning the group's pids now
        self.every = every
        self.started = time.monotonic()
        self.samples: list[dict[str, Any]] = []
        self.stopping = threading.Event()

    def sample(self) -> None:
        """Take one sample now."""
        row: dict[str, Any] = {"t_s": round(time.monotonic() - self.started, 1)}
        row["load1"] = os.getloadavg()[0]
        for name, pids in self.groups.items():
            row[name] = round(sum(rss_mib(p) for p in pids()), 1)
        self.samples.append(row)
        print("memory " + json.dumps(row), flush=True)  # progress for whoever watches

    def run(self) -> None:
        self.sample()
        while not self.stopping.wait(self.every):
            self.sample()

    def finish(self) -> list[dict[str, Any]]:
        """Take a last sample and stop."""
        self.stopping.set()
        self.join()
        self.sample()
        return self.samples


def install_models(center: Center, folder: Path) -> None:
    """Install the tiny glossing models with the real `tagengo models install`."""
    folder.mkdir(exist_ok=True)
    packages = [
        build_tiny_package(folder, "ja", "en", GLOSS),
        build_tiny_package(folder, "en", "vi", {"water": "nước", "outage": "mất", "today": "nay"}),
        build_tiny_package(folder, "en", "ja", {"water": "水", "baby": "赤ちゃん"}),
    ]
    argv = [sys.executable, "-m", "server.cli", "models", "install", *map(str, packages)]
    subprocess.run(argv, env=center.env(), check=True, capture_output=True, timeout=300)


def busy(center: Center) -> int:
    """Count what the center still has to do: languages translating, outbox rows open."""
    with center.app.app_context():
        translating = db.session.scalar(
            select(func.count()).select_from(Translation).where(Translation.status == "translating")
        )
        open_rows = db.session.scalar(
            select(func.count()).select_from(Outbox).where(Outbox.processed_at.is_(None))
        )
        db.session.remove()
    return int(translating or 0) + int(open_rows or 0)


def stored_twice(center: Center, lo: int, hi: int) -> int:
    """Count (type, announcement, revision, language) keys stored under two seqs or more."""
    with center.app.app_context():
        payloads = db.session.scalars(
            select(BoardEvent.payload).where(BoardEvent.seq.between(lo, hi))
        ).all()
        db.session.remove()
    keys = Counter((p["type"], p["announcement_id"], p["revision"], p["lang"]) for p in payloads)
    return sum(n - 1 for n in keys.values() if n > 1)


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Start everything, keep the load going for ``--minutes``, then count."""
    work = Path(args.work_dir or tempfile.mkdtemp(prefix="tagengo-soak-"))
    work.mkdir(parents=True, exist_ok=True)
    redis_stack = embedded.Stack()
    redis = redis_stack.start_redis(work / "redis", os.environ, persist=False)
    center = Center(work / "center", redis)
    swarm: Swarm | None = None
    result: dict[str, Any] = {"minutes": args.minutes, "boards": args.boards}
    result["started_utc"] = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    try:
        install_models(center, work / "models")
        token, tokens = center.seed(args.boards)
        worker = center.start_worker()
        center.stack.start(
            "beat", embedded.beat_argv(center.work), center.env(), center.logs / "beat.log"
        )
        # A shared machine can take minutes to import the app in every web process.
        app = "server.core.wsgi:app"
        web, url = center.start_web("gevent", args.web_procs, args.boards, app, wait=300)
        load = Load(url, token)
        for _ in range(2):  # warm-up: templates, models and connections loaded before measuring
            load.step()
        time.sleep(5)
        since = center.last_seq()
        expect = 1 + len(center.targets)
        options = ("--since", str(since), "--poll", str(args.poll))
        swarm = Swarm([url], expect, args.per_swarm, work, client="raw", options=options)
        ok, failed = swarm.wait_connected(swarm.add(tokens), 120 + args.boards / 5)
        result |= {"connected": ok, "connect_failed": failed, "load_start": os.getloadavg()}
        print(f"{ok} boards connected, {failed} failed; seq starts after {since}", flush=True)
        groups = {
            "web": web.pids,
            "worker": lambda: family(worker.pid),
            "beat": lambda: family(center.stack.procs["beat"].pid),
            "redis": lambda: [redis_stack.procs["redis"].pid],
            "swarm": swarm.pids,
        }
        memory = Memory(groups, args.sample)
        memory.start()
        load.posted.clear()
        started = time.monotonic()
        end = started + 60 * args.minutes
        next_cycle = started + args.cycle
        per_cycle = max(1, round(args.per_swarm * args.cycle_share))
        while (now := time.monotonic()) < end:
            load.step()
            if now >= next_cycle:
                swarm.tell(f"cycle {per_cycle}")
                next_cycle += args.cycle
            lines = swarm.drain()
            for line in lines:
                if line.startswith("cycled "):
                    a, b = (int(x) for x in line.split()[1:])
                    load.counts["reconnected"] += a
                    load.counts["reconnect_failed"] += b
            time.sleep(random.expovariate(1 / args.gap))
        result["load_s"] = round(time.monotonic() - started, 1)
        # Drain: wait until the center has nothing left to do and no new seq appears.
        quiet_since, last = time.monotonic(), center.last_seq()
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            time.sleep(2)
            now_seq = center.last_seq()
            if now_seq != last or busy(center):
                quiet_since, last = time.monotonic(), now_seq
            elif time.monotonic() - quiet_since > 10:
                break
        result["drain_busy"] = busy(center)
        swarm.ask("catchup", "caught-up", 300)
        result["samples"] = memory.finish()
        lo, hi = since + 1, center.last_seq()
        rows = swarm.report(lo, hi)
        result |= summarize(rows, lo, hi, load, stored_twice(center, lo, hi))
        result |= latencies(rows, load.posted, expect)
        result["load_end"] = os.getloadavg()
        return result
    finally:
        if swarm is not None:
            swarm.stop()
        center.stop()
        redis_stack.stop()
        if not args.keep_files:
            shutil.rmtree(work, ignore_errors=True)


def summarize(
    rows: list[dict[str, Any]], lo: int, hi: int, load: Load, twice: int
) -> dict[str, Any]:
    """Fold per-board rows into expected / received / lost / duplicated and action counts."""

    def total(key: str) -> int:
        return sum(int(r[key]) for r in rows)

    actions = dict(load.counts)
    actions["feed_catch_up_errors"] = total("catch_up_errors")
    return {
        "seq_range": [lo, hi],
        "reported_boards": len(rows),
        "expected": len(rows) * (hi - lo + 1),
        "received": total("received"),
        "lost": total("missed"),
        "duplicated_live": total("dups"),
        "stored_twice": twice,
        "fed": total("fed"),
        "drops": total("disconnects"),
        "actions": actions,
        "errors": load.errors[:20],
        "error_count": len(load.errors),
    }


def main() -> None:
    """Parse arguments; run the soak or render a results file."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add = parser.add_argument
    add("--minutes", type=float, default=30, help="length of the load phase (default 30)")
    add("--boards", type=int, default=500, help="board clients (default 500)")
    add("--out", default="soak_results.json", help="JSON file the result is written to")
    add("--sample", type=float, default=30, help="seconds between memory samples (default 30)")
    add("--gap", type=float, default=1.0, help="mean pause between actions in s (default 1)")
    add("--cycle", type=float, default=20, help="seconds between reconnect rounds (default 20)")
    add("--cycle-share", type=float, default=0.04, help="share of boards a round reconnects")
    add("--poll", type=float, default=45, help="board feed poll period in s (board.js: 45)")
    add("--per-swarm", type=int, default=250, help="boards per swarm process (default 250)")
    add("--web-procs", type=int, default=2, help="gunicorn workers (default 2)")
    add("--work-dir", help="folder for data and logs (default: a temporary one)")
    add("--keep-files", action="store_true", help="keep the work folder (logs) afterwards")
    add("--table", metavar="FILE", help="print FILE's result as Markdown and exit")
    args = parser.parse_args()
    if args.table:
        print(soak_report.markdown(json.loads(Path(args.table).read_text())))
        return
    result = run(args)
    Path(args.out).write_text(json.dumps(result, indent=1, ensure_ascii=False))
    print(soak_report.markdown(result))
    sys.exit(0 if result["lost"] == 0 and not result["stored_twice"] else 1)


if __name__ == "__main__":
    main()
