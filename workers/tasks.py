"""Celery tasks: ids in, a plain function from the server package does the work."""

from __future__ import annotations

import logging

from celery import shared_task
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy.exc import OperationalError

from server import inquiries, jobs, machine_jobs, translating

log = logging.getLogger(__name__)

# Retry only what passes by itself: a database or Redis that is briefly away.
TRANSIENT = {
    "autoretry_for": (OperationalError, RedisConnectionError),
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(name="workers.tasks.translate_announcement", bind=True, **TRANSIENT)
def translate_announcement(self: object, announcement_id: int, revision: int) -> int:
    """Translate one revision into every target language (idempotent per language)."""
    task_id = getattr(getattr(self, "request", None), "id", "?")
    log.info("task=%s translate announcement=%s revision=%s", task_id, announcement_id, revision)
    return translating.translate_revision(announcement_id, revision)


@shared_task(name="workers.tasks.sweep_outbox", **TRANSIENT)
def sweep_outbox() -> int:
    """Re-dispatch outbox rows that no worker has finished."""
    return translating.sweep_outbox()


@shared_task(name="workers.tasks.translate_machine", bind=True, **TRANSIENT)
def translate_machine(self: object, source_lang: str, target_lang: str) -> int:
    """Translate every waiting machine job of one language pair in batches."""
    task_id = getattr(getattr(self, "request", None), "id", "?")
    log.info("task=%s machine batch %s→%s", task_id, source_lang, target_lang)
    return machine_jobs.translate_machine(source_lang, target_lang)


@shared_task(name="workers.tasks.translate_texts")
def translate_texts(job: str) -> int:
    """Answer an ad-hoc translation request of the API (the texts wait in Redis)."""
    return jobs.run(job)


@shared_task(name="workers.tasks.process_inquiry", **TRANSIENT)
def process_inquiry(inquiry_id: int) -> None:
    """Detect the language of an inquiry and translate it into Japanese for the desk."""
    inquiries.process(inquiry_id)


@shared_task(name="workers.tasks.translate_reply", **TRANSIENT)
def translate_reply(reply_id: int) -> None:
    """Translate a desk reply into the resident's language."""
    inquiries.translate_reply(reply_id)


@shared_task(name="workers.tasks.purge_inquiries")
def purge_inquiries() -> int:
    """Empty personal fields of inquiries past the retention period (daily)."""
    from flask import current_app

    count = inquiries.purge(current_app.config["INQUIRY_RETENTION_DAYS"])
    log.info("purged personal data of %s inquiry(ies)", count)
    return count


@shared_task(name="workers.tasks.backup_database")
def backup_database() -> str:
    """Write a backup of the center and delete the ones past TAGENGO_BACKUP_KEEP."""
    from flask import current_app

    from server import backup

    return str(backup.periodic(current_app.config))
