"""Celery entry point: `celery -A workers.worker:celery worker` (or `beat`)."""

from __future__ import annotations

import logging
from typing import Any

from celery.signals import celeryd_after_setup, setup_logging

from server import create_app
from server.core import logs
from server.translation import machine_jobs

app = create_app(role="worker")
celery = app.extensions["celery"]
log = logging.getLogger(__name__)

import workers.tasks  # noqa: E402,F401  (registers the tasks)


@setup_logging.connect
def _logging(**_kwargs: object) -> None:
    """Use Tagengo's log format (with task ids) instead of Celery's own."""
    logs.configure("worker", app.config["LOG_LEVEL"], app.config["LOG_FORMAT"])


@celeryd_after_setup.connect
def _threads(instance: Any, **_kwargs: object) -> None:
    """Tell the drains how many threads this worker has and what it consumes, so they
    always leave one free to plan announcements."""
    queues = list(instance.app.amqp.queues.consume_from or instance.app.amqp.queues)
    machine_jobs.worker_started(int(instance.concurrency), queues)
    drains = machine_jobs.drain_count(app.config["MT_DRAINS_PER_WORKER"])
    log.info("%s thread(s); up to %s machine drain(s) at once", instance.concurrency, drains)
