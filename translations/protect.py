"""Protect what machine translation must not change: glossary terms, times, phones, URLs, places.

Each protected span is replaced by a placeholder the model copies through (``TERM1``: measured
on the real zh→en OPUS-MT model, bracketed or symbol placeholders were dropped or mangled) and
restored afterwards with the target-language glossary term or the original text. When a
placeholder does not survive, the caller falls back to the unprotected translation and says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

_PARENS = re.compile(r"\s*[（(][^）)]*[）)]\s*$")
_TIME = r"(?<!\d)(?:[01]?\d|2[0-3]):[0-5]\d(?!\d)"
_PHONE = r"(?<![\d-])(?:\+?\d{1,4}[-‐ ]?)?\d{2,4}[-‐]\d{2,4}[-‐]\d{3,4}(?![\d-])"
_URL = r"https?://[^\s　、。，）)]+|[\w.+-]+@[\w-]+\.[\w.-]+"
_LITERAL = re.compile(f"{_URL}|{_PHONE}|{_TIME}")
_CJK_SCRIPTS = ("ja", "zh-Hans", "zh-Hant", "ko", "th", "my")
_PLACEHOLDER = re.compile(r"TERM(\d+)")
_MIN_CJK_TERM = 3
_MIN_LATIN_TERM = 6


@dataclass(frozen=True)
class Protected:
    """A text with placeholders and what each placeholder stands for in the target."""

    text: str
    replacements: dict[str, str] = field(default_factory=dict)
    terms: dict[str, str] = field(default_factory=dict)  # placeholder -> source span


def source_forms(term: str) -> list[str]:
    """Return the spellings of a glossary term to look for (with and without its gloss)."""
    bare = _PARENS.sub("", term).strip()
    return [f for f in dict.fromkeys((term.strip(), bare)) if f]


def _term_pattern(term: str, lang: str) -> re.Pattern[str] | None:
    if lang in _CJK_SCRIPTS:
        # Short terms (雷, 地震) are words every model knows, and replacing them costs fluency
        # (measured on zh→en); the long, specific ones (罹灾证明书) are what models get wrong.
        return re.compile(re.escape(term)) if len(term) >= _MIN_CJK_TERM else None
    if len(term) < _MIN_LATIN_TERM:
        return None
    return re.compile(rf"(?<!\w){re.escape(term)}(?!\w)", re.IGNORECASE)


def protect(
    text: str, lang: str, terms: Sequence[tuple[str, str]], places: Iterable[tuple[str, str]] = ()
) -> Protected:
    """Replace glossary terms (longest first), places and literals with placeholders."""
    if _PLACEHOLDER.search(text):  # the text already contains our token: leave it alone
        return Protected(text)
    replacements: dict[str, str] = {}
    spans: dict[str, str] = {}
    out = text

    def take(pattern: re.Pattern[str], target: str | None) -> None:
        nonlocal out

        def sub(m: re.Match[str]) -> str:
            token = f"TERM{len(replacements) + 1}"
            replacements[token] = target if target is not None else m.group(0)
            spans[token] = m.group(0)
            return f" {token} " if lang in _CJK_SCRIPTS else token

        out = pattern.sub(sub, out)

    take(_LITERAL, None)
    for source, target in places:
        if pattern := _term_pattern(source, lang):
            take(pattern, target)
    ordered = sorted(
        ((form, tgt) for src, tgt in terms for form in source_forms(src)),
        key=lambda item: -len(item[0]),
    )
    for form, target in ordered:
        if (form in out or lang not in _CJK_SCRIPTS) and (pattern := _term_pattern(form, lang)):
            take(pattern, target)
    return Protected(out.strip() if replacements else text, replacements, spans)


def restore(translated: str, protected: Protected) -> str | None:
    """Put the target terms back; None when a placeholder was lost or duplicated."""
    found = _PLACEHOLDER.findall(translated)
    if sorted(found) != sorted(t[4:] for t in protected.replacements):
        return None
    restored = _PLACEHOLDER.sub(lambda m: protected.replacements[m.group(0)], translated)
    restored = re.sub(
        r"\s+([。、，．.,!?！？])", r"\1", re.sub(r"[ \t]{2,}", " ", restored)
    ).strip()
    if translated.startswith("TERM") and restored[:1].islower():
        restored = restored[0].upper() + restored[1:]  # a term that opens a sentence
    return restored
