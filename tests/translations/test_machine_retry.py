"""ArgosTranslator's retries: only the sentence whose placeholder was lost goes again."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from translations.machine import ArgosTranslator
from translations.mt import ArgosEngine, EngineSettings, InstalledPackage, MTResult

PLACES = [("第一小学", "Daiichi School"), ("第二小学", "Daini School")]


class DroppingEngine(ArgosEngine):
    """An engine that copies each sentence, but drops the first placeholder after 坏."""

    def __init__(self, folder: Path) -> None:
        super().__init__(EngineSettings(packages_dir=folder))
        self.calls: list[list[str]] = []

    def route(self, src: str, tgt: str) -> list[InstalledPackage] | None:
        return None  # a real route: never the identity

    def translate(self, texts: Sequence[str], src: str, tgt: str) -> list[MTResult]:
        self.calls.append(list(texts))
        return [
            MTResult(re.sub(r"TERM\d+", "", t, count=1) if "坏" in t else t, "zh→en", False, 1.0)
            for t in texts
        ]


def test_only_the_sentence_that_lost_a_placeholder_is_translated_again(tmp_path: Path) -> None:
    engine = DroppingEngine(tmp_path)
    good, bad = ArgosTranslator(engine).translate(
        ["第一小学有水。", "第一小学开放。坏第一小学关闭。"], "zh", "en", places=PLACES
    )
    first, *again = engine.calls
    assert len(first) == 3  # every sentence once
    assert again == [["坏第一小学关闭。"]]  # that sentence alone, its span left to the model
    assert good.text == "Daiichi School 有水。" and not good.reason and not good.check_first
    # The sentence that kept its placeholder is restored; the other reads as the model made it.
    assert bad.text == "Daiichi School 开放。 坏第一小学关闭。"
    assert bad.reason and "第一小学" in bad.reason
    assert bad.check_first and "placeholder_dropped" in bad.check_reasons


def test_a_sentence_that_loses_another_placeholder_goes_plain(tmp_path: Path) -> None:
    engine = DroppingEngine(tmp_path)
    (result,) = ArgosTranslator(engine).translate(
        ["第一小学有水。坏第一小学和第二小学都开放。"], "zh", "en", places=PLACES
    )
    assert [len(call) for call in engine.calls] == [2, 1, 1]
    assert engine.calls[1] == ["坏第一小学和 TERM3 都开放。"]  # the lost one unprotected
    assert engine.calls[2] == ["坏第一小学和第二小学都开放。"]  # then none protected
    assert result.text == "Daiichi School 有水。 坏第一小学和第二小学都开放。"
    assert result.reason and "第一小学" in result.reason and "第二小学" in result.reason
