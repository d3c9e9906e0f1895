"""Reviewers approve or correct machine translations; corrections go live and into memory."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from server.core import outbox
from server.core.errors import ApiError
from server.core.extensions import db
from server.core.tasks import TaskName
from server.live import events
from server.models import Announcement, AnnouncementRevision, Translation, User, utcnow
from server.translation import machine_jobs, memory
from server.translation.store import revision_ref
from server.words import AnnouncementStatus, JobKind, Method, TranslationStatus
from translations.mt.engine import PIVOT

REVIEWABLE = (TranslationStatus.DONE, TranslationStatus.REVIEW)


def queue(lang: str | None = None, limit: int = 200) -> list[tuple[Translation, Announcement, str]]:
    """Unreviewed machine translations of current revisions: "check first" ones, then oldest."""
    query = (
        select(Translation, Announcement, AnnouncementRevision.text)
        .join(Announcement, Announcement.id == Translation.announcement_id)
        .join(
            AnnouncementRevision,
            (AnnouncementRevision.announcement_id == Translation.announcement_id)
            & (AnnouncementRevision.revision == Translation.revision),
        )
        .where(
            Translation.method == Method.MACHINE,
            Translation.reviewed.is_(False),
            Translation.status.in_(REVIEWABLE),
            Announcement.status == AnnouncementStatus.ACTIVE,
            Announcement.revision == Translation.revision,
        )
        .order_by(Translation.check_first.desc(), Translation.id)
        .limit(limit)
    )
    if lang:
        query = query.where(Translation.lang == lang)
    return [(t, a, text) for t, a, text in db.session.execute(query)]


def review(translation_id: int, user: User, corrected: str | None) -> Translation:
    """Approve (``corrected`` None) or correct one translation; push it and remember it."""
    row = db.session.get(Translation, translation_id)
    if row is None:
        raise ApiError(404, "not_found", f"no translation with id {translation_id}")
    announcement = db.session.get(Announcement, row.announcement_id)
    if (
        announcement is None
        or not announcement.is_current(row.revision)
        or row.status not in REVIEWABLE
    ):
        raise ApiError(
            409,
            "not_current",
            "only a finished translation of the current "
            "revision of an active announcement can be reviewed",
        )
    source = db.session.scalar(
        select(AnnouncementRevision.text).where(
            AnnouncementRevision.announcement_id == row.announcement_id,
            AnnouncementRevision.revision == row.revision,
        )
    )
    changed = corrected is not None and corrected != row.text
    if corrected is not None:
        row.text = corrected
        row.method = Method.HUMAN
    row.status = TranslationStatus.DONE  # a review-first language reaches boards now
    row.reviewed = True
    row.reviewed_by = user.id
    row.reviewed_at = utcnow()
    row.reason = None
    memory.remember(announcement.source_lang, row.lang, source or "", row.text or "", user.id)
    event = events.record(
        events.TRANSLATED,
        announcement,
        revision=row.revision,
        lang=row.lang,
        method=row.method,
        reviewed=True,
        text=row.text,
    )
    row.event_seq = event.seq
    pairs = _rederive(row) if changed and row.lang == PIVOT else []
    db.session.commit()
    events.push([event])
    for source_lang, target_lang in pairs:
        machine_jobs.wake(source_lang, target_lang)
    return row


def _rederive(english: Translation) -> list[tuple[str, str]]:
    """Make the unreviewed languages pivoted through this English again from its new text.

    They keep showing their old text until the new one arrives; an outbox row guards the
    work like any revision's.
    """
    stale = db.session.scalars(
        select(Translation).where(
            Translation.announcement_id == english.announcement_id,
            Translation.revision == english.revision,
            Translation.pivot_lang == PIVOT,
            Translation.method == Method.MACHINE,
            Translation.reviewed.is_(False),
            Translation.status.in_(REVIEWABLE),
        )
    ).all()
    for row in stale:
        row.status = TranslationStatus.TRANSLATING
        machine_jobs.enqueue(
            JobKind.ANNOUNCEMENT, PIVOT, row.lang, english.text or "", ref_id=row.id, priority=1
        )
    if stale:
        outbox.add(
            TaskName.TRANSLATE_ANNOUNCEMENT,
            english.announcement_id,
            english.revision,
            ref=revision_ref(english.announcement_id, english.revision),
        )
    return sorted({(PIVOT, row.lang) for row in stale})


def translation_json(row: Translation, announcement: Announcement, source: str) -> dict[str, Any]:
    """Render a queue entry for the API."""
    return {
        "id": row.id,
        "announcement_id": row.announcement_id,
        "revision": row.revision,
        "lang": row.lang,
        "source_lang": announcement.source_lang,
        "source_text": source,
        "text": row.text,
        "method": row.method,
        "reviewed": row.reviewed,
        "model": row.model,
        "note": row.reason,
        "status": row.status,
        "check_first": row.check_first,
        "check_reasons": list(row.check_reasons or []),
        "pivot_lang": row.pivot_lang,
    }
