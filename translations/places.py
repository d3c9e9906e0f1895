"""Place names residents can read: Hepburn romaji of Japanese names, and one rule per language.

A shelter name or a ``{place}`` slot lands in many target texts (phrasebook sentences, machine
translations, CAP areas, the board header). ``place_for`` is the one rule for all of them:

- a name staff wrote for that language wins;
- Latin-script languages get ``Romaji (日本語)``: the romaji to read, the Japanese to show a
  passer-by or a taxi driver when asking the way;
- Chinese, Korean and Japanese readers get the Japanese (the kanji are the name on the sign);
- other scripts (Thai, Burmese, Nepali, …) get ``日本語 (Romaji)``: the Japanese matches the
  sign, the romaji is the only form their readers can sound out.

Romaji follow the convention of Japanese road and station signs: Hepburn without macrons
(long vowels written once: 小学校 → Shogakko, 交流 → Koryu), each word capitalised, particles
(の) in lower case. Plain ASCII is what a resident can type into a phone's map. ``romanize``
suggests; staff correct readings pykakasi gets wrong (本町 may be Honmachi, not Honcho).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from translations import languages
from translations.furigana import _kakasi

# Scripts whose readers read the Japanese name as it stands (kanji and kana).
_READS_JAPANESE = ("Jpan", "Hans", "Hant", "Kore")
_JAPANESE = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヶ]")
# Long vowels written once, as on signs; ii stays (Daiichi, Taiikukan), as Hepburn writes it.
_LONG = re.compile(r"aa|ee|o[ou]|uu")
_PARTICLES = frozenset({"no", "ga", "to", "wo", "ni", "he", "wa"})
# Administrative suffixes written after a hyphen on signs: 中央区 → Chuo-ku.
_SUFFIXES = (
    ("く", "ku", "区"),
    ("し", "shi", "市"),
    ("けん", "ken", "県"),
    ("と", "to", "都"),
    ("ちょうめ", "chome", "丁目"),
)
MAX_NAME = 200


@dataclass(frozen=True)
class Place:
    """A known place (a shelter): its Japanese name, romaji and names staff gave per language."""

    name_ja: str
    romaji: str = ""
    names: Mapping[str, str] = field(default_factory=dict)


def _long_vowels(word: str) -> str:
    return _LONG.sub(lambda m: m.group()[0], word)


def _word(orig: str, hepburn: str, hira: str) -> str:
    """Write one segment the way a sign does."""
    if not _JAPANESE.search(orig):
        return orig.strip()
    plain = _long_vowels(hepburn)
    for reading, latin, kanji in _SUFFIXES:
        # Two kana at least before the suffix: 都市 (toshi) is a word, not To-shi.
        stem_kana = len(hira) - len(reading)
        if orig.endswith(kanji) and stem_kana >= 2 and plain.endswith(latin):
            return f"{plain[: -len(latin)].capitalize()}-{latin}"
    return plain if plain in _PARTICLES else plain.capitalize()


def romanize(text: str) -> str:
    """Suggest the Hepburn romaji of a Japanese name (no macrons, words capitalised)."""
    words: list[str] = []
    for item in _kakasi().convert(text.strip()):
        orig, hepburn, hira = item["orig"], item["hepburn"], item["hira"]
        suffix = next((latin for _, latin, kanji in _SUFFIXES if orig.strip() == kanji), None)
        if suffix and words:
            words[-1] += f"-{suffix}"  # 川辺 + 市 → Kawabe-shi, 1 + 丁目 → 1-chome
            continue
        word = _word(orig, hepburn, hira)
        words.extend(word.split())
    return re.sub(r"\s+", " ", " ".join(words)).strip()[:MAX_NAME]


def is_japanese(text: str) -> bool:
    """Tell whether a name has Japanese script in it (a romaji form then helps)."""
    return bool(_JAPANESE.search(text))


def place_for(
    lang: str, name_ja: str, romaji: str = "", names: Mapping[str, str] | None = None
) -> str:
    """Write a place's name for readers of ``lang`` (see the module docstring for the rule)."""
    given = (names or {}).get(lang, "").strip()
    if given:
        return given
    language = languages.get(lang)
    if lang == "ja" or language is None or not is_japanese(name_ja):
        return name_ja
    if language.script in _READS_JAPANESE:
        return name_ja
    latin = romaji.strip() or romanize(name_ja)
    if not latin or latin == name_ja:
        return name_ja
    if language.script == "Latn":
        return f"{latin} ({name_ja})"
    return f"{name_ja} ({latin})"


def value_for(lang: str, value: str, known: Mapping[str, Place] | None = None) -> str:
    """Write a ``{place}`` slot value for ``lang``: a known shelter by its names, else romanised."""
    place = (known or {}).get(value.strip())
    if place is not None:
        return place_for(lang, place.name_ja, place.romaji, place.names)
    return place_for(lang, value)
