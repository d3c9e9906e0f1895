"""The real zh→en OPUS-MT package: sensible English, and the same output as argostranslate.

Skipped unless TAGENGO_TEST_ARGOS_MODEL names translate-zh_en-1_9.argosmodel.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from translations.mt import ArgosEngine, InstalledPackage, split_sentences

TEXTS = [
    "地震发生后请立即前往避难所。",
    "供水车下午三点到达学校。",
    "海啸警报已发布！请马上撤离到高处。",
    "余震可能持续，请远离倒塌的建筑物。\n避难所提供饮用水和毛毯。",
    "如果您需要翻译，请到前台咨询。外国居民咨询窗口每天上午9点至下午5点开放。",
]


def test_disaster_sentences_come_out_as_english(real_engine: ArgosEngine) -> None:
    results = real_engine.translate(TEXTS, "zh", "en")
    texts = [r.text.lower() for r in results]
    assert {r.model for r in results} == {"zh→en 1.9"}
    assert "earthquake" in texts[0]
    assert "shelter" in texts[0]
    assert "water" in texts[1]
    assert "school" in texts[1]
    assert "tsunami" in texts[2]
    assert "evacuate" in texts[2]
    # Two sentences on two lines stay two lines.
    first, second = texts[3].split("\n")
    assert "building" in first
    assert "water" in second
    assert "blanket" in second
    assert "9" in texts[4]
    assert "5" in texts[4]


@pytest.fixture
def argos_translate(
    real_package: InstalledPackage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[str, str, str], str]]:
    """Return argostranslate.translate.translate set up offline over the real package."""
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(tmp_path / name))  # argostranslate makes folders on import
    from argostranslate import settings
    from argostranslate import translate as argos

    # Argos's sentence splitter downloads a model on first use: give it ours instead.
    class Splitter:
        def __init__(self, pkg: Any) -> None:
            self.lang = pkg.from_code

        def split_sentences(self, text: str) -> list[str]:
            return list(split_sentences(text, self.lang).sentences)

    monkeypatch.setattr(settings, "package_dirs", [real_package.path.parent])
    monkeypatch.setattr(settings, "model_provider", settings.ModelProvider.OPENNMT)
    monkeypatch.setattr(settings, "chunk_type", settings.ChunkType.ARGOSTRANSLATE)
    monkeypatch.setattr(settings, "device", "cpu")
    monkeypatch.setattr(settings, "beam_size", 4)
    monkeypatch.setattr(settings, "batch_size", 32)
    monkeypatch.setattr(settings, "intra_threads", 1)
    monkeypatch.setattr(argos, "MiniSBDSentencizer", Splitter)
    monkeypatch.setattr(argos, "installed_translates", [])
    argos.get_installed_languages.cache_clear()
    yield argos.translate
    argos.get_installed_languages.cache_clear()


def test_batched_output_equals_argostranslate(
    real_package: InstalledPackage,
    make_engine: Callable[..., ArgosEngine],
    argos_translate: Callable[[str, str, str], str],
) -> None:
    # argostranslate runs one sentence per call, unpadded; the engine's default pads each
    # sentence to its length bucket (same output whatever shares the batch, not always the
    # unpadded one: "3:00 p.m." against "3 p.m." on some CPUs). With exact token counts no
    # sentence is padded, so the decoding options alone decide, and they must be Argos's.
    engine = make_engine(real_package.path.parent, length_bucket=1)
    sentences = [s for text in TEXTS for s in split_sentences(text, "zh").sentences]
    # Ours: every sentence in one round of calls. Theirs: one sentence per call.
    ours = [r.text for r in engine.translate(sentences, "zh", "en")]
    theirs = [argos_translate(sentence, "zh", "en") for sentence in sentences]
    assert ours == theirs
    # Whole texts as well: same sentences, same joining.
    assert [r.text for r in engine.translate(TEXTS, "zh", "en")] == [
        argos_translate(text, "zh", "en") for text in TEXTS
    ]
