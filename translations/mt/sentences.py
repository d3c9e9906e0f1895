"""Split text into sentences offline, keeping the separators so it can be re-joined.

Argos's own splitter downloads a model on first use, so the engine uses this one. Rules per
script: Japanese and Chinese end a sentence at 。！？ with no space after; Nepali and Hindi at
the danda ।; Burmese at ။ (၊ is a comma); Thai, which has no full stop, at a space between
two Thai letters; every script at a line break and at ``.``/``!``/``?`` followed by a space
and a word that is not lower case — but not after a title such as "Dr." or an initial.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_OPENERS = "「『（(【〔《〈“‘["
_CLOSERS = "」』）)】〕》〉”’]"
_QUOTES = "\"'»"
# Full-width marks end a sentence without a following space; the ASCII ones need one.
_STRONG = {
    "cjk": "。！？｡．!?",
    "indic": "।॥",
    "burmese": "။",
    "thai": "",
    "latin": "",
}
_WEAK = ".!?…؟۔"
_THAI = re.compile(r"[\u0e00-\u0e7f]")
# Titles and short forms that a capitalised word follows inside one sentence.
_ABBREVIATIONS = frozenset(
    {
        *("mr", "mrs", "ms", "dr", "prof", "st", "mt", "no", "nos", "jr", "sr", "vs"),
        *("approx", "dept", "tel", "fig", "ave", "inc", "ltd", "co", "e.g", "i.e"),
        *("sra", "srta", "dra", "ud", "uds", "núm", "pág", "nº"),  # es, pt
        *("tp", "tt", "jl", "bpk", "gng"),  # vi TP. (city), id Jl. (street), Bpk., tl Gng.
    }
)
# Targets whose sentences follow each other with no space.
_NO_SPACE_TARGETS = frozenset({"ja", "zh", "zt"})


@dataclass(frozen=True)
class Segmented:
    """A text cut into sentences; ``separators`` surround them (one more than sentences)."""

    sentences: tuple[str, ...]
    separators: tuple[str, ...]

    def original(self) -> str:
        """Return the exact text that was split."""
        parts = [self.separators[0]]
        for sentence, separator in zip(self.sentences, self.separators[1:], strict=True):
            parts += [sentence, separator]
        return "".join(parts)


def family(lang: str) -> str:
    """Return the splitting rules a language code uses (Argos or BCP 47 codes)."""
    base = lang.strip().lower().replace("_", "-").split("-")[0]
    if base in {"ja", "zh", "zt", "yue"}:
        return "cjk"
    if base in {"ne", "hi", "mr", "bn", "sa"}:
        return "indic"
    if base == "my":
        return "burmese"
    if base == "th":
        return "thai"
    return "latin"


def split_sentences(text: str, lang: str) -> Segmented:
    """Split ``text`` written in ``lang`` into sentences and the whitespace between them."""
    rules = family(lang)
    cuts: list[int] = []
    for line in re.finditer(r"[^\r\n]+", text):
        cuts += [line.start() + cut for cut in _line_cuts(line.group(), rules)]
        cuts.append(line.end())
    sentences: list[str] = []
    separators: list[str] = []
    pending = ""
    start = 0
    for end in [*sorted(set(cuts)), len(text)]:
        chunk, start = text[start:end], end
        body = chunk.strip()
        if not body:
            pending += chunk
            continue
        lead = len(chunk) - len(chunk.lstrip())
        separators.append(pending + chunk[:lead])
        sentences.append(body)
        pending = chunk[len(chunk.rstrip()) :]
    separators.append(pending)
    return Segmented(tuple(sentences), tuple(separators))


def join_sentences(segmented: Segmented, translated: Sequence[str], lang: str) -> str:
    """Re-join translated sentences the way ``lang`` spaces them, keeping line breaks."""
    if len(translated) != len(segmented.sentences):
        raise ValueError("one translation per sentence is required")
    glue = "" if lang.split("-")[0].lower() in _NO_SPACE_TARGETS else " "
    last = len(segmented.separators) - 1
    parts: list[str] = []
    for index, separator in enumerate(segmented.separators):
        breaks = "".join(ch for ch in separator if ch in "\r\n")
        # Source spacing (a Japanese full-width space, say) means nothing in the target.
        parts.append(breaks or ("" if index in (0, last) else glue))
        if index < len(translated):
            parts.append(translated[index])
    return "".join(parts)


def _line_cuts(line: str, rules: str) -> list[int]:
    """Return where sentences end in one line, ignoring brackets if they are unbalanced."""
    cuts = _scan(line, rules, brackets=True)
    if cuts is None:
        cuts = _scan(line, rules, brackets=False) or []
    if rules == "thai":
        cuts += _thai_cuts(line)
    return cuts


def _scan(line: str, rules: str, *, brackets: bool) -> list[int] | None:
    """Return sentence ends outside brackets, or None when the brackets do not balance."""
    cuts: list[int] = []
    depth = 0
    start = 0
    i = 0
    terminators = _STRONG[rules] + _WEAK
    while i < len(line):
        ch = line[i]
        if ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS:
            depth -= 1
        if depth < 0 and brackets:
            return None
        if ch not in terminators:
            i += 1
            continue
        outside = depth == 0
        end = i
        while end < len(line) and line[end] in terminators:
            end += 1
        after = end
        while after < len(line) and line[after] in _CLOSERS + _QUOTES:
            if line[after] in _CLOSERS:
                depth -= 1
            after += 1
        # 「…。」と言った: a Japanese quote ends inside the sentence, so CJK needs the mark
        # itself outside brackets; "(Bring ID.) Then go." ends once the bracket closes.
        top = outside if rules == "cjk" else depth <= 0
        if (top or not brackets) and _ends(line, start, i, end, after, rules):
            cuts.append(after)
            start = after
        i = after
    if brackets and depth != 0:
        return None
    return cuts


def _ends(line: str, start: int, i: int, end: int, after: int, rules: str) -> bool:
    """Tell whether the terminators at ``line[i:end]`` end the sentence begun at ``start``."""
    marks = line[i:end]
    before = line[i - 1] if i else ""
    nxt = line[after] if after < len(line) else ""
    if before.isdigit() and nxt.isdigit():
        return False  # 3.5, ３．５
    if any(ch in _STRONG[rules] for ch in marks):
        # An ASCII ? or ! inside CJK text may be part of a URL (…/?q=1).
        return not (marks.isascii() and nxt.isascii() and nxt.isalnum())
    if nxt and not nxt.isspace():
        return False
    following = line[after:].lstrip()
    if not following:
        return True
    if following[0].islower():
        return False
    if marks != ".":
        return True
    word = line[start:i].split()[-1] if line[start:i].split() else ""
    word = word.lstrip(_OPENERS + _QUOTES)
    if word.lower() in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
        return False
    # "1. Go to the gym": a list number, not a sentence.
    return not (word.isdigit() and line[start:i].strip() == word)


def _thai_cuts(line: str) -> list[int]:
    """Return the starts of spaces that separate two Thai words (Thai's sentence break)."""
    return [
        m.start()
        for m in re.finditer(r"\s+", line)
        if m.start() > 0
        and m.end() < len(line)
        and _THAI.match(line[m.start() - 1])
        and _THAI.match(line[m.end()])
    ]
