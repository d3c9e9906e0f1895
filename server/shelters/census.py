"""The census of foreign evacuees per shelter: counts by language, diet and care need.

Counts only, never names. A round replaces the counts its sheet carries; staff can set any
count by hand (console or API); a registration card adds one person to the counts it names.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from server.core import validation
from server.core.extensions import db
from server.models import Shelter, utcnow
from server.shelters.models import CensusCount
from server.shelters.words import CARE_KEYS, DIET_KEYS, CensusKind
from translations import languages

LANGUAGE_CODES = tuple(
    lang.code for lang in languages.LANGUAGES if lang.code not in ("ja", "ja-x-easy")
)
KEYS: dict[CensusKind, tuple[str, ...]] = {
    CensusKind.LANGUAGE: LANGUAGE_CODES,
    CensusKind.DIET: DIET_KEYS,
    CensusKind.CARE: CARE_KEYS,
}
MAX_COUNT = 100_000


def parse_counts(data: Any, field: str, keys: tuple[str, ...]) -> dict[str, int]:
    """Validate a {key: count} object whose keys come from ``keys``."""
    if not isinstance(data, Mapping):
        raise validation.bad(field, f"'{field}' must be an object of counts, like {{\"vi\": 3}}")
    out: dict[str, int] = {}
    for key, value in data.items():
        if key not in keys:
            raise validation.bad(f"{field}.{key}", f"'{key}' is not one of {', '.join(keys)}")
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_COUNT:
            raise validation.bad(f"{field}.{key}", f"'{field}.{key}' must be 0 to {MAX_COUNT}")
        out[key] = value
    return out


def parse(data: Mapping[str, Any]) -> dict[CensusKind, dict[str, int]]:
    """Validate a census body: {"languages": {...}, "diet": {...}, "care": {...}}."""
    out: dict[CensusKind, dict[str, int]] = {}
    for kind, field in ((CensusKind.LANGUAGE, "languages"), (CensusKind.DIET, "diet")):
        if field in data:
            out[kind] = parse_counts(data[field], field, KEYS[kind])
    if "care" in data:
        out[CensusKind.CARE] = parse_counts(data["care"], "care", KEYS[CensusKind.CARE])
    return out


def replace(shelter: Shelter, counts: Mapping[CensusKind, Mapping[str, int]]) -> None:
    """Replace whole kinds of counts (the caller commits); zero counts are not kept."""
    for kind, values in counts.items():
        db.session.execute(
            delete(CensusCount).where(
                CensusCount.shelter_id == shelter.id, CensusCount.kind == kind.value
            )
        )
        for key, count in sorted(values.items()):
            if count > 0:
                db.session.add(
                    CensusCount(shelter_id=shelter.id, kind=kind.value, key=key, count=count)
                )
    shelter.census_updated_at = utcnow()


def add_one(shelter: Shelter, keys: Mapping[CensusKind, Iterable[str]]) -> None:
    """Count one more person under each key (the caller commits); safe under concurrent adds."""
    for kind, names in keys.items():
        for key in sorted(set(names)):
            where = (
                CensusCount.shelter_id == shelter.id,
                CensusCount.kind == kind.value,
                CensusCount.key == key,
            )
            bump = update(CensusCount).where(*where).values(count=CensusCount.count + 1)
            if db.session.execute(bump).rowcount:  # type: ignore[attr-defined]
                continue
            try:
                with db.session.begin_nested():
                    db.session.add(
                        CensusCount(shelter_id=shelter.id, kind=kind.value, key=key, count=1)
                    )
            except IntegrityError:  # another process made the row first: add to it instead
                db.session.execute(bump)
    shelter.census_updated_at = utcnow()


@dataclass(frozen=True)
class Census:
    """One shelter's counts, kind by kind."""

    languages: dict[str, int]
    diet: dict[str, int]
    care: dict[str, int]

    def as_json(self) -> dict[str, dict[str, int]]:
        return {"languages": self.languages, "diet": self.diet, "care": self.care}


def of(shelter: Shelter) -> Census:
    """Return a shelter's census."""
    found: dict[str, dict[str, int]] = defaultdict(dict)
    for row in db.session.scalars(
        select(CensusCount).where(CensusCount.shelter_id == shelter.id).order_by(CensusCount.key)
    ):
        found[row.kind][row.key] = row.count
    return Census(
        languages=found[CensusKind.LANGUAGE],
        diet=found[CensusKind.DIET],
        care=found[CensusKind.CARE],
    )


def by_language() -> dict[str, list[tuple[Shelter, int]]]:
    """Where each language's speakers are: language → [(shelter, count)], largest first."""
    rows = db.session.execute(
        select(CensusCount, Shelter)
        .join(Shelter, Shelter.id == CensusCount.shelter_id)
        .where(CensusCount.kind == CensusKind.LANGUAGE.value, CensusCount.count > 0)
    ).all()
    out: dict[str, list[tuple[Shelter, int]]] = defaultdict(list)
    for count, shelter in rows:
        out[count.key].append((shelter, count.count))
    for places in out.values():
        places.sort(key=lambda item: (-item[1], item[0].id))
    return dict(sorted(out.items(), key=lambda item: -sum(c for _s, c in item[1])))


def shelters_with(lang: str) -> list[int]:
    """Ids of the open shelters where speakers of ``lang`` are counted."""
    return [s.id for s, _c in by_language().get(lang, []) if s.is_open]
