"""Evacuee registration cards (避難者登録カード): filled in on a phone, counted in the census.

The card comes from ``manuals/forms/registration_card.yaml``: what is asked, its types and
choices follow the form data. A card is checked field by field (nothing is stored when one
field is refused), recorded once per id the page made, and adds its person to the shelter's
census. Fields the form marks personal are shown to staff only on an audited page and are
emptied by the retention purge (``server.shelters.retention``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from manuals import loader as manuals
from manuals.records import Form, FormField
from server.core.clock import center_tz
from server.core.extensions import db
from server.models import AuditLog, Shelter, User, utcnow
from server.shelters import census, rounds
from server.shelters.models import RegistrationCard
from server.shelters.words import CensusKind, ShelterStatus

CARD = "registration_card"
MAX_TEXT = 500
# Filled in by the center, not asked of the resident.
FILLED_BY_CENTER = ("shelter_name", "registered_on")
# The card's answers → the census keys they count under (counts only, never names).
DIET_OF_FOOD = {
    "pork": "no_pork",
    "beef": "no_beef",
    "all_meat": "vegetarian",
    "halal": "halal",
    "fish_seafood": "other",
    "eggs": "other",
    "dairy": "other",
    "alcohol": "other",
    "other": "other",
}
CARE_OF_HELP = {"interpreting": "interpreter", "medical": "medical", "mobility": "disability"}
CARE_OF_TEXT = {"chronic_illness": "medical", "medicine": "medicine"}


@dataclass(frozen=True)
class Problem:
    """One refused field and why: required, text, long, integer, boolean, choice, date, …"""

    field: str
    code: str


class CardRefused(ValueError):
    """The card was refused; nothing was stored."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(", ".join(f"{p.field}: {p.code}" for p in problems))
        self.problems = problems


def form() -> Form:
    """Return the registration card as the manual describes it."""
    return manuals.load_form(CARD)


def asked(card: Form) -> list[FormField]:
    """The fields the resident fills in, in order."""
    return [f for f in rounds.fields(card) if f["id"] not in FILLED_BY_CENTER]


def personal_fields(card: Form) -> tuple[str, ...]:
    """Ids of the fields the form marks personal."""
    return tuple(f["id"] for f in rounds.fields(card) if f["personal"])


def _check(value: Any, field: FormField) -> str | None:
    if field["type"] == "text" and isinstance(value, str) and len(value) > MAX_TEXT:
        return "long"
    if field["type"] == "date" and isinstance(value, str) and value > date.today().isoformat():
        problem = rounds.CHECKS["date"](value, field)
        return problem or "future"
    return rounds.CHECKS[field["type"]](value, field)


def validate(raw: Mapping[str, Any], card: Form) -> tuple[dict[str, Any], list[Problem]]:
    """Check a resident's answers against the card: types, required fields, choices, sizes."""
    known = {f["id"]: f for f in asked(card)}
    problems = [Problem(key, "unknown") for key in raw if key not in known]
    answers: dict[str, Any] = {}
    for fid, field in known.items():
        value = raw.get(fid)
        if isinstance(value, str):
            value = value.strip()
        empty = value is None or value == "" or value == []
        # A required yes/no (the consent) is only answered by a yes.
        if field["required"] and (empty or value is False):
            problems.append(Problem(fid, "required"))
            continue
        if empty:
            continue
        problem = _check(value, field)
        if problem:
            problems.append(Problem(fid, problem))
        else:
            answers[fid] = value
    return answers, problems


def census_keys(lang: str, answers: Mapping[str, Any]) -> dict[CensusKind, list[str]]:
    """What one card counts in the census: the person's language, diet and care needs."""
    spoken = [c for c in answers.get("languages_spoken", []) if c in census.LANGUAGE_CODES]
    main = lang if lang in census.LANGUAGE_CODES else next(iter(spoken), None)
    diet = [DIET_OF_FOOD[f] for f in answers.get("foods_not_eaten", []) if f in DIET_OF_FOOD]
    if answers.get("allergies"):
        diet.append("allergies")
    care = [CARE_OF_HELP[h] for h in answers.get("needs_help_with", []) if h in CARE_OF_HELP]
    care += [key for fid, key in CARE_OF_TEXT.items() if answers.get(fid)]
    if answers.get("japanese_level") == "none":
        care.append("interpreter")
    if answers.get("pregnant") is True:
        care.append("pregnant_or_infants")
    return {
        CensusKind.LANGUAGE: [main] if main else [],
        CensusKind.DIET: sorted(set(diet)),
        CensusKind.CARE: sorted(set(care)),
    }


def _keyed(text: str) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, text.encode(), hashlib.sha256).hexdigest()


def _fold(text: str) -> str:
    """A name as a comparison sees it: width, case, spaces and punctuation do not count."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def match_keys(answers: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """Keyed hashes of name + birth date and of the phone number (None where not given)."""
    name, born = _fold(str(answers.get("name") or "")), answers.get("birth_date")
    by_name = _keyed(f"name:{name}|{born}") if name and born else None
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", str(answers.get("phone") or "")))
    if digits.startswith("81") and len(digits) > 10:  # +81 90-… is the same phone as 090-…
        digits = "0" + digits[2:]
    by_phone = _keyed(f"phone:{digits}") if len(digits) >= 6 else None
    return by_name, by_phone


def is_closed(shelter: Shelter) -> bool:
    """A closed shelter takes no more registrations."""
    return shelter.status == ShelterStatus.CLOSED or not shelter.is_open


def _client_id(value: Any) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise CardRefused([Problem("client_id", "expired")]) from None


def find(client_id: str) -> RegistrationCard | None:
    """Return the card already recorded under the id its page made."""
    return db.session.scalar(
        select(RegistrationCard).where(RegistrationCard.client_id == client_id)
    )


def submit(
    shelter: Shelter, client_id: Any, lang: str, raw: Mapping[str, Any]
) -> tuple[RegistrationCard, bool]:
    """Record a card once per page id and count its person; return it and whether it is new."""
    if is_closed(shelter):
        raise CardRefused([Problem("shelter_id", "closed")])
    cid = _client_id(client_id)
    existing = find(cid)
    if existing is not None:
        return existing, False
    answers, problems = validate(raw, form())
    if problems:
        raise CardRefused(problems)
    answers["shelter_name"] = shelter.name_ja
    answers["registered_on"] = datetime.now(center_tz()).date().isoformat()
    by_name, by_phone = match_keys(answers)
    card = RegistrationCard(
        client_id=cid,
        shelter_id=shelter.id,
        lang=lang,
        answers=answers,
        match_name=by_name,
        match_phone=by_phone,
        created_at=utcnow(),
    )
    db.session.add(card)
    try:
        db.session.flush()
    except IntegrityError:  # the same page sent twice at the same moment
        db.session.rollback()
        winner = find(cid)
        if winner is None:
            raise
        return winner, False
    census.add_one(shelter, census_keys(lang, answers))
    shelter.foreign_count = (shelter.foreign_count or 0) + 1
    shelter.headcount = max(shelter.headcount or 0, shelter.foreign_count)
    db.session.commit()
    return card, True


def duplicates(card: RegistrationCard) -> list[tuple[RegistrationCard, str]]:
    """Other cards with the same name and birth date ("name") or phone ("phone")."""
    out: list[tuple[RegistrationCard, str]] = []
    for column, reason in (
        (RegistrationCard.match_name, "name"),
        (RegistrationCard.match_phone, "phone"),
    ):
        key = getattr(card, column.key)
        if key is None:
            continue
        for other in db.session.scalars(
            select(RegistrationCard)
            .where(column == key, RegistrationCard.id != card.id)
            .order_by(RegistrationCard.id)
        ):
            out.append((other, reason))
    return out


def with_duplicates() -> set[int]:
    """Ids of the cards that share a match key with another card."""
    found: set[int] = set()
    for column in (RegistrationCard.match_name, RegistrationCard.match_phone):
        shared = (
            select(column)
            .where(column.is_not(None))
            .group_by(column)
            .having(func.count(RegistrationCard.id) > 1)
        )
        found.update(
            db.session.scalars(select(RegistrationCard.id).where(column.in_(shared))).all()
        )
    return found


def listing(shelter_id: int | None = None) -> list[RegistrationCard]:
    """Cards, newest first, optionally of one shelter."""
    query = select(RegistrationCard).order_by(RegistrationCard.id.desc())
    if shelter_id is not None:
        query = query.where(RegistrationCard.shelter_id == shelter_id)
    return list(db.session.scalars(query))


def audit(user: User, action: str, card_id: int | None, remote_addr: str | None) -> None:
    """Record that staff saw personal data of a card (or of every card, for an export)."""
    db.session.add(
        AuditLog(
            user_id=user.id,
            action=action,
            object_type="registration_card" if card_id else "registration_cards",
            object_id=card_id,
            remote_addr=remote_addr,
        )
    )
    db.session.commit()


def in_japanese(card: RegistrationCard, sheet: Form) -> list[tuple[str, list[tuple[str, str]]]]:
    """The answers under the form's Japanese labels, section by section (for staff)."""
    out = []
    for section in sheet["sections"]:
        rows = []
        for field in section["fields"]:
            if field["id"] not in card.answers:
                continue
            rows.append((field["label"]["ja"], japanese_value(card.answers[field["id"]], field)))
        if rows:
            out.append((section["title"]["ja"], rows))
    return out


def japanese_value(value: Any, field: FormField) -> str:
    """One answer as staff read it: choices by their Japanese label, yes/no as はい/いいえ."""
    labels = {c["id"]: c["label"]["ja"] for c in field.get("choices", [])}
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if isinstance(value, list):
        return "、".join(labels.get(str(v), str(v)) for v in value)
    return labels.get(str(value), str(value))


def shelters_of(ids: set[int]) -> dict[int, Shelter]:
    """The shelters of a set of cards, by id."""
    if not ids:
        return {}
    return {s.id: s for s in db.session.scalars(select(Shelter).where(Shelter.id.in_(ids)))}
