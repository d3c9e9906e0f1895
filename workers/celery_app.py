"""Bind Celery to Flask (the pattern of Flask's own Celery example)."""

from __future__ import annotations

from typing import Any

from celery import Celery, Task
from flask import Flask, has_app_context
from kombu.entity import Exchange, Queue

# translate: per-announcement and per-inquiry work, short and first in line; machine: batched
# machine translation, long (a drain of a language pair), kept apart so a surge of
# announcements does not queue the drains behind all of their own planning tasks.
QUEUES = ("translate", "machine", "broadcast", "maintenance")


def _backup_schedule(app: Flask) -> dict[str, Any]:
    hours = app.config["BACKUP_INTERVAL_HOURS"]
    if hours <= 0:
        return {}
    return {"backup": {"task": "workers.tasks.backup_database", "schedule": hours * 3600.0}}


def celery_init_app(app: Flask) -> Celery:
    """Create the Celery app for ``app`` and store it in ``app.extensions['celery']``."""

    class FlaskTask(Task):  # type: ignore[misc]
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            # Push a context only when none is active: a nested one would hand the task
            # a second database session that the caller never sees.
            if has_app_context():
                return self.run(*args, **kwargs)
            with app.app_context():
                return self.run(*args, **kwargs)

    from server import redis_urls

    broker, sentinel = redis_urls.celery_broker(app.config["REDIS_URL"] or "memory://")
    celery = Celery(app.name, task_cls=FlaskTask, broker=broker)
    transport = {"visibility_timeout": app.config["VISIBILITY_TIMEOUT"], **sentinel}
    celery.conf.update(
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        # One visibility timeout for broker and results, well under Redis's default hour.
        broker_transport_options=transport,
        result_backend_transport_options=transport,
        # One exchange per queue: with a shared default exchange every queue would get every task.
        task_queues=[Queue(name, Exchange(name), routing_key=name) for name in QUEUES],
        task_default_queue="translate",
        task_create_missing_queues=False,
        task_routes={
            "workers.tasks.translate_announcement": {"queue": "translate"},
            "workers.tasks.translate_machine": {"queue": "machine"},
            "workers.tasks.translate_texts": {"queue": "translate"},
            "workers.tasks.process_inquiry": {"queue": "translate"},
            "workers.tasks.translate_reply": {"queue": "translate"},
            "workers.tasks.sweep_outbox": {"queue": "maintenance"},
            "workers.tasks.purge_inquiries": {"queue": "maintenance"},
            "workers.tasks.backup_database": {"queue": "maintenance"},
        },
        beat_schedule={
            "sweep-outbox": {
                "task": "workers.tasks.sweep_outbox",
                "schedule": float(app.config["OUTBOX_SWEEP_SECONDS"]),
            },
            "purge-inquiries": {"task": "workers.tasks.purge_inquiries", "schedule": 86400.0},
            **_backup_schedule(app),
        },
        worker_hijack_root_logger=False,
    )
    celery.set_default()
    app.extensions["celery"] = celery
    return celery
