"""Needs found at shelters: open → in progress → addressed → closed, and what to announce."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from manuals import loader as manuals
from server.core.extensions import db
from server.models import Shelter, User, utcnow
from server.operations import activity
from server.operations.words import ActivityKind
from server.shelters.census import LANGUAGE_CODES
from server.shelters.models import Need, NeedEvent
from server.shelters.words import NeedStatus, Urgency
from translations import phrasebook

MAX_NOTE = 1000
MAX_COUNT = 100_000
URGENCIES = tuple(Urgency)
OPEN_STATES = (NeedStatus.OPEN.value, NeedStatus.IN_PROGRESS.value)
# A need moves forward only; closing is allowed from anywhere (a duplicate, a mistake).
NEXT: dict[str, tuple[NeedStatus, ...]] = {
    NeedStatus.OPEN: (NeedStatus.IN_PROGRESS, NeedStatus.ADDRESSED, NeedStatus.CLOSED),
    NeedStatus.IN_PROGRESS: (NeedStatus.ADDRESSED, NeedStatus.CLOSED),
    NeedStatus.ADDRESSED: (NeedStatus.CLOSED,),
    NeedStatus.CLOSED: (),
}
# The manual's inquiry categories → the phrasebook's categories that answer them.
PHRASEBOOK_CATEGORIES: dict[str, tuple[str, ...]] = {
    "safety_confirmation": ("safety_confirmation",),
    "shelter_life": ("shelter", "evacuation"),
    "food_water": ("food_water", "supplies"),
    "medical": ("medical", "hygiene"),
    "lifelines": ("lifelines",),
    "transport": ("transport",),
    "housing": ("housing", "procedures"),
    "residence_status": ("residence",),
    "work_money": ("procedures",),
    "scams_crime": ("safety",),
    "mental_health": ("medical", "consultation"),
    "language_help": ("consultation",),
    "embassy": ("residence",),
    "other": ("consultation",),
}


@dataclass(frozen=True)
class FieldError:
    """One refused field, said in English (API, console) and Japanese (console)."""

    field: str
    en: str
    ja: str


class NeedError(ValueError):
    """A status change a need cannot make."""


def categories() -> list[str]:
    """Return the manual's inquiry category codes."""
    return [c["code"] for c in manuals.load_inquiry_categories()]


def category_titles(japanese: bool) -> dict[str, str]:
    """Return each inquiry category's title in Japanese or English."""
    return {
        c["code"]: c["title"]["ja"] if japanese else c["title"]["en"]
        for c in manuals.load_inquiry_categories()
    }


def _number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_COUNT


def parse(data: Any, prefix: str = "") -> tuple[dict[str, Any], list[FieldError]]:
    """Validate one need: category, lang, urgency, count, note."""
    if not isinstance(data, Mapping):
        return {}, [
            FieldError(prefix or "need", "a need must be an object", "ニーズの形式が違います。")
        ]
    errors: list[FieldError] = []
    out: dict[str, Any] = {}
    for field, options, ja in (
        ("category", categories(), "分類"),
        ("lang", list(LANGUAGE_CODES), "言語"),
        ("urgency", list(URGENCIES), "緊急度"),
    ):
        value = data.get(field, "normal" if field == "urgency" else None)
        if value not in options:
            errors.append(
                FieldError(
                    prefix + field,
                    f"'{field}' must be one of {', '.join(options)}",
                    f"{ja}を選んでください。",
                )
            )
        out[field] = value
    count = data.get("count", 1)
    if not _number(count):
        errors.append(
            FieldError(
                prefix + "count",
                f"'count' must be a whole number from 1 to {MAX_COUNT}",
                f"人数は1から{MAX_COUNT}までの整数で入力してください。",
            )
        )
    out["count"] = count
    note = data.get("note") or ""
    if not isinstance(note, str):
        errors.append(
            FieldError(prefix + "note", "'note' must be text", "メモは文字で入力してください。")
        )
    elif len(note) > MAX_NOTE:
        errors.append(
            FieldError(
                prefix + "note",
                f"'note' is longer than {MAX_NOTE} characters",
                f"メモは{MAX_NOTE}文字までです。",
            )
        )
    out["note"] = note.strip() if isinstance(note, str) else ""
    return out, errors


def create(
    shelter: Shelter,
    fields: Mapping[str, Any],
    user: User | None,
    round_id: int | None = None,
    drill_id: int | None = None,
) -> Need:
    """Record a checked need (the caller commits)."""
    now = utcnow()
    need = Need(
        shelter_id=shelter.id,
        round_id=round_id,
        category=fields["category"],
        lang=fields["lang"],
        urgency=fields["urgency"],
        count=fields["count"],
        note=fields["note"],
        status=NeedStatus.OPEN.value,
        created_by=user.id if user else None,
        created_at=now,
        updated_at=now,
        drill_id=drill_id,
    )
    db.session.add(need)
    db.session.flush()
    db.session.add(NeedEvent(need_id=need.id, user_id=need.created_by, action=NeedStatus.OPEN))
    return need


def move(need: Need, status: str, user: User | None) -> None:
    """Move a need to its next status and record who and when (commits)."""
    try:
        target = NeedStatus(status)
    except ValueError:
        raise NeedError(f"status must be one of {', '.join(NeedStatus)}") from None
    if target not in NEXT[NeedStatus(need.status)]:
        raise NeedError(f"a need that is {need.status} cannot become {target}")
    need.status = target.value
    need.updated_at = utcnow()
    db.session.add(NeedEvent(need_id=need.id, user_id=user.id if user else None, action=target))
    _log_move(need, target, user)
    db.session.commit()


def _log_move(need: Need, target: NeedStatus, user: User | None) -> None:
    # A drill's need carries its id, so the drill's measures and reset find the entry.
    activity.record(
        ActivityKind.NEED_STATUS_CHANGED,
        f"need {need.id} at shelter {need.shelter_id} → {target}",
        user=user,
        ref=f"need:{need.id}",
        drill_id=need.drill_id,
    )


def link_announcement(need: Need, announcement_id: int, user: User | None) -> None:
    """Remember the announcement published for a need; an open need is now in progress."""
    need.announcement_id = announcement_id
    need.updated_at = utcnow()
    uid = user.id if user else None
    db.session.add(
        NeedEvent(need_id=need.id, user_id=uid, action="announced", detail=str(announcement_id))
    )
    if need.status == NeedStatus.OPEN:
        need.status = NeedStatus.IN_PROGRESS.value
        db.session.add(NeedEvent(need_id=need.id, user_id=uid, action=NeedStatus.IN_PROGRESS))
        _log_move(need, NeedStatus.IN_PROGRESS, user)
    db.session.commit()


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _keyword_score(keyword: str, note: str) -> int:
    """6 when the note holds the keyword; 3 when it holds two characters of a CJK keyword."""
    if len(keyword) < 2 or not note:
        return 0
    if keyword in note:
        return 6
    if not keyword.isascii() and len(keyword) > 2:
        # Japanese and Chinese write compounds without spaces: 給水 in a note finds 給水車.
        return 3 if any(keyword[i : i + 2] in note for i in range(len(keyword) - 1)) else 0
    return 0


def suggestions(need: Need, limit: int = 5) -> list[phrasebook.Template]:
    """Rank phrasebook templates for a need: its category first, then words of its note."""
    wanted = PHRASEBOOK_CATEGORIES.get(need.category, ())
    note = _fold(need.note)
    scored: list[tuple[int, str, phrasebook.Template]] = []
    for template in phrasebook.load().values():
        if need.lang not in template.text:
            continue
        score = (
            10 * (len(wanted) - wanted.index(template.category))
            if template.category in wanted
            else 0
        )
        score += sum(_keyword_score(_fold(k), note) for k in template.keywords)
        if score == 0:
            continue
        score += template.reviewed(need.lang)  # a vetted sentence wins a tie
        scored.append((-score, template.id, template))
    scored.sort(key=lambda item: item[:2])
    return [t for _s, _id, t in scored[:limit]]


def open_needs() -> list[Need]:
    """Open and in-progress needs, oldest first."""
    return list(
        db.session.scalars(
            select(Need).where(Need.status.in_(OPEN_STATES)).order_by(Need.created_at, Need.id)
        )
    )


def grouped(items: list[Need]) -> tuple[dict[Shelter, list[Need]], dict[str, list[Need]]]:
    """Group needs by shelter and by language, keeping the order given."""
    by_shelter: dict[Shelter, list[Need]] = defaultdict(list)
    by_lang: dict[str, list[Need]] = defaultdict(list)
    for need in items:
        by_shelter[need.shelter].append(need)
        by_lang[need.lang].append(need)
    return dict(by_shelter), dict(by_lang)


def as_json(need: Need) -> dict[str, Any]:
    """Render a need for the API."""
    return {
        "id": need.id,
        "shelter_id": need.shelter_id,
        "round_id": need.round_id,
        "category": need.category,
        "lang": need.lang,
        "urgency": need.urgency,
        "count": need.count,
        "note": need.note,
        "status": need.status,
        "announcement_id": need.announcement_id,
        "created_at": need.created_at.isoformat(),
        "updated_at": need.updated_at.isoformat(),
        "history": [
            {
                "action": e.action,
                "user_id": e.user_id,
                "detail": e.detail,
                "at": e.created_at.isoformat(),
            }
            for e in need.history
        ],
    }
