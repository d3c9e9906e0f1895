"""Shelter rounds: the manual's round sheet, checked field by field, recorded once per client id.

The sheet comes from ``manuals/forms/shelter_round_sheet.yaml``: a center that edits the form
changes what is asked and checked here without code. A round replaces the census counts its
sheet carries and records the needs found on the visit.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import date, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from manuals import loader as manuals
from manuals.records import Form, FormField, Text
from server.core.extensions import db
from server.models import Shelter, User, utcnow
from server.shelters import census, needs
from server.shelters.models import Need, Round
from server.shelters.needs import FieldError
from server.shelters.words import CensusKind

SHEET = "shelter_round_sheet"
MAX_TEXT = 1000
MAX_NEEDS = 20
MAX_COUNT = census.MAX_COUNT


class RoundInvalid(ValueError):
    """The sheet was refused; nothing was stored."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(e.en for e in errors))
        self.errors = errors


def sheet() -> Form:
    """Return the round sheet as the manual describes it."""
    return manuals.load_form(SHEET)


def fields(form: Form) -> list[FormField]:
    """Every field of a form, in order."""
    return [f for section in form["sections"] for f in section["fields"]]


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_COUNT


def _check_text(value: Any, f: FormField) -> str | None:
    if not isinstance(value, str):
        return "text"
    return "long" if len(value) > MAX_TEXT else None


def _check_integer(value: Any, f: FormField) -> str | None:
    return None if _is_count(value) else "integer"


def _check_boolean(value: Any, f: FormField) -> str | None:
    return None if isinstance(value, bool) else "boolean"


def _choice_ids(f: FormField) -> set[str]:
    return {c["id"] for c in f.get("choices", [])}


def _check_choice(value: Any, f: FormField) -> str | None:
    return None if isinstance(value, str) and value in _choice_ids(f) else "choice"


def _check_multi(value: Any, f: FormField) -> str | None:
    if not isinstance(value, list) or len(set(map(str, value))) != len(value):
        return "choice"
    return None if all(isinstance(v, str) and v in _choice_ids(f) for v in value) else "choice"


def _check_counts(keys: set[str] | None) -> Callable[[Any, FormField], str | None]:
    def check(value: Any, f: FormField) -> str | None:
        if not isinstance(value, dict) or len(value) > 200:
            return "counts"
        for key, count in value.items():
            if not isinstance(key, str) or not 0 < len(key) <= 40 or not _is_count(count):
                return "counts"
            if keys is not None and key not in keys:
                return "language"
        return None

    return check


def _check_date(value: Any, f: FormField) -> str | None:
    try:
        date.fromisoformat(value)
    except (TypeError, ValueError):
        return "date"
    return None


def _check_time(value: Any, f: FormField) -> str | None:
    try:
        time.fromisoformat(value)
    except (TypeError, ValueError):
        return "time"
    return None


CHECKS: dict[str, Callable[[Any, FormField], str | None]] = {
    "text": _check_text,
    "integer": _check_integer,
    "boolean": _check_boolean,
    "choice": _check_choice,
    "multi_choice": _check_multi,
    "counts_by_language": _check_counts(set(census.LANGUAGE_CODES)),
    "counts_by_nationality": _check_counts(None),
    "date": _check_date,
    "time": _check_time,
}
MESSAGES = {
    "required": ("'{en}' is required", "「{ja}」は必須です。"),
    "text": ("'{en}' must be text", "「{ja}」は文字で入力してください。"),
    "long": (
        f"'{{en}}' is longer than {MAX_TEXT} characters",
        f"「{{ja}}」は{MAX_TEXT}文字までです。",
    ),
    "integer": (
        f"'{{en}}' must be a whole number from 0 to {MAX_COUNT}",
        f"「{{ja}}」は0から{MAX_COUNT}までの整数で入力してください。",
    ),
    "boolean": ("'{en}' must be yes or no", "「{ja}」は「はい」か「いいえ」を選んでください。"),
    "choice": (
        "'{en}' has a value that is not one of its choices",
        "「{ja}」に選択肢にない値があります。",
    ),
    "counts": (
        f"'{{en}}' must be counts from 0 to {MAX_COUNT}",
        f"「{{ja}}」の人数は0から{MAX_COUNT}までの整数で入力してください。",
    ),
    "language": (
        "'{en}' names a language the center does not work in",
        "「{ja}」にセンターの対象外の言語があります。",
    ),
    "date": (
        "'{en}' must be a date like 2026-12-03",
        "「{ja}」は2026-12-03の形の日付で入力してください。",
    ),
    "time": ("'{en}' must be a time like 14:30", "「{ja}」は14:30の形の時刻で入力してください。"),
    "unknown": ("'{en}' is not a field of the round sheet", "「{ja}」は巡回シートにない項目です。"),
    "foreign": (
        "'{en}' cannot be more than the total number of evacuees",
        "「{ja}」は避難者の総数より多くできません。",
    ),
}


def _error(field: str, code: str, label: Text) -> FieldError:
    en, ja = MESSAGES[code]
    return FieldError(field, en.format(en=label["en"]), ja.format(ja=label["ja"]))


def validate(raw: Mapping[str, Any], form: Form) -> tuple[dict[str, Any], list[FieldError]]:
    """Check answers against the sheet: types, required fields, choices, sizes."""
    known = {f["id"]: f for f in fields(form)}
    errors = [_error(key, "unknown", Text(en=key, ja=key)) for key in raw if key not in known]
    answers: dict[str, Any] = {}
    for fid, f in known.items():
        value = raw.get(fid)
        if _empty(value):
            if f["required"]:
                errors.append(_error(fid, "required", f["label"]))
            continue
        problem = CHECKS[f["type"]](value, f)
        if problem:
            errors.append(_error(fid, problem, f["label"]))
            continue
        answers[fid] = value.strip() if isinstance(value, str) else value
    total, foreign = answers.get("total_evacuees"), answers.get("foreign_evacuees")
    if isinstance(total, int) and isinstance(foreign, int) and foreign > total:
        errors.append(_error("foreign_evacuees", "foreign", known["foreign_evacuees"]["label"]))
    return answers, errors


def _client_id(value: Any) -> tuple[str, list[FieldError]]:
    try:
        return str(uuid.UUID(str(value))), []
    except ValueError:
        return "", [
            FieldError(
                "client_id",
                "'client_id' must be a UUID made by the client",
                "送信IDが正しくありません。ページを読み込み直してください。",
            )
        ]


def find(client_id: str) -> Round | None:
    """Return the round already recorded under a client id."""
    return db.session.scalar(select(Round).where(Round.client_id == client_id))


def check(
    shelter: Shelter, client_id: Any, raw: Mapping[str, Any], raw_needs: Any
) -> tuple[str, dict[str, Any], list[dict[str, Any]]]:
    """Check a whole submission; raise RoundInvalid with every problem found."""
    cid, errors = _client_id(client_id)
    form = sheet()
    raw = dict(raw)
    if "shelter_name" in {f["id"] for f in fields(form)} and _empty(raw.get("shelter_name")):
        raw["shelter_name"] = shelter.name_ja
    answers, more = validate(raw, form)
    errors += more
    checked: list[dict[str, Any]] = []
    if not isinstance(raw_needs, list) or len(raw_needs) > MAX_NEEDS:
        errors.append(
            FieldError(
                "needs", f"'needs' must be a list of up to {MAX_NEEDS}", "ニーズが多すぎます。"
            )
        )
        raw_needs = []
    for i, item in enumerate(raw_needs):
        need, problems = needs.parse(item, f"needs[{i}].")
        checked.append(need)
        errors += problems
    if errors:
        raise RoundInvalid(errors)
    return cid, answers, checked


def record(
    shelter: Shelter,
    client_id: Any,
    raw: Mapping[str, Any],
    raw_needs: Any,
    user: User | None,
    *,
    drill_id: int | None = None,
    on_flush: Callable[[Round, list[Need]], None] | None = None,
) -> tuple[Round, bool]:
    """Record a round and its needs once per client id; return it and whether it is new.

    A drill passes its id and ``on_flush``, which records what the inject made in this commit.
    """
    existing = find(str(client_id)) if isinstance(client_id, str) else None
    if existing is not None:
        return existing, False
    cid, answers, checked = check(shelter, client_id, raw, raw_needs)
    item = Round(
        client_id=cid,
        shelter_id=shelter.id,
        answers=answers,
        user_id=user.id if user else None,
        created_at=utcnow(),
        drill_id=drill_id,
    )
    db.session.add(item)
    try:
        db.session.flush()
    except IntegrityError:  # the same client id arrived at the same moment on another process
        db.session.rollback()
        winner = find(cid)
        if winner is None:
            raise
        return winner, False
    _update_census(shelter, answers)
    made = [needs.create(shelter, need, user, item.id, drill_id) for need in checked]
    if on_flush is not None:
        on_flush(item, made)
    db.session.commit()
    return item, True


def _update_census(shelter: Shelter, answers: Mapping[str, Any]) -> None:
    """Carry the counts the sheet holds into the census."""
    if "total_evacuees" in answers:
        shelter.headcount = answers["total_evacuees"]
    if "foreign_evacuees" in answers:
        shelter.foreign_count = answers["foreign_evacuees"]
    counts: dict[CensusKind, dict[str, int]] = {}
    if "foreign_by_language" in answers:
        counts[CensusKind.LANGUAGE] = answers["foreign_by_language"]
    care = {
        key: value
        for key, value in census.of(shelter).care.items()
        if key not in ("interpreter", "pregnant_or_infants")
    }
    if "interpreter_by_language" in answers:
        care["interpreter"] = sum(answers["interpreter_by_language"].values())
    if "pregnant_or_infants" in answers:
        care["pregnant_or_infants"] = answers["pregnant_or_infants"]
    counts[CensusKind.CARE] = care
    census.replace(shelter, counts)


def latest(shelter: Shelter, limit: int = 10) -> list[Round]:
    """The shelter's most recent rounds, newest first."""
    return list(
        db.session.scalars(
            select(Round)
            .where(Round.shelter_id == shelter.id)
            .order_by(Round.id.desc())
            .limit(limit)
        )
    )
