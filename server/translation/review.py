"""Reviewers approve or correct machine translations; corrections go live and into memory."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from server.core.errors import ApiError
from server.core.extensions import db
from server.live import events
from server.models import Announcement, AnnouncementRevision, Translation, User, utcnow
from server.translation import memory
from server.words import AnnouncementStatus, Method, TranslationStatus


def queue(lang: str | None = None, limit: int = 200) -> list[tuple[Translation, Announcement, str]]:
    """Unreviewed machine translations of current revisions, oldest first."""
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
            Translation.status == TranslationStatus.DONE,
            Announcement.status == AnnouncementStatus.ACTIVE,
            Announcement.revision == Translation.revision,
        )
        .order_by(Translation.id)
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
        or row.status != TranslationStatus.DONE
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
    if corrected is not None:
        row.text = corrected
        row.method = Method.HUMAN
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
    db.session.commit()
    events.push([event])
    return row


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
    }
