"""Celery entry point: `celery -A workers.worker:celery worker` (or `beat`)."""

from __future__ import annotations

from celery.signals import setup_logging

from server import create_app
from server.core import logs

app = create_app(role="worker")
celery = app.extensions["celery"]

import workers.tasks  # noqa: E402,F401  (registers the tasks)


@setup_logging.connect
def _logging(**_kwargs: object) -> None:
    """Use Tagengo's log format (with task ids) instead of Celery's own."""
    logs.configure("worker", app.config["LOG_LEVEL"], app.config["LOG_FORMAT"])
