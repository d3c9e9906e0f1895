"""/health: used by compose healthchecks and by `tagengo up` to know the web is ready."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import text

from server.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/health")
def health() -> tuple[Response, int]:
    """Report whether the database and Redis answer."""
    checks: dict[str, str] = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # report, don't crash: this is the health page
        checks["database"] = f"error: {type(exc).__name__}"
    url = current_app.config["REDIS_URL"]
    if url:
        import redis

        try:
            redis.Redis.from_url(url, socket_timeout=2).ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"error: {type(exc).__name__}"
    else:
        checks["redis"] = "not configured"
    ok = all(v in ("ok", "not configured") for v in checks.values())
    return jsonify({"status": "ok" if ok else "degraded", "checks": checks}), 200 if ok else 503
