"""Protect what machine translation must not change: glossary terms, times, phones, URLs, places.

Each protected span is replaced by a placeholder the model copies through (``TERM1``: measured
on the real zh→en OPUS-MT model, bracketed or symbol placeholders were dropped or mangled) and
restored afterwards with the target-language glossary term or the original text. When a
placeholder does not survive, the caller falls back to the unprotected translation and says so.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Sequence
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
# A clock time said with its part of the day: 早上八点, 下午三点半, 晚上8点30分, 午後3時15分.
# The model may drop the part of the day once a placeholder sits next to it (早上八点到晚上八点
# came out "from 8:00 to 8:00 p.m."), so the whole time is protected and written out for the
# target: "8 a.m." in English, 24-hour "20:00" elsewhere.
_NUM = r"[0-9０-９]{1,2}|[零〇一二两三四五六七八九十]{1,3}"
_DAY_PART = r"早上|早晨|上午|中午|下午|傍晚|晚上|夜里|夜间|凌晨|午前|午後|朝|夜"
_SPOKEN_TIME = re.compile(
    rf"(?P<part>{_DAY_PART})(?P<hour>{_NUM})(?:点|點|時|时)"
    rf"(?:(?P<half>半)|(?P<minute>{_NUM})分(?:钟)?)?"
)
_MORNING = frozenset({"早上", "早晨", "上午", "凌晨", "午前", "朝"})
_NOON = frozenset({"中午"})
_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}


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


def _number(text: str) -> int:
    """Read 8, ８, 八, 十二 or 三十 as an integer."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return _DIGITS.get(tens, 1) * 10 + (_DIGITS[ones] if ones else 0)
    return _DIGITS[text]


def spoken_time(m: re.Match[str], target: str) -> str | None:
    """Write a matched 早上八点-style time for the target language; None if it is no time."""
    hour = _number(m.group("hour"))
    minute = 30 if m.group("half") else _number(m.group("minute") or "0")
    part = m.group("part")
    if not 0 <= hour <= 24 or minute > 59:
        return None
    if part in _MORNING:
        if hour > 12:
            return None
        hour24 = 0 if hour == 12 and part == "凌晨" else hour
    elif part in _NOON:
        hour24 = hour if hour >= 11 else hour + 12
    else:  # afternoon, evening, night
        hour24 = hour + 12 if hour < 12 else hour
        if part in {"晚上", "夜里", "夜间", "夜"} and hour == 12:
            hour24 = 0
        if hour24 > 24:
            return None
    hour24 %= 24
    if target.split("-")[0].lower() != "en":
        return f"{hour24}:{minute:02d}"
    if hour24 == 12 and minute == 0:
        return "12 noon"
    if hour24 == 0 and minute == 0:
        return "12 midnight"
    clock = f"{(hour24 - 1) % 12 + 1}" + (f":{minute:02d}" if minute else "")
    return f"{clock} {'a.m.' if hour24 < 12 else 'p.m.'}"


def protect(
    text: str,
    lang: str,
    terms: Sequence[tuple[str, str]],
    places: Iterable[tuple[str, str]] = (),
    *,
    target: str = "",
    always: Collection[str] = (),
    skip: Collection[str] = (),
) -> Protected:
    """Replace glossary terms (longest first), places and literals with placeholders.

    ``target`` (a language code) lets spoken times (早上八点) be protected and written for it;
    ``always`` names source terms protected however short; ``skip`` names source spans to
    leave to the model (a retry after the model dropped their placeholders).
    """
    if _PLACEHOLDER.search(text):  # the text already contains our token: leave it alone
        return Protected(text)
    replacements: dict[str, str] = {}
    spans: dict[str, str] = {}
    out = text

    def take(pattern: re.Pattern[str], target: str | None, render: _Render | None = None) -> None:
        nonlocal out

        def sub(m: re.Match[str]) -> str:
            if m.group(0) in skip:
                return m.group(0)
            value = render(m) if render else target if target is not None else m.group(0)
            if value is None:
                return m.group(0)
            token = f"TERM{len(replacements) + 1}"
            replacements[token] = value
            spans[token] = m.group(0)
            return f" {token} " if lang in _CJK_SCRIPTS else token

        out = pattern.sub(sub, out)

    take(_LITERAL, None)
    if target and lang in ("ja", "zh-Hans", "zh-Hant"):
        take(_SPOKEN_TIME, None, lambda m: spoken_time(m, target))
    for source, place in places:
        if pattern := _term_pattern(source, lang):
            take(pattern, place)
    ordered = sorted(
        ((form, tgt, src in always) for src, tgt in terms for form in source_forms(src)),
        key=lambda item: -len(item[0]),
    )
    for form, term, forced in ordered:
        if form not in out and lang in _CJK_SCRIPTS:
            continue
        pattern = re.compile(re.escape(form)) if forced else _term_pattern(form, lang)
        if pattern:
            take(pattern, term)
    return Protected(out.strip() if replacements else text, replacements, spans)


_Render = Callable[[re.Match[str]], "str | None"]


def placeholders(text: str) -> list[str]:
    """Return the placeholders in a text, in order (repeats kept)."""
    return [f"TERM{n}" for n in _PLACEHOLDER.findall(text)]


def unprotect(text: str, lang: str, protected: Protected, tokens: Collection[str]) -> str:
    """Put back the source spans of these placeholders: the model translates them itself.

    In CJK text (``lang``) the spaces ``protect`` put around a placeholder go too, so the
    model reads the span as it was written.
    """
    pad = " ?" if lang in _CJK_SCRIPTS else ""

    def span(m: re.Match[str]) -> str:
        token = m.group(1)
        if token in tokens and token in protected.terms:
            return protected.terms[token]
        return m.group(0)

    return re.sub(rf"{pad}\b(TERM\d+)\b{pad}", span, text).strip()


def lost(translated: str, protected: Protected) -> list[str]:
    """Return the source spans whose placeholders the model dropped or doubled."""
    found = _PLACEHOLDER.findall(translated)
    return [
        protected.terms[token] for token in protected.replacements if found.count(token[4:]) != 1
    ]


def restore(translated: str, protected: Protected) -> str | None:
    """Put the target terms back; None when a placeholder was lost or duplicated."""
    if lost(translated, protected):
        return None

    def term(m: re.Match[str]) -> str:
        value = protected.replacements[m.group(1)]
        before = translated[: m.start()].rstrip()
        # A term opening a sentence gets a capital; elsewhere it keeps the glossary's casing
        # (lower case for common words, capitals for names such as "Tsunami Warning").
        if (not before or before[-1] in ".!?:") and value[:1].islower():
            value = value[0].upper() + value[1:]
        owner = m.group(2) or ""
        if value.endswith(".") and translated[m.end() : m.end() + 1] == ".":
            value = value[:-1]  # "at 10 p.m.." from a restored time ending a sentence
        # "TERM1's" where TERM1 ends in a gloss: "certificate (hisai shomeisho)'s" reads as
        # the gloss owning something; the possessive goes on the term itself instead.
        if owner and (gloss := _GLOSS.match(value)):
            return f"{gloss.group(1)}{owner} {gloss.group(2)}"
        return value + owner

    restored = re.sub(r"\b(TERM\d+)\b(['’]s\b)?", term, translated)
    return re.sub(r"\s+([。、，．.,!?！？])", r"\1", re.sub(r"[ \t]{2,}", " ", restored)).strip()


_GLOSS = re.compile(r"^(.*\S)\s*(\([^()]*\))$")
