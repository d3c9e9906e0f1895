"""Celery entry point: `celery -A workers.worker:celery worker` (or `beat`)."""

from __future__ import annotations

from server import create_app

app = create_app(role="worker")
celery = app.extensions["celery"]

import workers.tasks  # noqa: E402,F401  (registers the tasks)
