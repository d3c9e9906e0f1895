"""Celery tasks: ids in, a plain function from the server package does the work."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from flask import current_app
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy.exc import OperationalError

from server.channels import mail, speech
from server.core import backup, outbox
from server.core.tasks import TaskName
from server.drills import runner as drills
from server.inquiries import service as inquiries
from server.inquiries import translate as inquiry_languages
from server.models import utcnow
from server.requests import notices as request_notices
from server.requests import service as requests_service
from server.roster import service as roster
from server.shelters import retention
from server.translation import adhoc, machine_jobs, planning

log = logging.getLogger(__name__)

# Retry only what passes by itself: a database or Redis that is briefly away.
TRANSIENT = {
    "autoretry_for": (OperationalError, RedisConnectionError),
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(name=TaskName.TRANSLATE_ANNOUNCEMENT.value, bind=True, **TRANSIENT)
def translate_announcement(self: object, announcement_id: int, revision: int) -> int:
    """Translate one revision into every target language (idempotent per language)."""
    task_id = getattr(getattr(self, "request", None), "id", "?")
    log.info("task=%s translate announcement=%s revision=%s", task_id, announcement_id, revision)
    return planning.translate_revision(announcement_id, revision)


@shared_task(name=TaskName.SWEEP_OUTBOX.value, **TRANSIENT)
def sweep_outbox() -> int:
    """Re-send outbox work that no worker has finished (every kind, one table) and wake the
    language pairs whose machine jobs wait with no drain; return how many of both."""
    stale = current_app.config["OUTBOX_STALE_SECONDS"]
    sent = outbox.sweep(stale)
    woken = machine_jobs.wake_forgotten(timedelta(seconds=stale))
    if woken:
        log.info("sweep woke %s language pair(s) whose machine jobs waited over %ss", woken, stale)
    return sent + woken


@shared_task(name=TaskName.TRANSLATE_MACHINE.value, bind=True, **TRANSIENT)
def translate_machine(self: object, source_lang: str, target_lang: str) -> int:
    """Translate every waiting machine job of one language pair in batches."""
    task_id = getattr(getattr(self, "request", None), "id", "?")
    log.info("task=%s machine batch %s→%s", task_id, source_lang, target_lang)
    return machine_jobs.translate_machine(source_lang, target_lang)


@shared_task(name=TaskName.TRANSLATE_TEXTS.value)
def translate_texts(job: str) -> int:
    """Answer an ad-hoc translation request of the API (the texts wait in Redis)."""
    return adhoc.run(job)


@shared_task(name=TaskName.PROCESS_INQUIRY.value, **TRANSIENT)
def process_inquiry(inquiry_id: int) -> None:
    """Detect the language of an inquiry and translate it into Japanese for the desk."""
    inquiry_languages.process(inquiry_id)


@shared_task(name=TaskName.TRANSLATE_REPLY.value, **TRANSIENT)
def translate_reply(reply_id: int) -> None:
    """Translate a desk reply into the resident's language."""
    inquiry_languages.translate_reply(reply_id)


@shared_task(name=TaskName.PURGE_INQUIRIES.value)
def purge_inquiries() -> int:
    """Empty personal fields of inquiries past the retention period (daily)."""
    count = inquiries.purge(current_app.config["INQUIRY_RETENTION_DAYS"])
    log.info("purged personal data of %s inquiry(ies)", count)
    return count


@shared_task(name=TaskName.BACKUP_DATABASE.value)
def backup_database() -> str:
    """Write a backup of the center and delete the ones past TAGENGO_BACKUP_KEEP."""
    return str(backup.periodic(current_app.config))


@shared_task(name=TaskName.SPEAK_ANNOUNCEMENT.value, bind=True, **TRANSIENT)
def speak_announcement(self: object, announcement_id: int, revision: int) -> int:
    """Make the missing sound files of a revision (espeak-ng, offline; idempotent)."""
    task_id = getattr(getattr(self, "request", None), "id", "?")
    log.info("task=%s speak announcement=%s revision=%s", task_id, announcement_id, revision)
    return speech.make(announcement_id, revision)


@shared_task(name=TaskName.SEND_MAIL_BATCH.value, bind=True, **TRANSIENT)
def send_mail_batch(self: object, batch_id: int) -> int:
    """Send a batch's unsent e-mails (never one twice; the outbox sweep brings the rest)."""
    task_id = getattr(getattr(self, "request", None), "id", "?")
    log.info("task=%s mail batch=%s", task_id, batch_id)
    return mail.send_batch(batch_id)


@shared_task(name=TaskName.SEND_MAIL_CONFIRMATION.value, **TRANSIENT)
def send_mail_confirmation(subscriber_id: int) -> bool:
    """Mail a new subscriber the confirmation link."""
    return mail.send_confirmation(subscriber_id)


@shared_task(name=TaskName.PURGE_MAIL.value)
def purge_mail() -> int:
    """Delete addresses never confirmed (daily)."""
    count = mail.purge(current_app.config["MAIL_UNCONFIRMED_DAYS"])
    log.info("deleted %s unconfirmed address(es)", count)
    return count


@shared_task(name=TaskName.REQUESTS_TICK.value, **TRANSIENT)
def requests_tick() -> tuple[int, int]:
    """Return lapsed request claims to the queue; tell consoles of overdue ones (each minute)."""
    return requests_service.tick()


@shared_task(name=TaskName.SEND_REQUEST_NOTICES.value, **TRANSIENT)
def send_request_notices(request_id: int) -> int:
    """Mail the people who can take a request, or the admins of an overdue piece (once)."""
    return request_notices.send(request_id)


@shared_task(name=TaskName.PURGE_ROSTER.value)
def purge_roster() -> int:
    """Empty contacts of roster people unchanged past the retention period (daily)."""
    count = roster.purge(current_app.config["ROSTER_RETENTION_DAYS"])
    log.info("purged the contacts of %s roster person(s)", count)
    return count


@shared_task(name=TaskName.PURGE_SHELTER_RECORDS.value)
def purge_shelter_records() -> int:
    """Empty personal fields of registration cards and round sheets past retention (daily)."""
    card_count, round_count = retention.purge(current_app.config["INQUIRY_RETENTION_DAYS"])
    log.info("purged personal data of %s card(s) and %s round sheet(s)", card_count, round_count)
    return card_count + round_count


@shared_task(name=TaskName.DRILLS_TICK.value, **TRANSIENT)
def drills_tick() -> int:
    """Release the drill injects that are due, each exactly once (every few seconds)."""
    released = drills.release_due(utcnow())
    if released:
        log.info("released drill inject(s) %s", released)
    return len(released)
