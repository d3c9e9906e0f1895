"""Offline language detection for residents' messages (lingua, plus script rules).

lingua has no Nepali or Burmese model, and does not tell Simplified from Traditional
Chinese, so scripts decide those first; lingua decides among the rest, restricted to the
center's languages (which makes it faster and more accurate on short messages).
"""

from __future__ import annotations

import functools
import unicodedata
from typing import Any

_SCRIPT_LANG = (
    ("MYANMAR", "my"),
    ("DEVANAGARI", "ne"),
    ("THAI", "th"),
    ("HANGUL", "ko"),
    ("HIRAGANA", "ja"),
    ("KATAKANA", "ja"),
)
_LINGUA = {
    "ENGLISH": "en",
    "CHINESE": "zh",
    "PORTUGUESE": "pt-BR",
    "SPANISH": "es",
    "VIETNAMESE": "vi",
    "TAGALOG": "tl",
    "INDONESIAN": "id",
    "JAPANESE": "ja",
    "KOREAN": "ko",
    "THAI": "th",
    "FRENCH": "fr",
    "GERMAN": "de",
    "RUSSIAN": "ru",
    "UKRAINIAN": "uk",
    "HINDI": "hi",
    "BENGALI": "bn",
    "URDU": "ur",
    "ARABIC": "ar",
    "PERSIAN": "fa",
    "TURKISH": "tr",
    "MALAY": "ms",
}
# Characters that exist in only one of the two Chinese scripts (common in messages).
_SIMPLIFIED = set("这们个来时为说国过没还发么见对问门开关车长东电话医药饭书乐给让请谁听钱")
_TRADITIONAL = set("這們個來時為說國過沒還發麼見對問門開關車長東電話醫藥飯書樂給讓請誰聽錢")


def _script_share(text: str) -> tuple[str | None, float]:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return None, 0.0
    for script, lang in _SCRIPT_LANG:
        share = sum(1 for c in letters if script in unicodedata.name(c, "")) / len(letters)
        if share >= 0.3 or (lang == "ja" and share >= 0.1):
            return lang, round(min(1.0, share + 0.5), 3)
    return None, 0.0


def _chinese(text: str) -> str:
    simplified = sum(1 for c in text if c in _SIMPLIFIED)
    traditional = sum(1 for c in text if c in _TRADITIONAL)
    return "zh-Hant" if traditional > simplified else "zh-Hans"


@functools.lru_cache(maxsize=1)
def _detector() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(
        *[getattr(Language, name) for name in _LINGUA]
    ).build()


def detect(text: str) -> tuple[str | None, float]:
    """Return (BCP 47 code, confidence 0–1), or (None, 0) when nothing can be said."""
    lang, confidence = _script_share(text)
    if lang is not None:
        return lang, confidence
    if len(text.strip()) < 3:
        return None, 0.0
    values = _detector().compute_language_confidence_values(text)
    if not values:
        return None, 0.0
    best = values[0]
    code = _LINGUA.get(best.language.name)
    if code == "zh":
        code = _chinese(text)
    return code, round(float(best.value), 3)
