"""ArgosTranslator's retries: only the sentence whose placeholder was lost goes again."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from pathlib import Path

import pytest

from translations.machine import ArgosTranslator
from translations.mt import ArgosEngine, EngineSettings, InstalledPackage, MTResult

PLACES = [("第一小学", "Daiichi School"), ("第二小学", "Daini School")]


class DroppingEngine(ArgosEngine):
    """An engine that copies each sentence, but drops the first placeholder after 坏,
    and every ``fragile`` placeholder."""

    def __init__(self, folder: Path, fragile: str = "TERM0") -> None:
        super().__init__(EngineSettings(packages_dir=folder))
        self.calls: list[list[str]] = []
        self.fragile = fragile

    def route(self, src: str, tgt: str) -> list[InstalledPackage] | None:
        return None  # a real route: never the identity

    def translate(self, texts: Sequence[str], src: str, tgt: str) -> list[MTResult]:
        self.calls.append(list(texts))
        out = [re.sub(r"TERM\d+", "", t, count=1) if "坏" in t else t for t in texts]
        return [MTResult(re.sub(rf"\b{self.fragile}\b", "", t), "zh→en", False, 1.0) for t in out]


def test_only_the_sentence_that_lost_a_placeholder_is_translated_again(tmp_path: Path) -> None:
    engine = DroppingEngine(tmp_path)
    good, bad = ArgosTranslator(engine).translate(
        ["第一小学有水。", "第一小学开放。坏第一小学关闭。"], "zh", "en", places=PLACES
    )
    first, *again = engine.calls
    assert len(first) == 3  # every sentence once
    # Then that sentence alone: its placeholder renumbered, then its span left to the model.
    assert again == [["坏 TERM3 关闭。"], ["坏第一小学关闭。"]]
    assert good.text == "Daiichi School 有水。" and not good.reason and not good.check_first
    # The sentence that kept its placeholder is restored; the other reads as the model made it.
    assert bad.text == "Daiichi School 开放。 坏第一小学关闭。"
    assert bad.reason and "第一小学" in bad.reason
    assert bad.check_first and "placeholder_dropped" in bad.check_reasons


def test_a_sentence_that_loses_another_placeholder_goes_plain(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = DroppingEngine(tmp_path)
    with caplog.at_level(logging.INFO, logger="translations.machine"):
        (result,) = ArgosTranslator(engine).translate(
            ["第一小学有水。坏第一小学和第二小学都开放。"], "zh", "en", places=PLACES
        )
    assert [len(call) for call in engine.calls] == [2, 1, 1, 1]
    # Each round is logged with its count (benchmarks/surge.py adds them up), never the text.
    assert [r.getMessage() for r in caplog.records] == [
        f"translating again zh→en ({attempt}): 1 sentence(s) whose placeholders the model lost"
        for attempt in ("renumber", "spans", "plain")
    ]
    assert engine.calls[1] == ["坏 TERM4 和 TERM3 都开放。"]  # the lost one renumbered,
    assert engine.calls[2] == ["坏第一小学和 TERM3 都开放。"]  # then unprotected,
    assert engine.calls[3] == ["坏第一小学和第二小学都开放。"]  # then none protected
    assert result.text == "Daiichi School 有水。 坏第一小学和第二小学都开放。"
    assert result.reason and "第一小学" in result.reason and "第二小学" in result.reason


def test_a_placeholder_the_model_drops_by_its_number_is_kept_under_another(
    tmp_path: Path,
) -> None:
    engine = DroppingEngine(tmp_path, fragile="TERM1")
    (result,) = ArgosTranslator(engine).translate(["第一小学有水。"], "zh", "en", places=PLACES)
    assert engine.calls == [["TERM1 有水。"], ["TERM2 有水。"]]
    assert result.text == "Daiichi School 有水。"
    assert not result.reason and not result.check_first
