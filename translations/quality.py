"""The quality gate: which machine texts a person should check first, and why.

Pure: it reads what the engine measured (CTranslate2's scores, SentencePiece token counts)
and what protection saw (placeholders the model dropped), and returns a flag with reasons.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# Reason codes, stable for storage and sorting; the text is what a reviewer reads.
REASONS: dict[str, str] = {
    "placeholder_dropped": "the model dropped protected terms, so they were not enforced",
    "unchanged": "the output is the input, untranslated",
    "length_ratio": "the output is much shorter or longer than the input",
    "low_confidence": "the model was unsure of its wording",
}


@dataclass(frozen=True)
class Thresholds:
    """Where the gate draws its lines (measured on the zh→en dev set, see docs/benchmarks.md)."""

    min_log_prob: float = -0.8  # mean log-probability per output token, worst sentence
    min_ratio: float = 0.5  # output tokens / source tokens
    max_ratio: float = 2.5
    min_tokens: int = 6  # below this many source tokens the ratio says nothing


@dataclass(frozen=True)
class Gate:
    """The verdict on one machine text."""

    check_first: bool
    reasons: tuple[str, ...] = ()


def assess(
    source: str,
    output: str,
    *,
    log_prob: float | None = None,
    source_tokens: int = 0,
    output_tokens: int = 0,
    dropped: Sequence[str] = (),
    thresholds: Thresholds = Thresholds(),
) -> Gate:
    """Return whether a machine text should be checked first, with the reasons in order."""
    reasons: list[str] = []
    if dropped:
        reasons.append("placeholder_dropped")
    if source.strip() and _squash(output) == _squash(source):
        reasons.append("unchanged")
    if source_tokens >= thresholds.min_tokens:
        ratio = output_tokens / source_tokens
        if not thresholds.min_ratio <= ratio <= thresholds.max_ratio:
            reasons.append("length_ratio")
    if log_prob is not None and log_prob < thresholds.min_log_prob:
        reasons.append("low_confidence")
    return Gate(bool(reasons), tuple(reasons))


def describe(reasons: Sequence[str]) -> str:
    """Return the reviewer's text for reason codes, joined."""
    return "; ".join(REASONS.get(code, code) for code in reasons)


def _squash(text: str) -> str:
    return "".join(text.split()).casefold()
