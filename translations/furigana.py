"""Furigana for Japanese text, offline: pykakasi readings, fixed where it misreads.

Boards show ``<ruby>`` over kanji for residents who read kana but not kanji; the console's
やさしい日本語 checker (``translations.easy_japanese``) uses the same segmentation to find
hard words. Reading fixes live in data/easy_japanese/readings.txt.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pykakasi

DATA_DIR = Path(__file__).with_name("data") / "easy_japanese"
KANJI = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々"
KANJI_CHAR = re.compile(f"[{KANJI}\U00020000-\U0002ffff]")
_RUBY_BASE = re.compile(f"[{KANJI}〆ヶ]+")  # ヶ and 〆 are read like kanji (3ヶ月, 締め)
HIRA = "\u3041-\u3096"
KATA = "\u30a1-\u30fa"
# Characters pykakasi reads; astral kanji are left out because pykakasi silently drops them.
_RUN = re.compile(f"[{KANJI}〆ヶ{HIRA}\u309d\u309e{KATA}\u30fc-\u30fe]+")
DIGITS = "0-9０-９"
_NUMBER_BEFORE = re.compile(f"[{DIGITS}][{DIGITS},，]*$")


def data_lines(name: str) -> Iterator[list[str]]:
    """Yield the tab-separated fields of each non-comment line of a data file."""
    for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            yield [field.strip() for field in line.split("\t")]


def to_hiragana(text: str) -> str:
    """Turn katakana into hiragana, leaving everything else."""
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)


def to_katakana(text: str) -> str:
    """Turn hiragana into katakana, leaving everything else."""
    return "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in text)


@functools.cache
def _readings() -> dict[str, list[tuple[str, str]]]:
    """Load reading fixes as core -> [(kana prefix, core reading)]: お金 is 金 after お."""
    fixes: dict[str, list[tuple[str, str]]] = {}
    for fields in data_lines("readings.txt"):
        prefix = re.match(f"[{HIRA}]*", fields[0]).group()  # type: ignore[union-attr]
        core_reading = fields[1].removeprefix(prefix)
        fixes.setdefault(fields[0][len(prefix) :], []).append((prefix, core_reading))
    return fixes


# --- readings -----------------------------------------------------------------------------------


@functools.cache
def _kakasi() -> Any:
    """Create the pykakasi converter on first use (it loads its dictionaries, ~0.7 s)."""
    # pykakasi keeps its dictionaries in lock-guarded singletons and only reads them while
    # converting, so one converter serves every thread.
    return pykakasi.kakasi()  # type: ignore[no-untyped-call]


# Counter kanji read after a digit (10時, 2階); pykakasi reads them alone as words (時 = とき).
_COUNTERS = {
    "時間": "じかん", "時半": "じはん", "時": "じ", "分間": "ふんかん", "分": "ふん",
    "秒": "びょう", "日間": "にちかん", "日": "にち", "か月": "かげつ", "ヶ月": "かげつ",
    "カ月": "かげつ", "月": "がつ", "年間": "ねんかん", "年": "ねん", "週間": "しゅうかん",
    "週": "しゅう", "人": "にん", "回": "かい", "階": "かい", "個": "こ", "枚": "まい",
    "台": "だい", "本": "ほん", "番地": "ばんち", "番": "ばん", "号館": "ごうかん",
    "号室": "ごうしつ", "号": "ごう", "歳": "さい", "才": "さい", "度": "ど", "件": "けん",
    "名": "めい", "冊": "さつ", "匹": "ひき", "杯": "はい", "倍": "ばい", "割": "わり",
    "棟": "とう", "丁目": "ちょうめ", "円": "えん", "万": "まん", "億": "おく",
    "強": "きょう", "弱": "じゃく", "か所": "かしょ", "箇所": "かしょ",
}  # fmt: skip
_COUNTER_KEYS = sorted(_COUNTERS, key=len, reverse=True)
_DAYS_READ_KA = {"2", "3", "4", "5", "6", "7", "8", "9", "10", "14", "20", "24"}  # 3日 = みっか
_HANDAKU = {"本": "ぽん", "匹": "ぴき", "杯": "ぱい"}  # 1本 = いっぽん
_DAKU = {"本": "ぼん", "匹": "びき", "杯": "ばい"}  # 3本 = さんぼん
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789", ",，")


def _counter_reading(counter: str, number: str) -> str:
    """Read a counter after a number, with the sound changes the number causes."""
    reading, last = _COUNTERS[counter], number[-1]
    if counter.startswith("分") and last in "134680":
        return "ぷん" + reading[2:]
    if counter in _HANDAKU and last in "1680":
        return _HANDAKU[counter]
    if counter in _DAKU and last == "3":
        return _DAKU[counter]
    if counter == "階" and last == "3":
        return "がい"
    if counter.startswith("日") and number.lstrip("0") in _DAYS_READ_KA:
        return "か" + reading[2:]
    if counter == "人" and number in ("1", "2"):
        return "り"  # ひと・り, ふた・り: the number carries the rest
    return reading


@functools.lru_cache(maxsize=4096)
def _read_run(run: str, number: str) -> tuple[tuple[int, int, str], ...]:
    """Split a run of Japanese script into (start, end, hiragana) pieces; number precedes it."""
    pieces: list[tuple[int, int, str]] = []
    pos = 0
    counter = next((c for c in _COUNTER_KEYS if run.startswith(c)), None) if number else None
    if counter:
        pieces.append((0, len(counter), _counter_reading(counter, number)))
        pos = len(counter)
    if pos < len(run):
        rest = run[pos:]
        converted = [(item["orig"], item["hira"]) for item in _kakasi().convert(rest)]
        if "".join(orig for orig, _ in converted) != rest:
            # pykakasi changed the text: give no reading rather than a misplaced one.
            converted = [(rest, "")]
        for orig, hira in converted:
            pieces.append((pos, pos + len(orig), hira))
            pos += len(orig)
    return tuple(_fix_readings(run, pieces, after_number=bool(number)))


_KANJI_NUMBER_HOUR = re.compile("[〇一二三四五六七八九十]+時")


def _fix_readings(
    run: str, pieces: list[tuple[int, int, str]], *, after_number: bool
) -> Iterator[tuple[int, int, str]]:
    """Apply readings.txt where a word starts, and read 十時 as じゅうじ, not ととき."""
    fixes, i = _readings(), 0
    while i < len(pieces):
        fixed = None
        for size in range(min(3, len(pieces) - i), 0, -1):
            start, end = pieces[i][0], pieces[i + size - 1][1]
            for prefix, reading in fixes.get(run[start:end], ()):
                if run.endswith(prefix, 0, start) and _word_starts(
                    run, start - len(prefix), after_number
                ):
                    fixed = (start, end, reading)
                    break
            if fixed:
                yield fixed
                i += size
                break
        if fixed is None:
            start, end, reading = pieces[i]
            if _KANJI_NUMBER_HOUR.fullmatch(run[start:end]) and reading.endswith("とき"):
                reading = reading[:-2] + "じ"
            yield start, end, reading
            i += 1


def _word_starts(run: str, pos: int, after_number: bool) -> bool:
    """Say whether a word can start at run[pos]: not right after a kanji or a number."""
    if pos == 0:
        return not after_number
    return not KANJI_CHAR.match(run[pos - 1])


@dataclass(frozen=True)
class Piece:
    start: int
    end: int
    reading: str | None


def segment(text: str) -> list[Piece]:
    """Segment every kanji-bearing run of text into pieces with readings (offsets in text)."""
    pieces: list[Piece] = []
    for run in _RUN.finditer(text):
        if not KANJI_CHAR.search(run.group()):
            continue
        before = _NUMBER_BEFORE.search(text[max(0, run.start() - 24) : run.start()])
        number = before.group().translate(_FULLWIDTH_DIGITS) if before else ""
        for start, end, reading in _read_run(run.group(), number):
            pieces.append(Piece(run.start() + start, run.start() + end, reading or None))
    return pieces


def _ruby(base: str, reading: str | None) -> list[tuple[str, str | None]]:
    """Split base into kanji parts with readings and kana parts without, matching the reading."""
    if not reading or not _RUBY_BASE.search(base):
        return [(base, None)]
    parts = [p for p in re.split(f"([{KANJI}〆ヶ]+)", base) if p]
    is_kanji = [bool(_RUBY_BASE.fullmatch(p)) for p in parts]
    pattern = "".join(
        "(.+?)" if kanji else f"({re.escape(to_hiragana(p))})"
        for p, kanji in zip(parts, is_kanji, strict=True)
    )
    match = re.fullmatch(pattern, reading)
    if match is None:
        return [(base, reading)]  # the kana do not line up: one ruby over the whole piece
    return [
        (p, match.group(n + 1) if kanji else None)
        for n, (p, kanji) in enumerate(zip(parts, is_kanji, strict=True))
    ]


def furigana(text: str) -> list[tuple[str, str | None]]:
    """Return (base, hiragana reading or None) segments; only kanji get a reading."""
    segments: list[tuple[str, str | None]] = []

    def add(base: str, reading: str | None) -> None:
        if reading is None and segments and segments[-1][1] is None:
            segments[-1] = (segments[-1][0] + base, None)
        elif base:
            segments.append((base, reading))

    pos = 0
    for piece in segment(text):
        add(text[pos : piece.start], None)
        for base, reading in _ruby(text[piece.start : piece.end], piece.reading):
            add(base, reading)
        pos = piece.end
    add(text[pos:], None)
    return segments
