"""Celery bound to Flask, and the one table of task names and their queues.

Every send site, the routes, the worker's task decorators and `tagengo worker --queues` read
the names and queues here. Flask's own Celery example is the pattern: ``celery_init_app``
is called from the app factory and stores the app in ``app.extensions['celery']``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from celery import Celery, Task
from flask import Flask, current_app, has_app_context
from kombu.entity import Exchange, Queue

from server.core import redis_urls


class TaskName(StrEnum):
    """Names of the worker's tasks (the worker's ``workers.tasks`` module defines them)."""

    TRANSLATE_ANNOUNCEMENT = "workers.tasks.translate_announcement"
    TRANSLATE_MACHINE = "workers.tasks.translate_machine"
    TRANSLATE_TEXTS = "workers.tasks.translate_texts"
    PROCESS_INQUIRY = "workers.tasks.process_inquiry"
    TRANSLATE_REPLY = "workers.tasks.translate_reply"
    SWEEP_OUTBOX = "workers.tasks.sweep_outbox"
    PURGE_INQUIRIES = "workers.tasks.purge_inquiries"
    BACKUP_DATABASE = "workers.tasks.backup_database"
    SPEAK_ANNOUNCEMENT = "workers.tasks.speak_announcement"
    SEND_MAIL_BATCH = "workers.tasks.send_mail_batch"
    SEND_MAIL_CONFIRMATION = "workers.tasks.send_mail_confirmation"
    PURGE_MAIL = "workers.tasks.purge_mail"
    REQUESTS_TICK = "workers.tasks.requests_tick"
    PURGE_ROSTER = "workers.tasks.purge_roster"
    PURGE_SHELTER_RECORDS = "workers.tasks.purge_shelter_records"
    SEND_REQUEST_NOTICES = "workers.tasks.send_request_notices"
    DRILLS_TICK = "workers.tasks.drills_tick"


# translate: planning an announcement's or an inquiry's languages, short and first in line;
# machine: batched machine translation of every kind of text, long (a drain of a language
# pair), kept apart so a surge of announcements does not queue the drains behind all of their
# own planning tasks; maintenance: the outbox sweep, the retention purges, backups; channels:
# speech files and e-mail (an SMTP server that answers slowly must not delay translation).
QUEUE_OF: dict[TaskName, str] = {
    TaskName.TRANSLATE_ANNOUNCEMENT: "translate",
    TaskName.TRANSLATE_MACHINE: "machine",
    TaskName.TRANSLATE_TEXTS: "translate",
    TaskName.PROCESS_INQUIRY: "translate",
    TaskName.TRANSLATE_REPLY: "translate",
    TaskName.SWEEP_OUTBOX: "maintenance",
    TaskName.PURGE_INQUIRIES: "maintenance",
    TaskName.BACKUP_DATABASE: "maintenance",
    TaskName.SPEAK_ANNOUNCEMENT: "channels",
    TaskName.SEND_MAIL_BATCH: "channels",
    TaskName.SEND_MAIL_CONFIRMATION: "channels",
    TaskName.PURGE_MAIL: "maintenance",
    TaskName.REQUESTS_TICK: "maintenance",
    TaskName.PURGE_ROSTER: "maintenance",
    TaskName.PURGE_SHELTER_RECORDS: "maintenance",
    TaskName.SEND_REQUEST_NOTICES: "channels",
    TaskName.DRILLS_TICK: "maintenance",
}
QUEUES = tuple(dict.fromkeys(QUEUE_OF.values()))


def send(name: TaskName, *args: Any) -> None:
    """Queue a task with ids as arguments (never personal data); raises when Redis is down."""
    current_app.extensions["celery"].send_task(name.value, args=list(args))


def _backup_schedule(app: Flask) -> dict[str, Any]:
    hours = app.config["BACKUP_INTERVAL_HOURS"]
    if hours <= 0:
        return {}
    return {"backup": {"task": TaskName.BACKUP_DATABASE.value, "schedule": hours * 3600.0}}


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
        task_routes={name.value: {"queue": queue} for name, queue in QUEUE_OF.items()},
        beat_schedule={
            "sweep-outbox": {
                "task": TaskName.SWEEP_OUTBOX.value,
                "schedule": float(app.config["OUTBOX_SWEEP_SECONDS"]),
            },
            "purge-inquiries": {"task": TaskName.PURGE_INQUIRIES.value, "schedule": 86400.0},
            "purge-mail": {"task": TaskName.PURGE_MAIL.value, "schedule": 86400.0},
            **_backup_schedule(app),
            # Lapsed claims and overdue requests are read from the database, never an ETA.
            "requests-tick": {"task": TaskName.REQUESTS_TICK.value, "schedule": 60.0},
            "purge-roster": {"task": TaskName.PURGE_ROSTER.value, "schedule": 86400.0},
            "purge-shelter-records": {
                "task": TaskName.PURGE_SHELTER_RECORDS.value,
                "schedule": 86400.0,
            },
            # Drill injects are due rows in the database; the tick releases them (never an ETA).
            "drills-tick": {
                "task": TaskName.DRILLS_TICK.value,
                "schedule": float(app.config["DRILL_TICK_SECONDS"]),
                # A tick that waited in a busy queue longer than a period is superseded.
                "options": {"expires": float(app.config["DRILL_TICK_SECONDS"]) * 2},
            },
        },
        worker_hijack_root_logger=False,
    )
    celery.set_default()
    app.extensions["celery"] = celery
    return celery
