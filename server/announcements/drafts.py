"""What an operator may publish: validate a create or patch body into a Draft."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select

from server.core import validation
from server.core.errors import ApiError
from server.core.extensions import db
from server.drills.models import DrillInject
from server.drills.words import DrillStatus, InjectStatus
from server.models import Announcement, Shelter
from server.shelters import places
from translations import languages, phrasebook
from translations.slots import SlotError

# An announcement's metadata when the operator says nothing (the source language is the
# center's setting, SOURCE_LANGUAGE). The API, the console form and the demo all start here.
DEFAULTS: dict[str, Any] = {
    "category": "other",
    "severity": "Moderate",
    "urgency": "Expected",
    "certainty": "Observed",
    "drill": False,
}


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
    drill_id: int | None = None  # the drill run this announcement belongs to
    drill_inject_id: int | None = None  # the inject it answers


def _shelter_ids(data: Mapping[str, Any], base: Announcement | None) -> list[int] | None:
    """The shelters a draft targets (None: all), each checked to exist."""
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
    return shelter_ids


def _drill_inject(data: Mapping[str, Any], base: Announcement | None) -> DrillInject | None:
    """The released inject of a running drill a draft answers (kept from ``base`` on a patch)."""
    if "drill_inject_id" not in data or data["drill_inject_id"] in (None, ""):
        if base is not None and base.drill_inject_id is not None:
            return db.session.get(DrillInject, base.drill_inject_id)
        return None
    try:
        inject_id = int(data["drill_inject_id"])
    except (TypeError, ValueError):
        raise validation.bad("drill_inject_id", "'drill_inject_id' must be an inject id") from None
    inject = db.session.get(DrillInject, inject_id) if 0 < inject_id <= validation.MAX_ID else None
    if (
        inject is None
        or inject.status != InjectStatus.RELEASED
        or inject.drill.status != DrillStatus.RUNNING
    ):
        raise ApiError(
            409,
            "not_a_live_inject",
            f"inject {inject_id} is not a released inject of a running drill",
            "drill_inject_id",
        )
    return inject


def parse_draft(data: Mapping[str, Any], base: Announcement | None = None) -> Draft:
    """Validate a create (or, with ``base``, a patch) body; raise ApiError on the first problem."""
    current = base.revisions[-1] if base is not None else None

    merged: dict[str, Any] = {"source_lang": current_app.config["SOURCE_LANGUAGE"], **DEFAULTS}
    if base is not None:
        merged.update({key: getattr(base, key) for key in merged})
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
        if source_lang in template.text:
            text = template.render(source_lang, slots, places.known())
    if text is None:
        text = current.text if current and "text" not in data else None
    if not text:
        raise validation.bad("text", "'text' is required (or a phrasebook template_id)", "required")

    easy_text = (
        validation.text(data, "easy_text")
        if "easy_text" in data
        else (current.easy_text if current else None)
    )
    shelter_ids = _shelter_ids(data, base)
    if "expires_at" in data:
        expires_at = validation.timestamp(data, "expires_at")
    else:
        expires_at = base.expires_at if base else None

    inject = _drill_inject(data, base)
    drill_id = inject.drill_id if inject is not None else (base.drill_id if base else None)
    return Draft(
        text=text,
        source_lang=source_lang,
        easy_text=easy_text,
        template_id=template_id,
        slots=slots,
        category=validation.choice(merged, "category", validation.CATEGORIES, DEFAULTS["category"]),
        severity=validation.choice(merged, "severity", validation.SEVERITIES, DEFAULTS["severity"]),
        urgency=validation.choice(merged, "urgency", validation.URGENCIES, DEFAULTS["urgency"]),
        certainty=validation.choice(
            merged, "certainty", validation.CERTAINTIES, DEFAULTS["certainty"]
        ),
        shelter_ids=shelter_ids,
        expires_at=expires_at,
        # Anything a drill answers is drill content, whatever the form said.
        drill=validation.boolean(merged, "drill") or drill_id is not None,
        drill_id=drill_id,
        drill_inject_id=inject.id if inject is not None else None,
    )
