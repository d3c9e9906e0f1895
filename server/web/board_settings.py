"""Per-board display settings read from the board link's query string, and the words it shows.

A board is a TV nobody touches, so its settings travel in its link: ``langs`` (languages shown
first), ``only`` (show only those), ``dwell`` (seconds a page stays, ``MIN-MAX``) and ``drill``
(``1`` shows drill announcements; a real shelter's TV never shows them unless its link says so).
Nothing here is stored: a different link is a different board.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from manuals import loader as manuals
from translations import board_labels, languages

DWELL_DEFAULT = (10, 45)
DWELL_LIMITS = (1, 600)
_DWELL = re.compile(r"^\s*(\d{1,3})\s*-\s*(\d{1,3})\s*$")
_FLAG = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}


class SettingError(ValueError):
    """A board link's setting that cannot be used; names the parameter."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class BoardSettings:
    """How one board link pages and which languages it puts first."""

    langs: tuple[str, ...] = ()
    only: bool = False
    dwell: tuple[int, int] = DWELL_DEFAULT
    drill: bool = False

    def as_config(self) -> dict[str, Any]:
        """Return the settings as board.js reads them."""
        return {
            "prefer": list(self.langs),
            "only": self.only,
            "dwellMin": self.dwell[0],
            "dwellMax": self.dwell[1],
            "showDrill": self.drill,
        }


def _flag(args: Mapping[str, str], name: str, default: bool) -> bool:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    if raw.strip().lower() not in _FLAG:
        raise SettingError(name, f"{name} must be 1 or 0, not {raw[:20]!r}")
    return _FLAG[raw.strip().lower()]


def parse(args: Mapping[str, str], board_langs: list[str]) -> BoardSettings:
    """Read the settings from a query string; raise SettingError naming a bad one."""
    langs: list[str] = []
    for part in (args.get("langs") or "").split(","):
        if not part.strip():
            continue
        code = languages.normalize(part)
        if code is None or code not in board_langs:
            raise SettingError(
                "langs", f"langs: {part.strip()[:20]!r} is not a language of this center"
            )
        if code not in langs:
            langs.append(code)
    only = _flag(args, "only", False)
    if only and not langs:
        raise SettingError("only", "only=1 needs langs=… to say which languages to show")
    dwell = DWELL_DEFAULT
    if args.get("dwell"):
        match = _DWELL.match(args["dwell"])
        if not match:
            raise SettingError("dwell", "dwell must be MIN-MAX in seconds, e.g. dwell=8-30")
        low, high = int(match[1]), int(match[2])
        if not DWELL_LIMITS[0] <= low <= high <= DWELL_LIMITS[1]:
            raise SettingError(
                "dwell", f"dwell needs {DWELL_LIMITS[0]} ≤ MIN ≤ MAX ≤ {DWELL_LIMITS[1]} seconds"
            )
        dwell = (low, high)
    return BoardSettings(tuple(langs), only, dwell, _flag(args, "drill", False))


def labels(codes: list[str]) -> dict[str, dict[str, dict[str, str]]]:
    """Return the board's severity, category and UI words, manuals' titles first."""
    titles = {
        c["code"]: {lang: str(text) for lang, text in c["title"].items()}
        for c in manuals.load_inquiry_categories()
    }
    return board_labels.labels(codes, titles)
