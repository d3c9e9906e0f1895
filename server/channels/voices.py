"""Which offline voice speaks each center language, and how well (checked, not assumed).

The voices are espeak-ng 1.51's (Debian bookworm). Each entry was checked by speaking a
water-truck announcement and reading back the phonemes (``espeak-ng -q --ipa``); the quality
word says what a listener gets. A language with no voice has ``voice=None`` and is never
spoken with another language's voice.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Quality(StrEnum):
    """How well a voice speaks its language."""

    FAIR = "fair"  # robotic but understandable sentence by sentence
    POOR = "poor"  # many words wrong or missing: preview only, boards do not play it
    NONE = "none"  # no voice at all


@dataclass(frozen=True)
class Voice:
    """The espeak-ng voice of one language (None when there is none) and what it is worth."""

    lang: str
    voice: str | None
    quality: Quality
    note: str

    @property
    def on_boards(self) -> bool:
        """Tell whether boards with sound play this language (fair voices only)."""
        return self.quality == Quality.FAIR


KANA_NOTE = (
    "espeak-ng's Japanese voice reads kana only and silently skips kanji, so the text is "
    "turned into hiragana first (pykakasi, the furigana readings); flat pitch, particles "
    "は/へ read as written (ha/he)"
)
VOICES: dict[str, Voice] = {
    v.lang: v
    for v in (
        Voice(
            "ja",
            "ja",
            Quality.FAIR,
            KANA_NOTE + "; spoken from the やさしい日本語 text when there is one",
        ),
        Voice("ja-x-easy", "ja", Quality.FAIR, KANA_NOTE),
        Voice("en", "en-us", Quality.FAIR, "American English, robotic, clear"),
        Voice(
            "zh-Hans",
            "cmn-latn-pinyin",
            Quality.FAIR,
            "Mandarin with tones (the plain 'cmn' voice reads the pinyin as English: not used)",
        ),
        Voice("zh-Hant", "cmn-latn-pinyin", Quality.FAIR, "Mandarin (as in Taiwan), not Cantonese"),
        Voice("ko", "ko", Quality.FAIR, "Hangul read correctly, robotic"),
        Voice("pt-BR", "pt-br", Quality.FAIR, "Brazilian Portuguese, robotic, clear"),
        Voice("es", "es-419", Quality.FAIR, "Latin American Spanish, robotic, clear"),
        Voice("vi", "vi", Quality.FAIR, "Northern Vietnamese, tones flattened but understandable"),
        Voice("id", "id", Quality.FAIR, "Indonesian, clear; numbers read in Indonesian"),
        Voice("ne", "ne", Quality.FAIR, "Devanagari read correctly, robotic"),
        Voice(
            "th",
            "th",
            Quality.POOR,
            "Thai is written without spaces and espeak-ng does not split words: vowels and "
            "syllables are dropped, often unintelligible",
        ),
        Voice(
            "my",
            "my",
            Quality.POOR,
            "Burmese voice is experimental: most syllables come out wrong or are dropped",
        ),
        Voice("tl", None, Quality.NONE, "espeak-ng has no Tagalog/Filipino voice"),
    )
}


def voice_for(lang: str) -> Voice:
    """Return the voice of ``lang``; a language not in the table has none."""
    return VOICES.get(lang) or Voice(lang, None, Quality.NONE, "no voice checked for this language")
