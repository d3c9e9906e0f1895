"""Shelter names for readers of each language: romaji suggestions, names per language, lookups.

The rule itself lives in ``translations.places`` (no database there); this module hands it
the shelters as data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from server.core import validation
from server.core.extensions import db
from server.models import Shelter
from translations import languages
from translations.places import MAX_NAME, Place, place_for, romanize

# Japanese is the name itself; every other center language may have a name of its own.
NAME_LANGUAGES = tuple(code for code in languages.CENTER_LANGUAGES if code != "ja")
# A name is one line: no control characters at all (tab and newline included), no DEL.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


def suggest(name_ja: str) -> str:
    """Suggest the romaji of a Japanese name or address (staff may correct it)."""
    return romanize(name_ja) if name_ja.strip() else ""


def name(shelter: Shelter, lang: str) -> str:
    """Write a shelter's name for readers of ``lang``."""
    return place_for(lang, shelter.name_ja, shelter.name_romaji, shelter.names or {})


def as_place(shelter: Shelter) -> Place:
    """Hand a shelter's names to the translation layer as plain data."""
    return Place(shelter.name_ja, shelter.name_romaji, dict(shelter.names or {}))


def known() -> dict[str, Place]:
    """Map every shelter's Japanese name to its names, for ``{place}`` slots and MT."""
    return {
        s.name_ja: as_place(s) for s in db.session.scalars(select(Shelter).order_by(Shelter.id))
    }


def parse_names(data: Mapping[str, Any], field: str = "names") -> dict[str, str]:
    """Validate ``{lang: name}``: center languages only, up to 200 characters, no controls."""
    raw = data.get(field)
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise validation.bad(field, f"'{field}' must be an object of language: name")
    out: dict[str, str] = {}
    for lang, value in raw.items():
        code = languages.normalize(str(lang))
        if code not in NAME_LANGUAGES:
            raise validation.bad(
                f"{field}.{lang}", f"'{lang}' is not a center language other than Japanese"
            )
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if not isinstance(value, str):
            raise validation.bad(f"{field}.{lang}", f"the name in '{lang}' must be a string")
        if len(value) > MAX_NAME:
            raise validation.bad(
                f"{field}.{lang}", f"the name in '{lang}' is longer than {MAX_NAME} characters"
            )
        if _CONTROL.search(value):
            raise validation.bad(
                f"{field}.{lang}", f"the name in '{lang}' holds a control character"
            )
        out[code] = value.strip()
    return out
