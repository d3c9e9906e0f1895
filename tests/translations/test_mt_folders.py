"""CTranslate2 model folders (OPUS-MT/Marian, quickmt, single SentencePiece, NLLB/M2M-100)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from translations.mt import ArgosEngine, ModelError, install, list_installed, remove
from translations.mt.folders import detect, install_folder, install_multilingual
from translations.mt.tiny import FOLDER_LAYOUTS, build_tiny_folder, build_tiny_multilingual

Tiny = Callable[..., Path]
MakeEngine = Callable[..., ArgosEngine]
ES_EN = {"agua": "water", "refugio": "shelter"}


@pytest.mark.parametrize("layout", sorted(FOLDER_LAYOUTS))
def test_each_layout_installs_and_translates(
    layout: str, tmp_path: Path, packages_dir: Path, make_engine: MakeEngine
) -> None:
    folder = build_tiny_folder(tmp_path / layout, "es", "en", ES_EN, layout=layout)
    assert detect(folder).name == layout
    package = install_folder(folder, packages_dir, "es", "en", version="2.1")
    assert (package.kind, package.label) == ("ct2", "es→en 2.1 (ct2)")
    meta = json.loads((package.path / "metadata.json").read_text())
    assert meta["tagengo_layout"] == layout
    assert ("target_spm" in meta) == (len(FOLDER_LAYOUTS[layout]) == 2)
    result = make_engine(packages_dir).translate(["agua refugio. refugio!"], "es", "en")[0]
    assert result.text == "water shelter. shelter!"
    assert result.model == "es→en 2.1 (ct2)"
    assert result.confidence is not None and result.confidence.source_tokens > 0


def test_target_sentencepiece_model_is_the_one_decoding(
    tmp_path: Path, packages_dir: Path, make_engine: MakeEngine
) -> None:
    folder = build_tiny_folder(tmp_path / "m", "es", "en", ES_EN, layout="marian")
    package = install_folder(folder, packages_dir, "es", "en")
    # Break the target model only: translation must now fail to load, proving it is read.
    (package.path / "target.sentencepiece.model").write_bytes(b"not a model")
    with pytest.raises(ModelError, match="cannot load"):
        make_engine(packages_dir).translate(["agua"], "es", "en")


def test_preference_picks_the_kind_and_both_kinds_coexist(
    tiny: Tiny, tmp_path: Path, packages_dir: Path, make_engine: MakeEngine
) -> None:
    install(tiny("es", "en", {"agua": "aqua"}, package_version="9.0"), packages_dir)
    folder = build_tiny_folder(tmp_path / "m", "es", "en", ES_EN)
    install_folder(folder, packages_dir, "es", "en", version="1.0")
    assert sorted(p.kind for p in list_installed(packages_dir)) == ["argos", "ct2"]
    # Folder first by default, although the Argos package has the higher version.
    assert make_engine(packages_dir).translate(["agua"], "es", "en")[0].text == "water"
    argos_first = make_engine(packages_dir, prefer=("argos", "ct2"))
    assert argos_first.translate(["agua"], "es", "en")[0].text == "aqua"
    remove(packages_dir, "es", "en")  # a pair's removal takes every kind
    assert list_installed(packages_dir) == []


def test_versions_replace_older_and_refuse_same(tmp_path: Path, packages_dir: Path) -> None:
    folder = build_tiny_folder(tmp_path / "m", "es", "en", ES_EN)
    first = install_folder(folder, packages_dir, "es", "en", version="1.0")
    with pytest.raises(ModelError, match="already installed"):
        install_folder(folder, packages_dir, "es", "en", version="1.0")
    second = install_folder(folder, packages_dir, "es", "en", version="1.1")
    assert not first.path.exists() and second.path.is_dir()
    assert [p.package_version for p in list_installed(packages_dir)] == ["1.1"]


def test_bad_folders_say_what_is_wrong(tmp_path: Path, packages_dir: Path) -> None:
    with pytest.raises(ModelError, match="not a folder"):
        install_folder(tmp_path / "missing", packages_dir, "es", "en")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match="no CTranslate2 model"):
        install_folder(tmp_path / "empty", packages_dir, "es", "en")
    folder = build_tiny_folder(tmp_path / "m", "es", "en", ES_EN, layout="single")
    (folder / "sentencepiece.model").rename(folder / "sentencepiece.bpe.model")
    with pytest.raises(ModelError, match="NLLB"):
        install_folder(folder, packages_dir, "es", "en")
    (folder / "sentencepiece.bpe.model").unlink()
    with pytest.raises(ModelError, match="no SentencePiece model"):
        install_folder(folder, packages_dir, "es", "en")
    (folder / "spm.model").write_bytes(b"garbage")
    with pytest.raises(ModelError, match="not a SentencePiece model"):
        install_folder(folder, packages_dir, "es", "en")
    with pytest.raises(ModelError, match="not a language code"):
        install_folder(tmp_path / "m", packages_dir, "Spanish", "en")
    assert list_installed(packages_dir) == []


# --- many-to-many models: NLLB-200 and M2M-100 folders ---

ES_EN_TL = ["es", "en", "tl"]


@pytest.mark.parametrize("flavour", ["nllb", "m2m100"])
def test_a_many_to_many_folder_serves_its_pairs_with_one_loaded_model(
    flavour: str, tmp_path: Path, packages_dir: Path, make_engine: MakeEngine
) -> None:
    folder = build_tiny_multilingual(tmp_path / flavour, flavour, ES_EN_TL, ES_EN)
    assert detect(folder).name == flavour
    installed = install_multilingual(folder, packages_dir, [("es", "en"), ("es", "tl")])
    assert [p.label for p in installed] == [f"es→en 1.0 ({flavour})", f"es→tl 1.0 ({flavour})"]
    assert len({p.path for p in list_installed(packages_dir)}) == 1  # copied once
    engine = make_engine(packages_dir)
    # The tiny model copies source token t at output step t: without the source language's
    # token first the output would lose "water"; without the target's forced, it would show.
    english = engine.translate(["agua refugio. refugio!"], "es", "en")[0]
    assert (english.text, english.model, english.pivot) == (
        "water shelter. shelter!",
        f"es→en 1.0 ({flavour})",
        False,
    )
    assert english.confidence is not None and english.confidence.source_tokens == 5
    filipino = engine.translate(["refugio"], "es", "tl")[0]
    assert (filipino.text, filipino.pivot) == ("shelter", False)  # direct, no English hop
    assert engine.loads == 1 and engine.loaded() == [f"{flavour} 1.0"]
    assert engine.loaded_bytes() == engine.footprint(installed[0])  # counted once
    assert engine.route("en", "tl") is None  # only the pairs the center named


def test_many_to_many_tokens_are_those_the_model_expects(
    tmp_path: Path, packages_dir: Path, make_engine: MakeEngine
) -> None:
    folder = build_tiny_multilingual(tmp_path / "n", "nllb", ["ja", "ne", "my", "zt"], {})
    packages = install_multilingual(
        folder, packages_dir, [("ja", "ne"), ("ja", "my"), ("ne", "zt")]
    )
    assert {(p.from_code, p.to_code): p.tokens for p in packages} == {
        ("ja", "ne"): ("jpn_Jpan", "npi_Deva"),
        ("ja", "my"): ("jpn_Jpan", "mya_Mymr"),
        ("ne", "zt"): ("npi_Deva", "zho_Hant"),
    }
    m2m = build_tiny_multilingual(tmp_path / "m", "m2m100", ["pb", "en"], {})
    assert install_multilingual(m2m, packages_dir, [("pb", "en")])[0].tokens == ("__pt__", "__en__")


def test_many_to_many_reinstall_adds_pairs_and_removal_drops_one_pair(
    tmp_path: Path, packages_dir: Path, make_engine: MakeEngine
) -> None:
    folder = build_tiny_multilingual(tmp_path / "n", "nllb", ES_EN_TL, ES_EN)
    first = install_multilingual(folder, packages_dir, [("es", "en")])[0]
    running = make_engine(packages_dir)  # a worker's engine, there before the pair is added
    assert running.translate(["agua"], "es", "en")[0].text == "water"
    assert running.route("es", "tl") is None
    added = install_multilingual(folder, packages_dir, [("es", "tl")])  # same version: no copy
    assert [(p.to_code, p.path) for p in added] == [("en", first.path), ("tl", first.path)]
    # It sees the new pair at once, and keeps the model it has loaded (the same model).
    assert running.translate(["agua"], "es", "tl")[0].text == "water"
    assert running.loads == 1
    remove(packages_dir, "es", "en")
    assert running.route("es", "en") is None
    install_multilingual(folder, packages_dir, [("es", "en")])
    other = build_tiny_multilingual(tmp_path / "other", "nllb", [*ES_EN_TL, "ne"], ES_EN)
    with pytest.raises(ModelError, match="higher --version"):
        install_multilingual(other, packages_dir, [("es", "ne")])
    newer = install_multilingual(other, packages_dir, [("es", "ne")], version="1.1")
    assert [(p.to_code, p.package_version) for p in newer] == [
        ("en", "1.1"),
        ("ne", "1.1"),
        ("tl", "1.1"),
    ]
    assert not first.path.exists()  # the older version went, its pairs kept
    with pytest.raises(ModelError, match="already installed"):
        install_multilingual(folder, packages_dir, [("es", "en")], version="1.0")
    remove(packages_dir, "es", "en")
    assert [p.to_code for p in list_installed(packages_dir)] == ["ne", "tl"]
    assert make_engine(packages_dir).translate(["agua"], "es", "tl")[0].text == "water"
    remove(packages_dir, "es", "ne")
    remove(packages_dir, "es", "tl")
    assert list_installed(packages_dir) == [] and not newer[0].path.exists()


def test_preference_between_pair_folders_many_to_many_and_argos(
    tiny: Tiny, tmp_path: Path, packages_dir: Path, make_engine: MakeEngine
) -> None:
    install(tiny("es", "en", {"agua": "aqua"}), packages_dir)
    nllb = build_tiny_multilingual(tmp_path / "n", "nllb", ES_EN_TL, {"agua": "wasser"})
    install_multilingual(nllb, packages_dir, [("es", "en")])
    # The default: a center's many-to-many model before an Argos package...
    assert make_engine(packages_dir).translate(["agua"], "es", "en")[0].text == "wasser"
    argos_first = make_engine(packages_dir, prefer=("argos", "nllb"))
    assert argos_first.translate(["agua"], "es", "en")[0].text == "aqua"
    # ... and a pair's own folder before both.
    install_folder(build_tiny_folder(tmp_path / "m", "es", "en", ES_EN), packages_dir, "es", "en")
    assert make_engine(packages_dir).translate(["agua"], "es", "en")[0].text == "water"


def test_bad_many_to_many_installs_say_what_is_wrong(tmp_path: Path, packages_dir: Path) -> None:
    nllb = build_tiny_multilingual(tmp_path / "n", "nllb", ES_EN_TL, ES_EN)
    with pytest.raises(ModelError, match="no npi_Deva token for 'ne'"):
        install_multilingual(nllb, packages_dir, [("es", "ne")])
    with pytest.raises(ModelError, match="same language"):
        install_multilingual(nllb, packages_dir, [("es", "es")])
    with pytest.raises(ModelError, match="at least one pair"):
        install_multilingual(nllb, packages_dir, [])
    with pytest.raises(ModelError, match="no NLLB language code"):
        install_multilingual(nllb, packages_dir, [("es", "xx")])
    m2m = build_tiny_multilingual(tmp_path / "m", "m2m100", ["zh", "en"], {})
    with pytest.raises(ModelError, match="no Traditional Chinese"):
        install_multilingual(m2m, packages_dir, [("en", "zt")])
    pair = build_tiny_folder(tmp_path / "p", "es", "en", ES_EN)
    with pytest.raises(ModelError, match="translates one pair"):
        install_multilingual(pair, packages_dir, [("es", "en")])
    assert list_installed(packages_dir) == []
