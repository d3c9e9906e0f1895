"""Announcements: create, revise, retract — each one transaction, then push and dispatch."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select

from server.core import validation
from server.core.errors import ApiError
from server.core.extensions import db
from server.live import events
from server.models import (
    Announcement,
    AnnouncementRevision,
    Outbox,
    Shelter,
    Translation,
    User,
    utcnow,
)
from translations import languages, phrasebook
from translations.slots import SlotError

log = logging.getLogger(__name__)
TRANSLATE_TASK = "workers.tasks.translate_announcement"


@dataclass
class Draft:
    """Validated content of one revision plus the announcement's metadata."""

    text: str
    source_lang: str
    easy_text: str | None
    template_id: str | None
    slots: dict[str, str]
    category: str
    severity: str
    urgency: str
    certainty: str
    shelter_ids: list[int] | None
    expires_at: datetime | None
    drill: bool


def parse_draft(data: Mapping[str, Any], base: Announcement | None = None) -> Draft:
    """Validate a create (or, with ``base``, a patch) body; raise ApiError on the first problem."""
    current = base.revisions[-1] if base is not None else None

    merged: dict[str, Any] = {
        "source_lang": base.source_lang if base else current_app.config["SOURCE_LANGUAGE"],
        "category": base.category if base else "other",
        "severity": base.severity if base else "Moderate",
        "urgency": base.urgency if base else "Expected",
        "certainty": base.certainty if base else "Observed",
        "drill": base.drill if base else False,
    }
    merged.update({k: v for k, v in data.items() if k in merged})
    source_lang = languages.normalize(str(merged["source_lang"] or ""))
    if source_lang is None or source_lang == "ja-x-easy":
        raise validation.bad("source_lang", f"unknown source language {merged['source_lang']!r}")

    template_id = (
        validation.text(data, "template_id", max_chars=120)
        if "template_id" in data
        else (current.template_id if current and "text" not in data else None)
    )
    slots: dict[str, str] = {}
    text = validation.text(data, "text")
    if template_id:
        template = phrasebook.load().get(template_id)
        if template is None:
            raise validation.bad("template_id", f"unknown phrasebook template {template_id!r}")
        raw_slots = data.get(
            "slots", current.slots if current and "template_id" not in data else {}
        )
        if not isinstance(raw_slots, dict):
            raise validation.bad("slots", "'slots' must be an object of slot values")
        try:
            slots = template.parse_slots(raw_slots)
        except SlotError as exc:
            raise validation.bad(f"slots.{exc.slot}", str(exc)) from None
        text = template.render(source_lang, slots) if source_lang in template.text else text
    if text is None:
        text = current.text if current and "text" not in data else None
    if not text:
        raise validation.bad("text", "'text' is required (or a phrasebook template_id)", "required")

    easy_text = (
        validation.text(data, "easy_text")
        if "easy_text" in data
        else (current.easy_text if current else None)
    )
    if "shelter_ids" in data:
        shelter_ids = validation.id_list(data, "shelter_ids")
    else:
        shelter_ids = None if base is None or base.target_all else list(base.shelter_ids)
    if shelter_ids:
        found = set(db.session.scalars(select(Shelter.id).where(Shelter.id.in_(shelter_ids))))
        missing = [s for s in shelter_ids if s not in found]
        if missing:
            raise ApiError(
                404, "unknown_shelter", f"no shelter with id {missing[0]}", "shelter_ids"
            )
    if "expires_at" in data:
        expires_at = validation.timestamp(data, "expires_at")
    else:
        expires_at = base.expires_at if base else None

    return Draft(
        text=text,
        source_lang=source_lang,
        easy_text=easy_text,
        template_id=template_id,
        slots=slots,
        category=validation.choice(merged, "category", validation.CATEGORIES, "other"),
        severity=validation.choice(merged, "severity", validation.SEVERITIES, "Moderate"),
        urgency=validation.choice(merged, "urgency", validation.URGENCIES, "Expected"),
        certainty=validation.choice(merged, "certainty", validation.CERTAINTIES, "Observed"),
        shelter_ids=shelter_ids,
        expires_at=expires_at,
        drill=validation.boolean(merged, "drill"),
    )


def _apply(announcement: Announcement, draft: Draft) -> None:
    announcement.source_lang = draft.source_lang
    announcement.category = draft.category
    announcement.severity = draft.severity
    announcement.urgency = draft.urgency
    announcement.certainty = draft.certainty
    announcement.target_all = draft.shelter_ids is None
    announcement.shelter_ids = draft.shelter_ids or []
    announcement.expires_at = draft.expires_at
    announcement.drill = draft.drill
    announcement.updated_at = utcnow()


def _add_revision(announcement: Announcement, draft: Draft, user: User | None) -> None:
    db.session.add(
        AnnouncementRevision(
            announcement=announcement,
            revision=announcement.revision,
            text=draft.text,
            easy_text=draft.easy_text,
            template_id=draft.template_id,
            slots=draft.slots,
            created_by=user.id if user else None,
        )
    )
    db.session.add(
        Outbox(task=TRANSLATE_TASK, announcement_id=announcement.id, revision=announcement.revision)
    )


def create(draft: Draft, user: User | None) -> Announcement:
    """Store a new announcement, its first revision, its outbox row and its published event."""
    announcement = Announcement(revision=1, status="active", created_by=user.id if user else None)
    _apply(announcement, draft)
    db.session.add(announcement)
    db.session.flush()
    _add_revision(announcement, draft, user)
    event = events.record(
        events.PUBLISHED,
        announcement,
        revision=1,
        lang=draft.source_lang,
        method="human",
        reviewed=True,
        text=draft.text,
    )
    db.session.commit()
    events.push([event])
    dispatch_pending(announcement.id)
    return announcement


def revise(announcement: Announcement, draft: Draft, user: User | None) -> Announcement:
    """Make a new revision that boards show in place of the old one."""
    if announcement.status != "active":
        raise ApiError(409, "retracted", "a retracted announcement cannot be updated")
    _apply(announcement, draft)
    announcement.revision += 1
    _add_revision(announcement, draft, user)
    event = events.record(
        events.UPDATED,
        announcement,
        revision=announcement.revision,
        lang=draft.source_lang,
        method="human",
        reviewed=True,
        text=draft.text,
    )
    db.session.commit()
    events.push([event])
    dispatch_pending(announcement.id)
    return announcement


def retract(announcement: Announcement) -> Announcement:
    """Withdraw an announcement; boards remove it."""
    if announcement.status != "active":
        raise ApiError(409, "retracted", "the announcement is already retracted")
    announcement.status = "retracted"
    announcement.retracted_at = utcnow()
    announcement.updated_at = utcnow()
    event = events.record(
        events.RETRACTED,
        announcement,
        revision=announcement.revision,
        lang=None,
        status="retracted",
    )
    db.session.commit()
    events.push([event])
    return announcement


def dispatch_pending(announcement_id: int | None = None, stale_seconds: int = 0) -> int:
    """Send unprocessed outbox rows to Celery; a broker outage leaves them for the sweep."""
    query = select(Outbox).where(Outbox.processed_at.is_(None))
    if announcement_id is not None:
        query = query.where(Outbox.announcement_id == announcement_id)
    now = utcnow()
    sent = 0
    celery = current_app.extensions["celery"]
    for row in db.session.scalars(query.order_by(Outbox.id)):
        recent = row.dispatched_at is not None and (
            (now - row.dispatched_at).total_seconds() < stale_seconds
        )
        if stale_seconds and recent:
            continue
        try:
            celery.send_task(row.task, args=[row.announcement_id, row.revision])
        except Exception:
            log.warning("broker unavailable; outbox row %s waits for the sweep", row.id)
            db.session.rollback()
            return sent
        row.dispatched_at = now
        row.dispatch_count += 1
        sent += 1
    db.session.commit()
    return sent


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
