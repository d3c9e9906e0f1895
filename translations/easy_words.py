"""The word lists and phrase patterns behind the やさしい日本語 checker, loaded once.

Files in data/easy_japanese/: easy_words.txt (words residents with basic Japanese know),
replacements.txt (hard word -> easier wording), onomatopoeia.txt (mimetic words -> plain
meaning) and patterns.yaml (phrases to avoid). Staff extend them without touching code.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import yaml

from translations.furigana import DATA_DIR, HIRA, KANJI, KANJI_CHAR, KATA, data_lines, to_katakana

SP = "[ \u3000]*"  # optional spaces between words, as patterns.yaml writes {sp}


# Which hiragana may follow a stem whose dictionary form ends in this kana (conjugations).
CONJUGATES = {
    "う": "わいうえおっ",
    "く": "かきくけこいっ",
    "ぐ": "がぎぐげごい",
    "す": "さしすせそ",
    "つ": "たちつてとっ",
    "ぬ": "なにぬねのん",
    "ぶ": "ばびぶべぼん",
    "む": "まみむめもん",
    "る": "らりるれろっなまてたよさせ",
    "い": "いくかけさそすみめ",
}
# Lone kanji that may sit inside a compound of easy words: numbers, affixes (避難所|前), and
# counters right after a number (十|時). Any other lone kanji would let 高|台 pass as 高い + 台.
NUMERALS = frozenset("一二三四五六七八九十百千万億〇何")
AFFIXES = frozenset("前後中内外約各毎全第用等市県区町村駅")
COUNTER_KANJI = frozenset("時分秒日月年週人回階個枚台本番号歳才度件名冊匹杯倍割棟円")


class Lexicon:
    """Easy words indexed by kanji stem, with the okurigana each stem may take."""

    def __init__(self, words: Iterable[str]) -> None:
        self.stems: dict[str, set[str]] = {}
        self.kana: set[str] = set()
        for word in words:
            self.add(word)

    def add(self, word: str) -> None:
        """Index one word: kanji words by stem, kana-only words as they are."""
        kanji = [i for i, c in enumerate(word) if KANJI_CHAR.match(c)]
        if not kanji:
            self.kana.add(to_katakana(word))
            return
        self.kana.update(re.findall(f"[{KATA}][{KATA}ー]+", word))  # レベル of 警戒レベル
        tail = word[kanji[-1] + 1 :]
        okurigana = tail if re.fullmatch(f"[{HIRA}]*", tail) else ""
        self.stems.setdefault(word[kanji[0] : kanji[-1] + 1], set()).add(okurigana)

    def knows(self, stem: str, following: str | None) -> bool:
        """Say whether stem is easy; following is the hiragana after it ('' none, None any)."""
        endings = self.stems.get(stem)
        if endings is None:
            return False
        return following is None or any(fits(ending, following) for ending in endings)


def fits(okurigana: str, following: str) -> bool:
    """Say whether the kana after a stem in the text can be a form of this okurigana."""
    if not okurigana:
        return True
    if not following:
        return False
    if len(okurigana) > 1:
        return following == okurigana[0]
    return following in CONJUGATES.get(okurigana, okurigana)


@functools.cache
def lexicon() -> Lexicon:
    """Load the easy-word list."""
    return Lexicon(fields[0] for fields in data_lines("easy_words.txt"))


@functools.cache
def replacements() -> dict[str, str]:
    """Load hard word -> easier wording."""
    return {f[0]: f[1] for f in data_lines("replacements.txt") if len(f) > 1}


@functools.cache
def onomatopoeia() -> tuple[dict[str, str], re.Pattern[str]]:
    """Load mimetic words (hiragana and katakana spellings) -> plain meaning, and a matcher."""
    meanings: dict[str, str] = {}
    for fields in data_lines("onomatopoeia.txt"):
        meaning = fields[1] if len(fields) > 1 else ""
        meanings[fields[0]] = meanings[to_katakana(fields[0])] = meaning
    alternatives = sorted(meanings, key=len, reverse=True)  # longest first: ぐらっと before ぐら
    return meanings, re.compile("|".join(map(re.escape, alternatives)))


@dataclass(frozen=True)
class Pattern:
    rule: str
    severity: str
    regex: re.Pattern[str]
    message_ja: str
    message_en: str
    suggestion: str | None


@functools.cache
def patterns() -> tuple[Pattern, ...]:
    """Load and compile the phrase patterns."""
    raw: list[dict[str, Any]] = yaml.safe_load((DATA_DIR / "patterns.yaml").read_text("utf-8"))
    return tuple(
        Pattern(
            rule=entry["rule"],
            severity=entry["severity"],
            regex=re.compile(entry["pattern"].replace("{sp}", SP).replace("{kanji}", f"[{KANJI}]")),
            message_ja=entry["message_ja"],
            message_en=entry["message_en"],
            suggestion=entry.get("suggestion"),
        )
        for entry in raw
    )
