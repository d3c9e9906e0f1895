"""Inquiries in two languages: the resident's message into Japanese, desk replies back.

Both go the way every text goes: phrasebook and memory first, then a machine job drained in
batches with everything else of the pair. The outbox row of the work stays open until the
text is settled (translated, or "no engine" with the reason), so the sweep recovers lost work.
"""

from __future__ import annotations

from server.core import outbox
from server.core.extensions import db
from server.inquiries.service import (
    PENDING,
    answered_if_delivered,
    history,
    inquiry_ref,
    notify,
    reply_ref,
)
from server.models import Inquiry, InquiryReply, MachineJob, utcnow
from server.translation import engine, machine_jobs, memory
from server.words import JobKind, TranslationStatus
from translations import pipeline, priority
from translations.detect import detect


def _settle_message(inquiry: Inquiry, result: pipeline.Result) -> None:
    """Store the Japanese of a message (or why there is none) and re-check priority."""
    inquiry.message_ja = result.text
    inquiry.message_ja_method = result.method if result.status == "done" else PENDING
    inquiry.message_ja_note = result.reason
    hits = priority.life_safety_hits(inquiry.message or "", inquiry.message_ja)
    if hits and not inquiry.priority:
        inquiry.priority = True
        inquiry.priority_reason = ("life-safety words: " + ", ".join(hits))[:200]
        history(inquiry, None, "priority", "raised automatically")
    inquiry.updated_at = utcnow()
    outbox.close(inquiry_ref(inquiry.id))


def process(inquiry_id: int) -> None:
    """Worker side: detect the language, then put the message into Japanese for the desk."""
    inquiry = db.session.get(Inquiry, inquiry_id)
    if inquiry is None or inquiry.purged_at is not None or inquiry.message is None:
        outbox.close(inquiry_ref(inquiry_id))
        db.session.commit()
        return
    if machine_jobs.rewake(JobKind.INQUIRY, inquiry_id):  # a redelivery: the job is there
        return
    if inquiry.message_ja_method != PENDING or inquiry.message_ja_note is not None:
        outbox.close(inquiry_ref(inquiry_id))  # settled already
        db.session.commit()
        return
    detected, confidence = detect(inquiry.message)
    inquiry.lang_detected, inquiry.lang_confidence = detected, confidence
    if not inquiry.lang_chosen and detected:
        inquiry.lang = detected
    if inquiry.lang in ("ja", "ja-x-easy"):
        _settle_message(inquiry, pipeline.Result("ja", "done", inquiry.message, "human"))
    elif inquiry.lang == "und":
        _settle_message(
            inquiry, pipeline.Result("ja", "unavailable", reason="language not recognised")
        )
    else:
        source = pipeline.Source(text=inquiry.message, lang=inquiry.lang)
        result = pipeline.plan(source, "ja", engine.translator(), memory.lookup)
        if result is not None:
            _settle_message(inquiry, result)
        else:
            machine_jobs.enqueue(
                JobKind.INQUIRY,
                inquiry.lang,
                "ja",
                inquiry.message,
                ref_id=inquiry.id,
                priority=1 if inquiry.priority else 0,
            )
            inquiry.updated_at = utcnow()
    db.session.commit()
    if inquiry.message_ja_method == PENDING and inquiry.message_ja_note is None:
        machine_jobs.wake(inquiry.lang, "ja")
    notify(inquiry, "processed")


def _telling(changed: list[Inquiry], kind: str) -> machine_jobs.Finished:
    """Count what a finisher stored and tell consoles about it after the commit."""

    def tell() -> None:
        for inquiry in changed:
            notify(inquiry, kind)

    return len(changed), tell


@machine_jobs.finisher(JobKind.INQUIRY)
def _finish_messages(done: list[tuple[MachineJob, pipeline.Result]]) -> machine_jobs.Finished:
    settled = []
    for job, result in done:
        inquiry = db.session.get(Inquiry, job.ref_id)
        if inquiry is not None and inquiry.purged_at is None:
            _settle_message(inquiry, result)
            settled.append(inquiry)

    return _telling(settled, "processed")


def _settle_reply(row: InquiryReply, result: pipeline.Result) -> None:
    row.status = TranslationStatus.DONE if result.status == "done" else TranslationStatus.PENDING
    row.text, row.method, row.reviewed = result.text, result.method, result.reviewed
    row.reason = result.reason
    outbox.close(reply_ref(row.id))


def translate_reply(reply_id: int) -> None:
    """Worker side: put a reply into the resident's language by the best path that exists."""
    row = db.session.get(InquiryReply, reply_id)
    inquiry = db.session.get(Inquiry, row.inquiry_id) if row is not None else None
    if row is None or inquiry is None or row.status != TranslationStatus.TRANSLATING:
        outbox.close(reply_ref(reply_id))
        db.session.commit()
        return
    if machine_jobs.rewake(JobKind.REPLY, reply_id):
        return
    if row.text_ja is None:  # purged before it was translated
        _settle_reply(row, pipeline.Result(inquiry.lang, "unavailable", reason="purged"))
    elif inquiry.lang in ("ja", "und"):
        _settle_reply(row, pipeline.Result(inquiry.lang, "done", row.text_ja, "human", True))
    else:
        source = pipeline.Source(text=row.text_ja, lang="ja", template_id=row.template_id)
        result = pipeline.plan(source, inquiry.lang, engine.translator(), memory.lookup)
        if result is None:
            machine_jobs.enqueue(
                JobKind.REPLY,
                "ja",
                inquiry.lang,
                row.text_ja,
                ref_id=row.id,
                priority=1 if inquiry.priority else 0,
            )
            db.session.commit()
            machine_jobs.wake("ja", inquiry.lang)
            return
        _settle_reply(row, result)
    answered_if_delivered(inquiry)
    db.session.commit()
    notify(inquiry, "reply_translated")


@machine_jobs.finisher(JobKind.REPLY)
def _finish_replies(done: list[tuple[MachineJob, pipeline.Result]]) -> machine_jobs.Finished:
    told = []
    for job, result in done:
        row = db.session.get(InquiryReply, job.ref_id)
        if row is None or row.status != TranslationStatus.TRANSLATING:
            continue
        _settle_reply(row, result)
        inquiry = db.session.get(Inquiry, row.inquiry_id)
        if inquiry is not None:
            answered_if_delivered(inquiry)
            told.append(inquiry)

    return _telling(told, "reply_translated")
