"""Load the disaster glossary that machine translation protects and boards show to residents."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from translations.languages import CENTER_LANGUAGES, normalize

GLOSSARY_PATH = Path(__file__).with_name("glossary.yaml")

# Every term carries exactly these languages, so the MT layer never has to fall back.
GLOSSARY_LANGUAGES: tuple[str, ...] = CENTER_LANGUAGES
CATEGORIES: frozenset[str] = frozenset(
    {
        "alert",
        "earthquake",
        "tsunami",
        "weather",
        "evacuation",
        "shelter",
        "food_water",
        "lifelines",
        "medical",
        "procedures",
        "housing",
        "residence",
        "safety",
        "transport",
        "center",
    }
)
REVIEW_STATES: frozenset[str] = frozenset({"draft", "reviewed"})

_ID = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
# Hiragana plus the long-vowel mark, which readings of katakana loanwords need (はざーどまっぷ).
_READING = re.compile(r"[\u3041-\u3096\u30fc]+")
_TERM_KEYS = frozenset({"id", "category", "reading", "text", "note", "review", "protect"})
# "auto": machine translation protects the term when it is long enough to be specific;
# "always": even a short one (清真 → halal), because models get it wrong and it matters.
PROTECT_MODES: frozenset[str] = frozenset({"auto", "always"})
_TOP_KEYS = frozenset({"default_review", "terms"})
# Folding katakana to hiragana lets ツナミ find つなみ; đ→d matches Vietnamese typed without marks.
_FOLD_TABLE = {code: code - 0x60 for code in range(0x30A1, 0x30F7)} | {ord("đ"): "d"}
# The C loader parses the 4,000-line file several times faster when libyaml is present.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class GlossaryError(ValueError):
    """Malformed glossary data; the message names the term at fault."""


@dataclass(frozen=True)
class Term:
    """One disaster term with its text in every glossary language."""

    id: str
    category: str
    reading: str
    text: Mapping[str, str] = field(hash=False)
    note: str | None = None
    review: str = "draft"
    protect: str = "auto"


def load_glossary(path: Path | None = None) -> tuple[Term, ...]:
    """Return every term of the glossary, parsed and validated once per file."""
    return _load((path or GLOSSARY_PATH).resolve())


def terms_for_pair(source: str, target: str, path: Path | None = None) -> list[tuple[str, str]]:
    """Return (source term, target term) pairs, longest source first for greedy matching."""
    return list(_pairs(_language(source), _language(target), (path or GLOSSARY_PATH).resolve()))


def always_protected(source: str, path: Path | None = None) -> frozenset[str]:
    """Return the source-language texts of terms marked ``protect: always``."""
    code = _language(source)
    return frozenset(t.text[code] for t in load_glossary(path) if t.protect == "always")


def search(query: str, lang: str | None = None, path: Path | None = None) -> list[Term]:
    """Return terms whose text contains the query, exact and prefix matches first."""
    codes = GLOSSARY_LANGUAGES if lang is None else (_language(lang),)
    needle = _fold(query)
    if not needle:
        return []
    ranked: list[tuple[int, int, Term]] = []
    for order, term in enumerate(load_glossary(path)):
        haystacks = [term.text[code] for code in codes]
        # A resident may type the kana reading of a kanji term.
        if lang is None or codes[0] in ("ja", "ja-x-easy"):
            haystacks.append(term.reading)
        if lang is None:
            haystacks.append(term.id)
        ranks = [r for h in haystacks if (r := _rank(needle, _fold(h))) is not None]
        if ranks:
            ranked.append((min(ranks), order, term))
    return [term for _, _, term in sorted(ranked, key=lambda item: item[:2])]


@lru_cache(maxsize=8)
def _load(path: Path) -> tuple[Term, ...]:
    """Parse and validate one glossary file."""
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except OSError as exc:
        raise GlossaryError(f"cannot read glossary {path}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise GlossaryError(f"glossary {path} is not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise GlossaryError(f"glossary {path}: expected a mapping with 'terms'")
    if extra := set(raw) - _TOP_KEYS:
        raise GlossaryError(f"glossary {path}: unknown keys {sorted(map(str, extra))}")
    default_review = raw.get("default_review", "draft")
    if not isinstance(default_review, str) or default_review not in REVIEW_STATES:
        raise GlossaryError(
            f"glossary {path}: default_review must be one of {sorted(REVIEW_STATES)}"
        )
    entries = raw.get("terms")
    if not isinstance(entries, list) or not entries:
        raise GlossaryError(f"glossary {path}: 'terms' must be a non-empty list")
    terms: list[Term] = []
    ids: set[str] = set()
    japanese: dict[str, str] = {}
    for index, entry in enumerate(entries):
        term = _parse_term(entry, index, default_review)
        if term.id in ids:
            raise GlossaryError(f"term {term.id!r}: duplicate id")
        # Two terms with one ja text would make the MT layer's choice arbitrary.
        if (other := japanese.get(term.text["ja"])) is not None:
            raise GlossaryError(f"term {term.id!r}: ja text {term.text['ja']!r} also in {other!r}")
        ids.add(term.id)
        japanese[term.text["ja"]] = term.id
        terms.append(term)
    return tuple(terms)


def _parse_term(entry: Any, index: int, default_review: str) -> Term:
    """Build one Term from its YAML mapping, naming the term in every error."""
    if not isinstance(entry, dict):
        raise GlossaryError(f"term #{index}: expected a mapping, got {type(entry).__name__}")
    term_id = entry.get("id")
    if not isinstance(term_id, str) or not _ID.fullmatch(term_id):
        raise GlossaryError(f"term #{index} ({term_id!r}): id must be ascii snake_case")
    where = f"term {term_id!r}"
    if extra := set(entry) - _TERM_KEYS:
        raise GlossaryError(f"{where}: unknown keys {sorted(map(str, extra))}")
    category = entry.get("category")
    if not isinstance(category, str) or category not in CATEGORIES:
        raise GlossaryError(f"{where}: unknown category {category!r}")
    reading = entry.get("reading")
    if not isinstance(reading, str) or not _READING.fullmatch(reading):
        raise GlossaryError(f"{where}: reading must be hiragana, got {reading!r}")
    note = entry.get("note")
    if note is not None and (not isinstance(note, str) or not note.strip()):
        raise GlossaryError(f"{where}: note must be a non-empty string when given")
    review = entry.get("review", default_review)
    if not isinstance(review, str) or review not in REVIEW_STATES:
        raise GlossaryError(f"{where}: review must be one of {sorted(REVIEW_STATES)}")
    protect = entry.get("protect", "auto")
    if not isinstance(protect, str) or protect not in PROTECT_MODES:
        raise GlossaryError(f"{where}: protect must be one of {sorted(PROTECT_MODES)}")
    return Term(
        id=term_id,
        category=category,
        reading=reading,
        text=_parse_text(entry.get("text"), where),
        note=note.strip() if note else None,
        review=review,
        protect=protect,
    )


def _parse_text(text: Any, where: str) -> Mapping[str, str]:
    """Check that text has exactly the glossary languages, each a non-empty string."""
    if not isinstance(text, dict):
        raise GlossaryError(f"{where}: text must be a mapping of language to term")
    if missing := [code for code in GLOSSARY_LANGUAGES if code not in text]:
        raise GlossaryError(f"{where}: text is missing {missing}")
    if extra := sorted(set(text) - set(GLOSSARY_LANGUAGES), key=str):
        raise GlossaryError(f"{where}: text has unknown languages {extra}")
    for code in GLOSSARY_LANGUAGES:
        value = text[code]
        # YAML turns a bare 119 into an int; insist on strings so lookups never miss.
        if not isinstance(value, str) or not value.strip():
            raise GlossaryError(f"{where}: text[{code!r}] must be a non-empty string")
    return MappingProxyType({code: text[code].strip() for code in GLOSSARY_LANGUAGES})


@lru_cache(maxsize=64)
def _pairs(source: str, target: str, path: Path) -> tuple[tuple[str, str], ...]:
    """Map source texts to target texts; the first term wins when sources collide."""
    pairs: dict[str, str] = {}
    for term in _load(path):
        pairs.setdefault(term.text[source], term.text[target])
    return tuple(sorted(pairs.items(), key=lambda pair: (-len(pair[0]), pair[0])))


def _language(code: str) -> str:
    """Return the glossary spelling of a language code or raise ValueError."""
    canonical = normalize(code)
    if canonical is None or canonical not in GLOSSARY_LANGUAGES:
        raise ValueError(f"the glossary has no language {code!r}; it has {GLOSSARY_LANGUAGES}")
    return canonical


@lru_cache(maxsize=16384)
def _fold(text: str) -> str:
    """Fold case, width, kana and Latin accents so residents' typing still matches."""
    out: list[str] = []
    for char in unicodedata.normalize("NFKD", text.casefold()):
        # Drop accents only after Latin letters: Thai, Devanagari and Burmese need their marks.
        if unicodedata.combining(char) and out and out[-1].isascii():
            continue
        out.append(char)
    folded = unicodedata.normalize("NFC", "".join(out)).translate(_FOLD_TABLE)
    return " ".join(folded.split())


def _rank(needle: str, haystack: str) -> int | None:
    """Rank a match: 0 exact, 1 prefix, 2 anywhere; None when absent."""
    if haystack == needle:
        return 0
    if haystack.startswith(needle):
        return 1
    return 2 if needle in haystack else None
