"""Typed template slots: validate what an operator typed and format it per language."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, time

from translations import places as place_names

SLOT_TYPES = ("time", "date", "place", "phone", "number", "name")

_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_PHONE = re.compile(r"^\+?[0-9][0-9\-() ]{1,18}[0-9]$")
_NUMBER = re.compile(r"^\d{1,7}$")
_MAX_FREE_TEXT = 100

_EN_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class SlotError(ValueError):
    """A slot value that does not fit its type; ``slot`` names it."""

    def __init__(self, slot: str, message: str) -> None:
        super().__init__(message)
        self.slot = slot


def parse(slot: str, kind: str, raw: object) -> str:
    """Validate one raw slot value and return its canonical text form."""
    value = str(raw).strip() if raw is not None else ""
    if not value:
        raise SlotError(slot, f"slot '{slot}' is required")
    if kind == "time":
        m = _TIME.match(value)
        if not m:
            raise SlotError(slot, f"slot '{slot}' must be a time like 15:00")
        return f"{int(m.group(1)):02d}:{m.group(2)}"
    if kind == "date":
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise SlotError(slot, f"slot '{slot}' must be a date like 2026-11-21") from None
    if kind == "phone":
        if not _PHONE.match(value):
            raise SlotError(slot, f"slot '{slot}' must be a phone number like 0120-123-456")
        return value
    if kind == "number":
        if not _NUMBER.match(value):
            raise SlotError(slot, f"slot '{slot}' must be a whole number")
        return str(int(value))
    if kind in ("place", "name"):
        if len(value) > _MAX_FREE_TEXT:
            raise SlotError(slot, f"slot '{slot}' is longer than {_MAX_FREE_TEXT} characters")
        return value
    raise SlotError(slot, f"slot '{slot}' has unknown type '{kind}'")


def format_value(
    kind: str, canonical: str, lang: str, known: Mapping[str, place_names.Place] | None = None
) -> str:
    """Format a canonical slot value the way readers of ``lang`` expect it.

    ``known`` maps the Japanese names of shelters to their names for each language.
    """
    if kind == "place":
        return place_names.value_for(lang, canonical, known)
    if kind == "time":
        t = time.fromisoformat(canonical)
        if lang in ("ja", "ja-x-easy"):
            return f"{t.hour}時" + (f"{t.minute}分" if t.minute else "")
        if lang == "ko":
            return f"{t.hour}시" + (f" {t.minute}분" if t.minute else "")
        return f"{t.hour}:{t.minute:02d}"
    if kind == "date":
        d = date.fromisoformat(canonical)
        if lang in ("ja", "ja-x-easy", "zh-Hans", "zh-Hant"):
            return f"{d.month}月{d.day}日"
        if lang == "ko":
            return f"{d.month}월 {d.day}일"
        if lang == "en":
            return f"{_EN_MONTHS[d.month - 1]} {d.day}"
        return f"{d.day}/{d.month}"
    if kind == "number":
        return f"{int(canonical):,}" if lang == "en" else canonical
    return canonical
