"""/health for compose healthchecks and people; /metrics for Prometheus."""

from __future__ import annotations

import threading
import time
from typing import Any

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import func, select, text

from server.core.auth import require_role
from server.core.extensions import db
from server.models import Announcement, Counter, Translation
from server.translation import engine
from server.words import AnnouncementStatus, TranslationStatus
from translations import languages

bp = Blueprint("health", __name__)
PING_CACHE_SECONDS = 5.0
PING_WAIT_SECONDS = 5.0
# One Celery ping at a time in a process. Each ping takes a broker connection and then waits
# for another from the same bounded pool, so a pile of concurrent ones (a slow machine and a
# healthcheck that retries on its own timeout) deadlocked: every thread held one connection,
# waited forever for a second, and kept its database connection until the pool ran dry.
_PING_LOCK = threading.Lock()


def _redis() -> Any:
    from server.core import redis_urls

    return redis_urls.client(current_app.config["REDIS_URL"], socket_timeout=2)


def _workers() -> list[str]:
    """Names of the Celery workers that answered a ping (a success is cached a few seconds)."""
    cached = current_app.extensions.get("tagengo.ping")
    if cached and time.monotonic() - cached[0] < PING_CACHE_SECONDS:
        return list(cached[1])
    if not _PING_LOCK.acquire(timeout=PING_WAIT_SECONDS):
        raise TimeoutError("another health check is still pinging the workers")
    try:
        cached = current_app.extensions.get("tagengo.ping")
        if cached and time.monotonic() - cached[0] < PING_CACHE_SECONDS:
            return list(cached[1])  # the ping we waited for answered for us too
        replies = current_app.extensions["celery"].control.ping(timeout=1.0) or []
    finally:
        _PING_LOCK.release()
    names = sorted(name for reply in replies for name in reply)
    if names:  # remember only good news: a worker that just started must show at once
        current_app.extensions["tagengo.ping"] = (time.monotonic(), names)
    return names


def _pairs() -> dict[str, Any]:
    backend = engine.translator()
    installed = (
        [f"{p.from_code}→{p.to_code}" for p in backend.engine.installed()] if backend else []
    )
    source = languages.get(current_app.config["SOURCE_LANGUAGE"])
    reachable = []
    for code in current_app.config["TARGET_LANGUAGES"]:
        target = languages.get(code)
        if (
            backend
            and source
            and target
            and source.argos
            and target.argos
            and backend.can_translate(source.argos, target.argos)
        ):
            reachable.append(code)
    return {"installed": installed, "machine_reachable_from_source": reachable}


@bp.get("/health")
def health() -> tuple[Response, int]:
    """Report the database, Redis, workers and which languages a model can reach."""
    checks: dict[str, Any] = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # report, don't crash: this is the health page
        checks["database"] = f"error: {type(exc).__name__}"
    finally:
        db.session.close()  # hand the connection back before the slower Redis and Celery checks
    if current_app.config["REDIS_URL"]:
        try:
            _redis().ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"error: {type(exc).__name__}"
    else:
        checks["redis"] = "not configured"
    workers: list[str] = []
    if checks["redis"] == "ok":
        try:
            workers = _workers()
        except Exception as exc:
            checks["workers"] = f"error: {type(exc).__name__}"
    checks.setdefault("workers", "ok" if workers else "none answered")
    ok = checks["database"] == "ok" and checks["redis"] in ("ok", "not configured")
    body = {
        "status": "ok" if ok else "degraded",
        "checks": checks,
        "workers": workers,
        "models": _pairs(),
    }
    return jsonify(body), 200 if ok else 503


def _metric(
    lines: list[str],
    name: str,
    kind: str,
    help_text: str,
    samples: list[tuple[dict[str, str], float]],
) -> None:
    lines += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
    for labels, value in samples:
        label = ",".join(f'{k}="{v}"' for k, v in labels.items())
        lines.append(f"{name}{{{label}}} {value}" if label else f"{name} {value}")


@bp.get("/metrics")
@require_role()
def metrics() -> Response:
    """Prometheus text format: queues, translations by method, boards, events."""
    lines: list[str] = []
    rows = db.session.execute(
        select(
            Translation.method,
            Translation.status,
            func.count(),
            func.coalesce(func.sum(Translation.elapsed_ms), 0),
        ).group_by(Translation.method, Translation.status)
    ).all()
    _metric(
        lines,
        "tagengo_translations_total",
        "counter",
        "Languages produced, by method.",
        [({"method": m or "none", "status": s}, n) for m, s, n, _ in rows],
    )
    _metric(
        lines,
        "tagengo_translation_latency_ms_sum",
        "counter",
        "Time spent producing translations, by method.",
        [
            ({"method": m or "none"}, float(ms or 0))
            for m, s, _, ms in rows
            if s == TranslationStatus.DONE
        ],
    )
    seq = db.session.get(Counter, "board_events")
    _metric(
        lines,
        "tagengo_board_events_total",
        "counter",
        "Board events persisted and emitted.",
        [({}, seq.value if seq else 0)],
    )
    active = db.session.scalar(
        select(func.count(Announcement.id)).where(Announcement.status == AnnouncementStatus.ACTIVE)
    )
    _metric(
        lines, "tagengo_announcements_active", "gauge", "Active announcements.", [({}, active or 0)]
    )
    if current_app.config["REDIS_URL"]:
        from server.core.tasks import QUEUES
        from server.live.sockets import BOARDS_KEY

        client = _redis()
        _metric(
            lines,
            "tagengo_queue_depth",
            "gauge",
            "Tasks waiting in each Celery queue.",
            [({"queue": q}, client.llen(q)) for q in QUEUES],
        )
        pattern = f"{BOARDS_KEY}:{current_app.config['SOCKETIO_CHANNEL']}:*"
        boards = sum(int(client.get(k) or 0) for k in client.scan_iter(pattern))
        _metric(
            lines,
            "tagengo_boards_connected",
            "gauge",
            "Boards connected to web processes.",
            [({}, max(boards, 0))],
        )
    return Response("\n".join(lines) + "\n", mimetype="text/plain; version=0.0.4")
