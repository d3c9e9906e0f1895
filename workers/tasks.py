"""Celery tasks: ids in, a plain function from the server package does the work."""

from __future__ import annotations

import logging

from celery import shared_task

from server import translating

log = logging.getLogger(__name__)


@shared_task(name="workers.tasks.translate_announcement", bind=True, max_retries=5)
def translate_announcement(self: object, announcement_id: int, revision: int) -> int:
    """Translate one revision into every target language (idempotent per language)."""
    task_id = getattr(getattr(self, "request", None), "id", "?")
    log.info("task=%s translate announcement=%s revision=%s", task_id, announcement_id, revision)
    return translating.translate_revision(announcement_id, revision)


@shared_task(name="workers.tasks.sweep_outbox")
def sweep_outbox() -> int:
    """Re-dispatch outbox rows that no worker has finished."""
    return translating.sweep_outbox()
