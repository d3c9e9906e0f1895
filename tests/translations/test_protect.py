"""Glossary protection: terms, times, phones, URLs and places survive machine translation."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from translations import protect


def test_terms_literals_and_places_become_placeholders() -> None:
    shielded = protect.protect(
        "罹灾证明书的申请从15:00开始，请拨打0120-123-456或访问https://city.example/r。",
        "zh-Hans",
        [("罹灾证明书（房屋受损证明）", "damage certificate"), ("地震", "earthquake")],
        places=[("第一小学", "Daiichi School")],
    )
    assert "罹灾证明书" not in shielded.text and "15:00" not in shielded.text
    assert "0120-123-456" not in shielded.text and "https://" not in shielded.text
    assert sorted(shielded.replacements.values()) == sorted(
        ["damage certificate", "15:00", "0120-123-456", "https://city.example/r"]
    )
    translated = " ".join(shielded.replacements)  # as if the model copied every placeholder
    assert protect.restore(translated, shielded) == " ".join(shielded.replacements.values())


def test_short_cjk_terms_are_left_to_the_model() -> None:
    shielded = protect.protect("地震后请小心雷。", "zh-Hans", [("地震", "earthquake"), ("雷", "x")])
    assert shielded.text == "地震后请小心雷。" and not shielded.replacements


def test_latin_terms_match_whole_words_only() -> None:
    shielded = protect.protect("The shelters shelter people.", "en", [("shelter", "hinanjo")])
    assert shielded.text.count("TERM") == 1 and "shelters" in shielded.text


def test_lost_or_doubled_placeholder_is_detected() -> None:
    shielded = protect.protect("请前往避难所。", "zh-Hans", [("避难所", "evacuation shelter")])
    assert protect.restore("Please go.", shielded) is None
    assert protect.restore("TERM1 TERM1", shielded) is None
    assert protect.restore("TERM1 now.", shielded) == "Evacuation shelter now."


def test_text_already_holding_a_placeholder_is_not_touched() -> None:
    shielded = protect.protect("TERM1 避难所", "zh-Hans", [("避难所", "shelter")])
    assert shielded.text == "TERM1 避难所" and not shielded.replacements


@pytest.mark.skipif(
    not os.environ.get("TAGENGO_TEST_ARGOS_MODEL"),
    reason="set TAGENGO_TEST_ARGOS_MODEL to a real zh→en .argosmodel",
)
def test_real_model_keeps_glossary_terms_times_and_phones(tmp_path: Path) -> None:
    from translations.machine import ArgosTranslator
    from translations.mt import ArgosEngine, EngineSettings, install

    install(Path(os.environ["TAGENGO_TEST_ARGOS_MODEL"]), tmp_path)
    translator = ArgosTranslator(
        ArgosEngine(EngineSettings(packages_dir=tmp_path, intra_threads=1))
    )
    texts = [
        "罹灾证明书的申请从11月25日开始。",
        "供水车15:00到达学校。请拨打0120-123-456。",
        "地震发生后，请立即前往避难所。",
    ]
    out = [r.text or "" for r in translator.translate(texts, "zh", "en")]
    # Unprotected, this model gives "certificate of death" for 罹灾证明书, "1500 hours" for 15:00.
    assert "damage certificate" in out[0].lower() and "death" not in out[0].lower()
    assert "15:00" in out[1] and "0120-123-456" in out[1]
    assert "shelter" in out[2].lower() and "earthquake" in out[2].lower()
