"""Check やさしい日本語 (Easy Japanese) text and add furigana, offline, with pykakasi.

Operators write the Easy Japanese version of an announcement in the console; `check` tells them
what to fix while they type and `furigana` gives boards ruby segments. Word lists and phrase
patterns live in data/easy_japanese/ so staff can extend them without touching code.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pykakasi
import yaml

DATA_DIR = Path(__file__).with_name("data") / "easy_japanese"
RULES = (
    "sentence_too_long",
    "too_many_kanji",
    "hard_word",
    "double_negative",
    "onomatopoeia",
    "request_form",
    "honorific",
    "no_word_spacing",
    "katakana_loanword",
)

_KANJI = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々"
_KANJI_CHAR = re.compile(f"[{_KANJI}\U00020000-\U0002ffff]")
_RUBY_BASE = re.compile(f"[{_KANJI}〆ヶ]+")  # ヶ and 〆 are read like kanji (3ヶ月, 締め)
_HIRA = "\u3041-\u3096"
_KATA = "\u30a1-\u30fa"
# Characters pykakasi reads; astral kanji are left out because pykakasi silently drops them.
_RUN = re.compile(f"[{_KANJI}〆ヶ{_HIRA}\u309d\u309e{_KATA}\u30fc-\u30fe]+")
_DIGITS = "0-9０-９"
_NUMBER_BEFORE = re.compile(f"[{_DIGITS}][{_DIGITS},，]*$")
_SP = "[ \u3000]*"
_ENDERS = "。！？!?"
_CLOSERS = "」』）)】］]"


@dataclass(frozen=True)
class Finding:
    """One problem in an Easy Japanese text; `suggestion` replaces text[start:end]."""

    rule: str
    severity: str
    sentence: int
    start: int
    end: int
    message_ja: str
    message_en: str
    suggestion: str | None = None


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return (start, end) of each sentence: up to 。！？!? (and closing brackets) or a newline."""
    spans: list[tuple[int, int]] = []
    start = i = 0
    while i < len(text):
        if text[i] in "\r\n":
            _add_span(spans, text, start, i)
            start = i = i + 1
        elif text[i] in _ENDERS:
            i += 1
            while i < len(text) and text[i] in _ENDERS + _CLOSERS:
                i += 1
            _add_span(spans, text, start, i)
            start = i
        else:
            i += 1
    _add_span(spans, text, start, len(text))
    return spans


def _add_span(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    """Append text[start:end] trimmed of whitespace, unless nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append((start, end))


# --- data -------------------------------------------------------------------------------------


def _lines(name: str) -> Iterator[list[str]]:
    """Yield the tab-separated fields of each non-comment line of a data file."""
    for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            yield [field.strip() for field in line.split("\t")]


def _to_hiragana(text: str) -> str:
    """Turn katakana into hiragana, leaving everything else."""
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)


def _to_katakana(text: str) -> str:
    """Turn hiragana into katakana, leaving everything else."""
    return "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in text)


# Which hiragana may follow a stem whose dictionary form ends in this kana (conjugations).
_CONJUGATES = {
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
_NUMERALS = frozenset("一二三四五六七八九十百千万億〇何")
_AFFIXES = frozenset("前後中内外約各毎全第用等市県区町村駅")
_COUNTER_KANJI = frozenset("時分秒日月年週人回階個枚台本番号歳才度件名冊匹杯倍割棟円")


class _Lexicon:
    """Easy words indexed by kanji stem, with the okurigana each stem may take."""

    def __init__(self, words: Iterable[str]) -> None:
        self.stems: dict[str, set[str]] = {}
        self.kana: set[str] = set()
        for word in words:
            self.add(word)

    def add(self, word: str) -> None:
        """Index one word: kanji words by stem, kana-only words as they are."""
        kanji = [i for i, c in enumerate(word) if _KANJI_CHAR.match(c)]
        if not kanji:
            self.kana.add(_to_katakana(word))
            return
        self.kana.update(re.findall(f"[{_KATA}][{_KATA}ー]+", word))  # レベル of 警戒レベル
        tail = word[kanji[-1] + 1 :]
        okurigana = tail if re.fullmatch(f"[{_HIRA}]*", tail) else ""
        self.stems.setdefault(word[kanji[0] : kanji[-1] + 1], set()).add(okurigana)

    def knows(self, stem: str, following: str | None) -> bool:
        """Say whether stem is easy; following is the hiragana after it ('' none, None any)."""
        endings = self.stems.get(stem)
        if endings is None:
            return False
        return following is None or any(_fits(ending, following) for ending in endings)


def _fits(okurigana: str, following: str) -> bool:
    """Say whether the kana after a stem in the text can be a form of this okurigana."""
    if not okurigana:
        return True
    if not following:
        return False
    if len(okurigana) > 1:
        return following == okurigana[0]
    return following in _CONJUGATES.get(okurigana, okurigana)


@functools.cache
def _lexicon() -> _Lexicon:
    """Load the easy-word list."""
    return _Lexicon(fields[0] for fields in _lines("easy_words.txt"))


@functools.cache
def _replacements() -> dict[str, str]:
    """Load hard word -> easier wording."""
    return {f[0]: f[1] for f in _lines("replacements.txt") if len(f) > 1}


@functools.cache
def _onomatopoeia() -> tuple[dict[str, str], re.Pattern[str]]:
    """Load mimetic words (hiragana and katakana spellings) -> plain meaning, and a matcher."""
    meanings: dict[str, str] = {}
    for fields in _lines("onomatopoeia.txt"):
        meaning = fields[1] if len(fields) > 1 else ""
        meanings[fields[0]] = meanings[_to_katakana(fields[0])] = meaning
    alternatives = sorted(meanings, key=len, reverse=True)  # longest first: ぐらっと before ぐら
    return meanings, re.compile("|".join(map(re.escape, alternatives)))


@functools.cache
def _readings() -> dict[str, list[tuple[str, str]]]:
    """Load reading fixes as core -> [(kana prefix, core reading)]: お金 is 金 after お."""
    fixes: dict[str, list[tuple[str, str]]] = {}
    for fields in _lines("readings.txt"):
        prefix = re.match(f"[{_HIRA}]*", fields[0]).group()  # type: ignore[union-attr]
        core_reading = fields[1].removeprefix(prefix)
        fixes.setdefault(fields[0][len(prefix) :], []).append((prefix, core_reading))
    return fixes


@dataclass(frozen=True)
class _Pattern:
    rule: str
    severity: str
    regex: re.Pattern[str]
    message_ja: str
    message_en: str
    suggestion: str | None


@functools.cache
def _patterns() -> tuple[_Pattern, ...]:
    """Load and compile the phrase patterns."""
    raw: list[dict[str, Any]] = yaml.safe_load((DATA_DIR / "patterns.yaml").read_text("utf-8"))
    return tuple(
        _Pattern(
            rule=entry["rule"],
            severity=entry["severity"],
            regex=re.compile(
                entry["pattern"].replace("{sp}", _SP).replace("{kanji}", f"[{_KANJI}]")
            ),
            message_ja=entry["message_ja"],
            message_en=entry["message_en"],
            suggestion=entry.get("suggestion"),
        )
        for entry in raw
    )


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
    return not _KANJI_CHAR.match(run[pos - 1])


@dataclass(frozen=True)
class _Piece:
    start: int
    end: int
    reading: str | None


def _pieces(text: str) -> list[_Piece]:
    """Segment every kanji-bearing run of text into pieces with readings (offsets in text)."""
    pieces: list[_Piece] = []
    for run in _RUN.finditer(text):
        if not _KANJI_CHAR.search(run.group()):
            continue
        before = _NUMBER_BEFORE.search(text[max(0, run.start() - 24) : run.start()])
        number = before.group().translate(_FULLWIDTH_DIGITS) if before else ""
        for start, end, reading in _read_run(run.group(), number):
            pieces.append(_Piece(run.start() + start, run.start() + end, reading or None))
    return pieces


def _ruby(base: str, reading: str | None) -> list[tuple[str, str | None]]:
    """Split base into kanji parts with readings and kana parts without, matching the reading."""
    if not reading or not _RUBY_BASE.search(base):
        return [(base, None)]
    parts = [p for p in re.split(f"([{_KANJI}〆ヶ]+)", base) if p]
    is_kanji = [bool(_RUBY_BASE.fullmatch(p)) for p in parts]
    pattern = "".join(
        "(.+?)" if kanji else f"({re.escape(_to_hiragana(p))})"
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
    for piece in _pieces(text):
        add(text[pos : piece.start], None)
        for base, reading in _ruby(text[piece.start : piece.end], piece.reading):
            add(base, reading)
        pos = piece.end
    add(text[pos:], None)
    return segments


# --- checks -------------------------------------------------------------------------------------


def check(
    text: str,
    *,
    max_chars: int = 30,
    max_kanji: int = 5,
    allowed_words: Iterable[str] = (),
    rules: Collection[str] | None = None,
) -> list[Finding]:
    """Find what makes text hard for Easy Japanese readers; allowed_words adds place names etc."""
    enabled = set(RULES if rules is None else rules)
    if unknown := enabled - set(RULES):
        raise ValueError(f"unknown rules: {sorted(unknown)}")
    lexicon = _extended_lexicon(frozenset(allowed_words))
    pieces = _pieces(text) if "hard_word" in enabled else []
    starts = [piece.start for piece in pieces]
    findings: list[Finding] = []
    for index, (start, end) in enumerate(split_sentences(text)):
        s = _Sentence(text, index, start, end)
        own = pieces[bisect.bisect_left(starts, start) : bisect.bisect_left(starts, end)]
        findings += _length_findings(s, max_chars, max_kanji)
        findings += _pattern_findings(s, enabled)
        findings += _onomatopoeia_findings(s)
        findings += _spacing_findings(s)
        findings += _hard_word_findings(s, own, lexicon)
        findings += _katakana_findings(s, lexicon)
    kept = [f for f in findings if f.rule in enabled]
    return sorted(kept, key=lambda f: (f.start, f.end, f.rule))


@functools.cache
def _messages() -> dict[str, dict[str, str]]:
    """Load the messages of the checks written in code."""
    messages: dict[str, dict[str, str]] = yaml.safe_load(
        (DATA_DIR / "messages.yaml").read_text("utf-8")
    )
    return messages


@dataclass(frozen=True)
class _Sentence:
    text: str  # the whole text, so that offsets stay in the original
    index: int
    start: int
    end: int

    @property
    def body(self) -> str:
        return self.text[self.start : self.end]

    def finding(
        self,
        rule: str,
        severity: str,
        span: tuple[int, int],
        message: str | tuple[str, str],
        suggestion: str | None = None,
        **values: object,
    ) -> Finding:
        """Make a finding for body[span]; message is a messages.yaml key or a (ja, en) pair."""
        if isinstance(message, str):
            texts = _messages()[message]
            message = (texts["ja"].format(**values), texts["en"].format(**values))
        return Finding(
            rule, severity, self.index, self.start + span[0], self.start + span[1], *message,
            suggestion=suggestion,
        )  # fmt: skip


@functools.lru_cache(maxsize=32)
def _extended_lexicon(extra: frozenset[str]) -> _Lexicon:
    """Return the easy-word lexicon plus words an operator allows (place and shelter names)."""
    if not extra:
        return _lexicon()
    lexicon = _Lexicon(())
    lexicon.stems = {stem: set(endings) for stem, endings in _lexicon().stems.items()}
    lexicon.kana = set(_lexicon().kana)
    for word in extra:
        lexicon.add(word)
    return lexicon


def _length_findings(s: _Sentence, max_chars: int, max_kanji: int) -> list[Finding]:
    """Report a sentence that is too long (spaces not counted) or holds too many kanji."""
    found: list[Finding] = []
    whole = (0, len(s.body))
    chars = sum(1 for c in s.body if not c.isspace())
    if chars > max_chars:
        found.append(s.finding("sentence_too_long", "warning", whole, "sentence_too_long",
                               count=chars, limit=max_chars))  # fmt: skip
    kanji = len(_KANJI_CHAR.findall(s.body))
    if kanji > max_kanji:
        found.append(s.finding("too_many_kanji", "warning", whole, "too_many_kanji",
                               count=kanji, limit=max_kanji))  # fmt: skip
    return found


def _pattern_findings(s: _Sentence, enabled: set[str]) -> list[Finding]:
    """Report double negatives, indirect requests and honorifics from patterns.yaml."""
    found: list[Finding] = []
    for pattern in _patterns():
        if pattern.rule not in enabled:
            continue  # a disabled entry must not hide a later, enabled one
        for match in pattern.regex.finditer(s.body):
            start, end = match.span()
            if start == end or any(
                start < f.end - s.start and f.start - s.start < end for f in found
            ):
                continue  # an earlier, more specific entry already explains this text
            suggestion = match.expand(pattern.suggestion) if pattern.suggestion else None
            message = (pattern.message_ja, pattern.message_en)
            found.append(
                s.finding(pattern.rule, pattern.severity, (start, end), message, suggestion)
            )
    return found


# Reduplicated words that are ordinary adverbs, not onomatopoeia.
_NOT_MIMETIC = frozenset(
    ["いろいろ", "そろそろ", "だんだん", "まだまだ", "もともと", "ますます", "しばしば",
     "たびたび", "なかなか", "わざわざ", "いよいよ", "もしもし", "まあまあ", "はいはい"]
)  # fmt: skip
_REDUPLICATED = re.compile(f"([{_HIRA}]{{2}}|[{_KATA}]{{2}})\\1")


def _onomatopoeia_findings(s: _Sentence) -> list[Finding]:
    """Report listed mimetic words (warning) and other reduplicated kana words (info)."""
    meanings, matcher = _onomatopoeia()
    found = [
        s.finding("onomatopoeia", "warning", m.span(), "onomatopoeia",
                  word=m.group(), meaning=meanings[m.group()])
        for m in matcher.finditer(s.body)
    ]  # fmt: skip
    listed = [(f.start - s.start, f.end - s.start) for f in found]
    for m in _REDUPLICATED.finditer(s.body):
        if _to_hiragana(m.group()) in _NOT_MIMETIC or any(
            m.start() < end and start < m.end() for start, end in listed
        ):
            continue
        found.append(
            s.finding("onomatopoeia", "info", m.span(), "onomatopoeia_maybe", word=m.group())
        )
    return found


_JA_CHAR = f"{_KANJI}{_HIRA}{_KATA}ー{_DIGITS}A-Za-z"
# A space goes after a particle that follows a content word, and before ください / います.
_PARTICLE_BREAK = re.compile(
    f"(?<=[{_KANJI}{_KATA}ー{_DIGITS}A-Za-z])"
    "(による|について|として|からの|までの|から|まで|より|には|では|へは|とは|にも|でも|とも"
    "|への|での|との|[はがをにへとものや]|で(?![すし]))"  # not the で of です / でした
    f"(?=[{_JA_CHAR}])|(を)(?=[{_JA_CHAR}])"  # を is a particle after anything
)
_CONJUNCTION_BREAK = re.compile(f"(ので|けれど|けど|のに)(?=[{_JA_CHAR}])")
_AUXILIARY_BREAK = re.compile("(?<=[てで])(?=ください|下さい|います|いました|いません)")


def _with_spaces(sentence: str) -> str:
    """Insert a space after each phrase, roughly: after particles and before ください."""
    spaced = _PARTICLE_BREAK.sub(lambda m: m.group() + " ", sentence)
    spaced = _CONJUNCTION_BREAK.sub(r"\1 ", spaced)
    return _AUXILIARY_BREAK.sub(" ", spaced)


def _spacing_findings(s: _Sentence) -> list[Finding]:
    """Report a sentence written without any space between phrases (分かち書き)."""
    if any(c.isspace() for c in s.body) or (spaced := _with_spaces(s.body)) == s.body:
        return []
    return [s.finding("no_word_spacing", "info", (0, len(s.body)), "no_word_spacing", spaced)]


def _hard_word_findings(s: _Sentence, pieces: list[_Piece], lexicon: _Lexicon) -> list[Finding]:
    """Report kanji words, or the parts of compounds, that are not on the easy-word list."""
    text, found = s.text, []
    for start, end, piece_end in _kanji_words(text, pieces):
        following = text[end] if end < len(text) and "ぁ" <= text[end] <= "ゖ" else ""
        for a, b in _uncovered(text[start:end], following, lexicon):
            first, last = start + a, start + b
            shown = text[first : piece_end if last == end else last]  # with its okurigana
            suggestion, key = _replacement(text, first, last)
            if key:  # the suggestion replaces the whole entry (直ちに -> すぐに)
                shown, last = key, first + len(key)
            span = (first - s.start, last - s.start)
            message = "hard_word_with_suggestion" if suggestion else "hard_word"
            found.append(s.finding("hard_word", "warning", span, message, suggestion,
                                   word=shown, easier=suggestion))  # fmt: skip
    return found


def _kanji_words(text: str, pieces: list[_Piece]) -> list[tuple[int, int, int]]:
    """Join pieces into kanji words: (first kanji, after last kanji, end of its last piece)."""
    words: list[tuple[int, int, int]] = []
    for piece in pieces:
        kanji = [i for i in range(piece.start, piece.end) if _KANJI_CHAR.match(text[i])]
        if not kanji:
            continue
        if words and words[-1][1] == kanji[0]:  # pykakasi split one compound (熱中|症)
            words[-1] = (words[-1][0], kanji[-1] + 1, piece.end)
        else:
            words.append((kanji[0], kanji[-1] + 1, piece.end))
    return words


def _uncovered(word: str, following: str, lexicon: _Lexicon) -> list[tuple[int, int]]:
    """Return the spans of word not made of easy words; a compound of easy words is fine."""
    if lexicon.knows(word, following):
        return []
    n = len(word)
    # Fewest uncovered characters over all splits into easy words (back[j] = (i, covered)).
    cost, back = [0] + [n + 1] * n, [(0, False)] * (n + 1)
    for i in range(n):
        steps = [(i + 1, 1, False)]
        for j in range(i + 1, n + 1):
            part = word[i:j]
            if _joins_compound(part, word[i - 1 : i]) or (
                len(part) > 1 and lexicon.knows(part, following if j == n else None)
            ):
                steps.append((j, 0, True))
        for j, extra, covered in steps:
            if cost[i] + extra < cost[j]:
                cost[j], back[j] = cost[i] + extra, (i, covered)
    spans: list[tuple[int, int]] = []
    j = n
    while j > 0:
        i, covered = back[j]
        if not covered and spans and spans[0][0] == j:
            spans[0] = (i, spans[0][1])
        elif not covered:
            spans.insert(0, (i, j))
        j = i
    return spans


def _joins_compound(part: str, before: str) -> bool:
    """Say whether a lone kanji may sit inside a compound of easy words."""
    return part in _NUMERALS or part in _AFFIXES or (part in _COUNTER_KANJI and before in _NUMERALS)


def _replacement(text: str, start: int, end: int) -> tuple[str | None, str | None]:
    """Find the longest replacements.txt entry written at text[start:] reaching end."""
    keys = [k for k in _replacements() if len(k) >= end - start and text.startswith(k, start)]
    best = max(keys, key=len, default=None)
    return (_replacements()[best], best) if best else (None, None)


_KATAKANA_WORD = re.compile(f"[{_KATA}][{_KATA}ー]+")


def _katakana_findings(s: _Sentence, lexicon: _Lexicon) -> list[Finding]:
    """Report katakana loanwords that are not on the easy-word list (info)."""
    meanings, _ = _onomatopoeia()
    return [
        s.finding("katakana_loanword", "info", m.span(), "katakana_loanword",
                  _replacements().get(m.group()), word=m.group())
        for m in _KATAKANA_WORD.finditer(s.body)
        if m.group() not in lexicon.kana
        and m.group() not in meanings
        and not _REDUPLICATED.fullmatch(m.group())
    ]  # fmt: skip
