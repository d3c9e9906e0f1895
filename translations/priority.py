"""Life-safety words that raise an inquiry's priority, in every center language."""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

DATA = Path(__file__).with_name("data") / "life_safety.yaml"


@functools.lru_cache(maxsize=1)
def words() -> dict[str, tuple[str, ...]]:
    """The word lists, by language."""
    raw = yaml.safe_load(DATA.read_text(encoding="utf-8")) or {}
    return {lang: tuple(str(w).casefold() for w in items) for lang, items in raw.items()}


def life_safety_hits(*texts: str | None) -> list[str]:
    """Return the life-safety words found in any of the texts, whatever their language."""
    hay = " ".join(t for t in texts if t).casefold()
    found = []
    for items in words().values():
        found += [w for w in items if w in hay]
    return sorted(set(found))
