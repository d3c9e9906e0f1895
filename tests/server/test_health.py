"""/health under a pile of concurrent checks: every one answers, no pool runs dry."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import text

from server import create_app
from server.core import database
from server.core.extensions import db
from tests.conftest import FreshContextClient, _app_config

CHECKS = 30  # more than Celery's broker pool (10) and the database pool (5 + 10 overflow)


def test_concurrent_health_checks_all_answer_and_leave_the_database_free(
    tmp_path: Path, redis_url: str
) -> None:
    # No worker runs, so every Celery ping waits its full second for replies: the slow case
    # that a healthcheck retrying on its own timeout piles up on a busy machine.
    db_url = f"sqlite:///{tmp_path / 'tagengo.db'}"
    database.upgrade(db_url)
    app = create_app(_app_config(tmp_path, db_url, redis_url))
    app.test_client_class = FreshContextClient
    answers: list[tuple[int, Any]] = []

    def check() -> None:
        r = app.test_client().get("/health")
        answers.append((r.status_code, r.get_json()))

    threads = [threading.Thread(target=check, daemon=True) for _ in range(CHECKS)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.1, started + 40 - time.monotonic()))
    hung = sum(t.is_alive() for t in threads)
    assert not hung, f"{hung} of {CHECKS} health checks never answered"
    assert len(answers) == CHECKS
    for status, body in answers:
        # The database and Redis are fine, so the center is healthy; the workers' line says
        # nobody answered, or that another check was still asking.
        assert status == 200, body
        assert body["checks"]["database"] == "ok" and body["checks"]["redis"] == "ok", body
        assert body["checks"]["workers"] in ("none answered", "error: TimeoutError"), body
    with app.app_context():
        db.session.execute(text("SELECT 1"))  # a connection is free at once
        db.session.remove()
        db.engine.dispose()
