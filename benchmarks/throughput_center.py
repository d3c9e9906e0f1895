"""Row (b) of the throughput benchmark: Tagengo's worker path, announcement to stored text.

A private redis-server, a migrated SQLite file, the model installed with
``tagengo models install``, one real Celery worker process. Announcements are published with
``server.announcements.service.create`` (what the API handler calls); the clock runs from the first
publish until the last ``en`` translation is committed, read back from the database.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from throughput_proc import cpu_seconds, peak_rss_mib

from server import create_app
from server.announcements import drafts
from server.announcements import service as announcements
from server.core import database, embedded
from server.core.extensions import db
from server.models import BoardEvent, Translation
from translations.mt import split_sentences

BATCH_LINE = re.compile(r"translated (\d+) text\(s\) (\S+)→(\S+) in one batch")
SOURCE = "zh-Hans"


def group(sentences: list[str]) -> list[str]:
    """Make announcement texts of one or two sentences, alternately (no sentence twice)."""
    texts: list[str] = []
    i = 0
    while i < len(sentences):
        take = 1 if len(texts) % 2 == 0 else 2
        texts.append("".join(sentences[i : i + take]))
        i += take
    return texts


class Center:
    """A private center: Redis, SQLite, the model, one Celery worker."""

    def __init__(self, work: Path, model: Path, env_overrides: dict[str, str]) -> None:
        self.work = work
        self.stack = embedded.Stack()
        redis = self.stack.start_redis(work / "redis", os.environ, persist=False)
        self.db_url = f"sqlite:///{work / 'tagengo.db'}"
        database.upgrade(self.db_url)
        self.env = {
            **os.environ,
            "TAGENGO_SECRET_KEY": "bench-" + uuid.uuid4().hex,
            "TAGENGO_DATA_DIR": str(work),
            "TAGENGO_DATABASE_URL": self.db_url,
            "TAGENGO_REDIS_URL": redis,
            "TAGENGO_SOCKETIO_CHANNEL": "tagengo-bench-" + uuid.uuid4().hex[:8],
            "TAGENGO_LOG_LEVEL": "INFO",  # the worker logs each batch's size
            **env_overrides,
        }
        tagengo = str(Path(sys.executable).with_name("tagengo"))
        subprocess.run([tagengo, "models", "install", str(model)], env=self.env, check=True)
        prefixed = {k.removeprefix("TAGENGO_"): v for k, v in self.env.items()}
        self.app = create_app(
            {
                k: prefixed[k]
                for k in ("SECRET_KEY", "DATA_DIR", "DATABASE_URL", "REDIS_URL", "SOCKETIO_CHANNEL")
            },
            role="bench",
        )
        self.log = work / "worker.log"

    def start_worker(self) -> subprocess.Popen[bytes]:
        """Start the Celery worker as `tagengo up` does; wait for its ping."""
        concurrency = int(
            self.env.get("TAGENGO_WORKER_CONCURRENCY", self.app.config["WORKER_CONCURRENCY"])
        )
        argv = embedded.worker_argv(concurrency, name="tput" + uuid.uuid4().hex[:4])
        proc = self.stack.start("worker", argv, self.env, self.log)
        celery = self.app.extensions["celery"]
        for _ in range(240):
            if proc.poll() is not None:
                raise RuntimeError(f"the Celery worker exited; see {self.log}")
            if celery.control.ping(timeout=0.5):
                return proc
        raise TimeoutError("no Celery worker answered a ping")

    def consume(self, on: bool) -> None:
        """Make the worker stop or start taking tasks from the translate queue."""
        control = self.app.extensions["celery"].control
        call = control.add_consumer if on else control.cancel_consumer
        if not call("translate", reply=True, timeout=5, limit=1):
            raise RuntimeError("the worker did not answer a consumer change")

    def publish(self, texts: list[str]) -> dict[int, float]:
        """Publish each text as an announcement; return announcement id → publish time."""
        posted: dict[int, float] = {}
        with self.app.app_context():
            for text in texts:
                t = time.time()
                draft = drafts.parse_draft({"text": text, "source_lang": SOURCE})
                posted[announcements.create(draft, None).id] = t
            db.session.remove()
        return posted

    def wait_done(self, ids: list[int], timeout: float) -> None:
        """Wait until every announcement's ``en`` row is done; fail on a pending one."""
        deadline = time.monotonic() + timeout
        with self.app.app_context():
            while time.monotonic() < deadline:
                rows = db.session.execute(
                    select(Translation.status, func.count())
                    .where(Translation.lang == "en", Translation.announcement_id.in_(ids))
                    .group_by(Translation.status)
                ).all()
                db.session.rollback()  # end the read so the next poll sees new commits
                counts = {status: n for status, n in rows}
                if counts.get("pending"):
                    raise RuntimeError(f"en translations went pending: {counts}")
                if counts.get("done", 0) == len(ids):
                    return
                time.sleep(0.1)
        raise TimeoutError(f"not every en translation was done after {timeout:.0f}s")

    def stored(self, ids: list[int]) -> list[tuple[int, datetime]]:
        """Return (announcement id, time its en event was recorded) in commit order."""
        with self.app.app_context():
            rows = db.session.execute(
                select(Translation.announcement_id, BoardEvent.created_at)
                .join(BoardEvent, BoardEvent.seq == Translation.event_seq)
                .where(Translation.lang == "en", Translation.announcement_id.in_(ids))
                .order_by(BoardEvent.seq)
            ).all()
            db.session.remove()
        return [(a, t) for a, t in rows]

    def batches(self, offset: int) -> list[int]:
        """Return the sizes of the zh→en batches the worker logged after ``offset``."""
        with open(self.log, "rb") as f:
            f.seek(offset)
            text = f.read().decode("utf-8", "replace")
        return [int(m.group(1)) for m in BATCH_LINE.finditer(text) if m.group(3) == "en"]

    def stop(self) -> None:
        """Stop the worker and Redis; close the database."""
        self.stack.stop()
        with self.app.app_context():
            db.engine.dispose()


def run(
    model: Path,
    sentences: list[str],
    warmup: list[str],
    work: Path,
    env: dict[str, str],
    backlog: bool = False,
) -> dict[str, Any]:
    """Measure the worker path on ``sentences``; return throughput, latency and memory.

    As a stream, the clock starts at the first publish, and the worker translates while
    announcements keep coming. As a backlog, every announcement is published while the
    worker takes no tasks, and the clock starts when it is let go: a surge already queued.
    """
    center = Center(work, model, env)
    texts = group(sentences)
    try:
        worker = center.start_worker()
        # One announcement first, so the model is loaded before the clock starts.
        center.wait_done(list(center.publish(warmup[:1])), 300)
        offset = center.log.stat().st_size
        if backlog:
            center.consume(False)
            posted = center.publish(texts)
        cpu0 = cpu_seconds(worker.pid)
        started = time.time()
        if backlog:
            posted = dict.fromkeys(posted, started)
            center.consume(True)
        else:
            posted = center.publish(texts)
        published = time.time()
        center.wait_done(list(posted), 1800)
        cpu = cpu_seconds(worker.pid) - cpu0
        peak = peak_rss_mib([worker.pid])
        rows = center.stored(list(posted))
    finally:
        center.stop()
    finished = max(t.timestamp() for _, t in rows)
    sizes = {a: len(split_sentences(texts[i], SOURCE).sentences) for i, a in enumerate(posted)}
    latency = [1000 * (t.timestamp() - posted[a]) for a, t in rows for _ in range(sizes[a])]
    return {
        "sentences": len(sentences),
        "announcements": len(texts),
        "mode": "backlog" if backlog else "stream",
        "wall_s": round(finished - started, 3),
        "publish_s": round(published - started, 3),
        "cpu_s": round(cpu, 2),
        "latency_ms": latency,
        "peak_rss_mib": round(peak, 1),
        "batches": center.batches(offset),  # read once the worker has flushed its log
        "settings": {k: v for k, v in center.env.items() if k.startswith("TAGENGO_MT_")} | env,
    }
