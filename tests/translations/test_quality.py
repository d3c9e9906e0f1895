"""The quality gate and the protection fixes that need no model."""

from __future__ import annotations

import pytest

from translations import glossary, protect, quality


def test_gate_passes_a_plain_good_translation() -> None:
    gate = quality.assess(
        "每人每天可领取三瓶饮用水。",
        "Each person gets three bottles of water a day.",
        log_prob=-0.3,
        source_tokens=10,
        output_tokens=12,
    )
    assert gate == quality.Gate(False, ())


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"dropped": ["通电火灾"]}, "placeholder_dropped"),
        ({"output": "请 前往 避难所。"}, "unchanged"),
        ({"source_tokens": 20, "output_tokens": 4}, "length_ratio"),
        ({"source_tokens": 10, "output_tokens": 40}, "length_ratio"),
        ({"log_prob": -1.9}, "low_confidence"),
    ],
)
def test_gate_flags_each_reason(kwargs: dict[str, object], reason: str) -> None:
    args: dict[str, object] = {"log_prob": -0.2, "source_tokens": 10, "output_tokens": 10}
    args |= kwargs
    output = str(args.pop("output", "Please go to the shelter."))
    gate = quality.assess("请前往避难所。", output, **args)  # type: ignore[arg-type]
    assert gate.check_first and gate.reasons == (reason,)
    assert quality.describe(gate.reasons) == quality.REASONS[reason]


def test_short_sources_are_not_judged_by_length() -> None:
    gate = quality.assess("清真", "halal food options", source_tokens=2, output_tokens=5)
    assert not gate.check_first


@pytest.mark.parametrize(
    ("zh", "en", "other"),
    [
        ("早上八点", "8 a.m.", "8:00"),
        ("晚上八点", "8 p.m.", "20:00"),
        ("下午三点半", "3:30 p.m.", "15:30"),
        ("中午十二点", "12 noon", "12:00"),
        ("上午10点15分", "10:15 a.m.", "10:15"),
        ("晚上十二点", "12 midnight", "0:00"),
    ],
)
def test_spoken_times_are_written_for_the_target(zh: str, en: str, other: str) -> None:
    for target, want in (("en", en), ("vi", other)):
        shielded = protect.protect(f"开放时间{zh}。", "zh-Hans", [], target=target)
        assert list(shielded.replacements.values()) == [want]
        assert list(shielded.terms.values()) == [zh]


def test_times_are_left_alone_without_a_target() -> None:
    assert not protect.protect("早上八点开门。", "zh-Hans", []).replacements


def test_always_protects_a_short_term_and_skip_leaves_one() -> None:
    terms = [("清真", "halal"), ("诈骗", "scam")]
    auto = protect.protect("清真食品，小心诈骗。", "zh-Hans", terms)
    assert not auto.replacements
    forced = protect.protect("清真食品，小心诈骗。", "zh-Hans", terms, always={"清真", "诈骗"})
    assert sorted(forced.replacements.values()) == ["halal", "scam"]
    skipped = protect.protect(
        "清真食品，小心诈骗。", "zh-Hans", terms, always={"清真", "诈骗"}, skip={"诈骗"}
    )
    assert list(skipped.replacements.values()) == ["halal"]


def test_glossary_marks_halal_and_fraud_as_always() -> None:
    always = glossary.always_protected("zh-Hans")
    assert {"清真", "诈骗"} <= always and "地震" not in always


def test_possessive_moves_off_a_gloss_and_casing_follows_the_place() -> None:
    shielded = protect.Protected(
        "x",
        {"TERM1": "disaster victim certificate (hisai shomeisho)", "TERM2": "evacuation shelter"},
        {"TERM1": "受灾证明书", "TERM2": "避难所"},
    )
    out = protect.restore("TERM1's office is in TERM2. TERM2 opens.", shielded)
    assert out is None  # TERM2 twice: a doubled placeholder is refused
    out = protect.restore("The TERM1's window is next to TERM2.", shielded)
    assert out == (
        "The disaster victim certificate's (hisai shomeisho) window is next to evacuation shelter."
    )
    out = protect.restore("Go now. TERM2 is open, see TERM1.", shielded)
    assert (
        out
        == "Go now. Evacuation shelter is open, see disaster victim certificate (hisai shomeisho)."
    )
    assert protect.lost("TERM2 only", shielded) == ["受灾证明书"]
