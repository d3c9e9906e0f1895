"""CTranslate2 model folders (OPUS-MT/Marian, quickmt, single SentencePiece) as packages."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from translations.mt import ArgosEngine, ModelError, install, list_installed, remove
from translations.mt.folders import detect, install_folder
from translations.mt.tiny import FOLDER_LAYOUTS, build_tiny_folder

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
