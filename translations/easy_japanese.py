"""Check やさしい日本語 (Easy Japanese) text, offline.

Operators write the Easy Japanese version of an announcement in the console; `check` tells them
what to fix while they type. Readings come from ``translations.furigana`` (re-exported here as
`furigana`, which gives boards ruby segments). Word lists and phrase patterns live in
data/easy_japanese/ so staff can extend them without touching code.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

import yaml

from translations import easy_words as words
from translations.furigana import (
    DATA_DIR,
    DIGITS,
    HIRA,
    KANJI,
    KANJI_CHAR,
    KATA,
    Piece,
    furigana,
    segment,
    to_hiragana,
)

__all__ = ["RULES", "Finding", "check", "furigana", "split_sentences"]

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
    pieces = segment(text) if "hard_word" in enabled else []
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
def _extended_lexicon(extra: frozenset[str]) -> words.Lexicon:
    """Return the easy-word lexicon plus words an operator allows (place and shelter names)."""
    if not extra:
        return words.lexicon()
    lexicon = words.Lexicon(())
    lexicon.stems = {stem: set(endings) for stem, endings in words.lexicon().stems.items()}
    lexicon.kana = set(words.lexicon().kana)
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
    kanji = len(KANJI_CHAR.findall(s.body))
    if kanji > max_kanji:
        found.append(s.finding("too_many_kanji", "warning", whole, "too_many_kanji",
                               count=kanji, limit=max_kanji))  # fmt: skip
    return found


def _pattern_findings(s: _Sentence, enabled: set[str]) -> list[Finding]:
    """Report double negatives, indirect requests and honorifics from patterns.yaml."""
    found: list[Finding] = []
    for pattern in words.patterns():
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
_REDUPLICATED = re.compile(f"([{HIRA}]{{2}}|[{KATA}]{{2}})\\1")


def _onomatopoeia_findings(s: _Sentence) -> list[Finding]:
    """Report listed mimetic words (warning) and other reduplicated kana words (info)."""
    meanings, matcher = words.onomatopoeia()
    found = [
        s.finding("onomatopoeia", "warning", m.span(), "onomatopoeia",
                  word=m.group(), meaning=meanings[m.group()])
        for m in matcher.finditer(s.body)
    ]  # fmt: skip
    listed = [(f.start - s.start, f.end - s.start) for f in found]
    for m in _REDUPLICATED.finditer(s.body):
        if to_hiragana(m.group()) in _NOT_MIMETIC or any(
            m.start() < end and start < m.end() for start, end in listed
        ):
            continue
        found.append(
            s.finding("onomatopoeia", "info", m.span(), "onomatopoeia_maybe", word=m.group())
        )
    return found


_JA_CHAR = f"{KANJI}{HIRA}{KATA}ー{DIGITS}A-Za-z"
# A space goes after a particle that follows a content word, and before ください / います.
_PARTICLE_BREAK = re.compile(
    f"(?<=[{KANJI}{KATA}ー{DIGITS}A-Za-z])"
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


def _hard_word_findings(s: _Sentence, pieces: list[Piece], lexicon: words.Lexicon) -> list[Finding]:
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


def _kanji_words(text: str, pieces: list[Piece]) -> list[tuple[int, int, int]]:
    """Join pieces into kanji words: (first kanji, after last kanji, end of its last piece)."""
    words: list[tuple[int, int, int]] = []
    for piece in pieces:
        kanji = [i for i in range(piece.start, piece.end) if KANJI_CHAR.match(text[i])]
        if not kanji:
            continue
        if words and words[-1][1] == kanji[0]:  # pykakasi split one compound (熱中|症)
            words[-1] = (words[-1][0], kanji[-1] + 1, piece.end)
        else:
            words.append((kanji[0], kanji[-1] + 1, piece.end))
    return words


def _uncovered(word: str, following: str, lexicon: words.Lexicon) -> list[tuple[int, int]]:
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
    return (
        part in words.NUMERALS
        or part in words.AFFIXES
        or (part in words.COUNTER_KANJI and before in words.NUMERALS)
    )


def _replacement(text: str, start: int, end: int) -> tuple[str | None, str | None]:
    """Find the longest replacements.txt entry written at text[start:] reaching end."""
    keys = [k for k in words.replacements() if len(k) >= end - start and text.startswith(k, start)]
    best = max(keys, key=len, default=None)
    return (words.replacements()[best], best) if best else (None, None)


_KATAKANA_WORD = re.compile(f"[{KATA}][{KATA}ー]+")


def _katakana_findings(s: _Sentence, lexicon: words.Lexicon) -> list[Finding]:
    """Report katakana loanwords that are not on the easy-word list (info)."""
    meanings, _ = words.onomatopoeia()
    return [
        s.finding("katakana_loanword", "info", m.span(), "katakana_loanword",
                  words.replacements().get(m.group()), word=m.group())
        for m in _KATAKANA_WORD.finditer(s.body)
        if m.group() not in lexicon.kana
        and m.group() not in meanings
        and not _REDUPLICATED.fullmatch(m.group())
    ]  # fmt: skip
