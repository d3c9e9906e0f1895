"""Announcements as the API and the console show them."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import select

from server.core.extensions import db
from server.models import Announcement, Translation


def translation_status(announcement: Announcement) -> list[dict[str, Any]]:
    """List each target language of the current revision with how far it got."""
    rows = {
        t.lang: t
        for t in db.session.scalars(
            select(Translation).where(
                Translation.announcement_id == announcement.id,
                Translation.revision == announcement.revision,
            )
        )
    }
    out = []
    for lang in current_app.config["TARGET_LANGUAGES"]:
        if lang == announcement.source_lang:
            continue
        row = rows.get(lang)
        if row is None:
            out.append(
                {
                    "lang": lang,
                    "status": "queued",
                    "method": None,
                    "reviewed": False,
                    "text": None,
                    "reason": None,
                }
            )
            continue
        out.append(
            {
                "lang": lang,
                "status": row.status,
                "method": row.method,
                "reviewed": row.reviewed,
                "text": row.text,
                "reason": row.reason,
                "engine": row.engine,
                "model": row.model,
                "pivot_lang": row.pivot_lang,
                "check_first": row.check_first,
            }
        )
    return out


def serialize(announcement: Announcement, *, detail: bool = False) -> dict[str, Any]:
    """Render an announcement for the API."""
    current = announcement.revisions[-1]
    data: dict[str, Any] = {
        "id": announcement.id,
        "revision": announcement.revision,
        "status": announcement.status,
        "source_lang": announcement.source_lang,
        "text": current.text,
        "easy_text": current.easy_text,
        "template_id": current.template_id,
        "slots": current.slots,
        "category": announcement.category,
        "severity": announcement.severity,
        "urgency": announcement.urgency,
        "certainty": announcement.certainty,
        "shelter_ids": None if announcement.target_all else announcement.shelter_ids,
        "expires_at": announcement.expires_at.isoformat() if announcement.expires_at else None,
        "drill": announcement.drill,
        "created_at": announcement.created_at.isoformat(),
        "updated_at": announcement.updated_at.isoformat(),
    }
    if detail:
        data["translations"] = translation_status(announcement)
    return data
