"""The language registry: BCP 47 codes of the center, their names, scripts and Argos codes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    """One language a center can post or read in."""

    code: str
    english: str
    native: str
    script: str
    argos: str | None
    direction: str = "ltr"


LANGUAGES: tuple[Language, ...] = (
    Language("ja", "Japanese", "日本語", "Jpan", "ja"),
    Language("ja-x-easy", "Easy Japanese", "やさしい にほんご", "Jpan", None),
    Language("en", "English", "English", "Latn", "en"),
    Language("zh-Hans", "Chinese (Simplified)", "简体中文", "Hans", "zh"),
    Language("zh-Hant", "Chinese (Traditional)", "繁體中文", "Hant", "zt"),
    Language("ko", "Korean", "한국어", "Kore", "ko"),
    Language("pt-BR", "Portuguese (Brazil)", "Português", "Latn", "pb"),
    Language("es", "Spanish", "Español", "Latn", "es"),
    Language("vi", "Vietnamese", "Tiếng Việt", "Latn", "vi"),
    Language("tl", "Filipino", "Filipino", "Latn", "tl"),
    Language("ne", "Nepali", "नेपाली", "Deva", "ne"),
    Language("id", "Indonesian", "Bahasa Indonesia", "Latn", "id"),
    Language("th", "Thai", "ไทย", "Thai", "th"),
    Language("my", "Burmese", "မြန်မာဘာသာ", "Mymr", "my"),
    Language("fr", "French", "Français", "Latn", "fr"),
    Language("de", "German", "Deutsch", "Latn", "de"),
    Language("ru", "Russian", "Русский", "Cyrl", "ru"),
    Language("uk", "Ukrainian", "Українська", "Cyrl", "uk"),
    Language("hi", "Hindi", "हिन्दी", "Deva", "hi"),
    Language("bn", "Bengali", "বাংলা", "Beng", "bn"),
    Language("ur", "Urdu", "اردو", "Arab", "ur", "rtl"),
    Language("ar", "Arabic", "العربية", "Arab", "ar", "rtl"),
    Language("fa", "Persian", "فارسی", "Arab", "fa", "rtl"),
    Language("tr", "Turkish", "Türkçe", "Latn", "tr"),
    Language("ms", "Malay", "Bahasa Melayu", "Latn", "ms"),
)

# The languages every vetted text (phrasebook, glossary) carries, in display order.
CENTER_LANGUAGES: tuple[str, ...] = tuple(lang.code for lang in LANGUAGES[:14])

BY_CODE: dict[str, Language] = {lang.code: lang for lang in LANGUAGES}
_BY_LOWER: dict[str, Language] = {lang.code.lower(): lang for lang in LANGUAGES}
_BY_ARGOS: dict[str, Language] = {lang.argos: lang for lang in LANGUAGES if lang.argos}


def get(code: str) -> Language | None:
    """Return the language for a BCP 47 code, matching case-insensitively."""
    return _BY_LOWER.get(code.strip().lower()) if code else None


def normalize(code: str) -> str | None:
    """Return the registry spelling of a code (``zh-hans`` → ``zh-Hans``) or None if unknown."""
    lang = get(code)
    return lang.code if lang else None


def from_argos(argos_code: str) -> Language | None:
    """Return the registry language of an Argos code (``zt`` → zh-Hant)."""
    return _BY_ARGOS.get(argos_code)
