"""放送原稿: the text a person reads over the PA or community radio, cut to fit a slot.

Reading time is estimated from a slow, clear announcer's pace per language (characters per
second for scripts written without spaces, words per minute otherwise). These are estimates
for planning a slot, not measurements; the page also shows the length of the synthesised
sound when there is one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SLOTS = (30, 60)  # seconds: a short PA slot, a community-radio minute
# Characters per second, for languages written without spaces between words.
CHARS_PER_SECOND = {
    "ja": 4.5,  # ~270 characters a minute: slower than NHK news (~300)
    "ja-x-easy": 3.5,  # やさしい日本語 is read slowly, with pauses between phrases
    "zh-Hans": 3.5,
    "zh-Hant": 3.5,
    "th": 9.0,  # Thai characters include vowel and tone marks: ~3 per syllable
    "my": 8.0,
}
WORDS_PER_MINUTE = {
    "en": 130,
    "es": 140,
    "pt-BR": 140,
    "vi": 150,  # one syllable per written word
    "id": 115,  # long words
    "tl": 120,
    "ne": 110,
}
KOREAN_SYLLABLES_PER_SECOND = 4.0
DEFAULT_WORDS_PER_MINUTE = 120
_SENTENCE = re.compile(r"(?<=[。！？!?।။])\s*|(?<=[.])\s+|\n+")


def estimate_seconds(lang: str, text: str) -> float:
    """Estimate how long a clear reading of ``text`` takes in ``lang``."""
    if lang == "ko":
        syllables = sum(1 for ch in text if "\uac00" <= ch <= "\ud7a3")
        words = len(re.findall(r"[0-9A-Za-z]+", text))
        return syllables / KOREAN_SYLLABLES_PER_SECOND + words * 0.4
    if lang in CHARS_PER_SECOND:
        chars = len(re.sub(r"[\s、。，,.!?！？「」『』（）()]", "", text))
        return chars / CHARS_PER_SECOND[lang]
    words = len(text.split())
    return words * 60.0 / WORDS_PER_MINUTE.get(lang, DEFAULT_WORDS_PER_MINUTE)


def sentences(text: str) -> list[str]:
    """Split text into sentences, keeping their end marks."""
    return [s.strip() for s in _SENTENCE.split(text) if s and s.strip()]


@dataclass(frozen=True)
class Script:
    """One language's script for a slot."""

    lang: str
    full_text: str
    full_seconds: float
    text: str  # what fits: whole sentences from the start
    seconds: float
    fits: bool  # the full text fits the slot
    left_out: int  # sentences that did not fit


def script(lang: str, text: str, slot: int) -> Script:
    """Keep whole sentences from the start while they fit in ``slot`` seconds (at least one)."""
    parts = sentences(text) or [text]
    joiner = "" if lang in CHARS_PER_SECOND and lang != "th" else " "
    kept: list[str] = []
    for part in parts:
        candidate = joiner.join([*kept, part])
        if kept and estimate_seconds(lang, candidate) > slot:
            break
        kept.append(part)
    short = joiner.join(kept)
    full = estimate_seconds(lang, text)
    return Script(
        lang=lang,
        full_text=text,
        full_seconds=full,
        text=short,
        seconds=estimate_seconds(lang, short),
        fits=full <= slot,
        left_out=len(parts) - len(kept),
    )
