"""`tagengo models install FOLDER --from --to`: a CTranslate2 model folder beside Argos packages."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from server.cli import main
from translations.mt import list_installed
from translations.mt.tiny import build_tiny_folder, build_tiny_multilingual


@pytest.fixture
def packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The packages folder of a center configured by environment, as the CLI reads it."""
    folder = tmp_path / "packages"
    monkeypatch.setenv("TAGENGO_ARGOS_PACKAGES_DIR", str(folder))
    monkeypatch.setenv("TAGENGO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TAGENGO_SECRET_KEY", "test-secret-key-for-the-cli-test-only")
    return folder


def test_install_a_model_folder_then_list_it(tmp_path: Path, packages: Path) -> None:
    folder = build_tiny_folder(tmp_path / "opus-mt-es-en", "es", "en", {"agua": "water"})
    runner = CliRunner()
    refused = runner.invoke(main, ["models", "install", str(folder)])
    assert refused.exit_code == 1 and "needs --from and --to" in refused.output
    assert list_installed(packages) == []
    done = runner.invoke(main, ["models", "install", str(folder), "--from", "es", "--to", "en"])
    assert done.exit_code == 0, done.output
    assert "Installed es→en 1.0 (ct2)" in done.output
    assert [(p.kind, p.from_code, p.to_code) for p in list_installed(packages)] == [
        ("ct2", "es", "en")
    ]


def test_install_an_nllb_folder_for_several_pairs_then_remove_one(
    tmp_path: Path, packages: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TAGENGO_SOURCE_LANGUAGE", "ja")
    monkeypatch.setenv("TAGENGO_TARGET_LANGUAGES", "en,tl,ne,my")
    folder = build_tiny_multilingual(
        tmp_path / "nllb-200-distilled-600M", "nllb", ["ja", "tl", "ne", "my"], {}
    )
    runner = CliRunner()
    pair_only = build_tiny_folder(tmp_path / "opus", "es", "en", {"agua": "water"})
    refused = runner.invoke(
        main, ["models", "install", str(pair_only), "--from", "es", "--to", "en,tl"]
    )
    assert refused.exit_code == 1 and "one --from and one --to" in refused.output
    done = runner.invoke(
        main, ["models", "install", str(folder), "--from", "ja", "--to", "tl, ne,my"]
    )
    assert done.exit_code == 0, done.output
    assert "Installed ja→my 1.0 (nllb), ja→ne 1.0 (nllb), ja→tl 1.0 (nllb)" in done.output
    listed = runner.invoke(main, ["models", "list"])
    assert listed.exit_code == 0, listed.output
    assert "ja→ne\tversion 1.0\tnllb" in listed.output
    assert "  tl: machine translation\n" in listed.output  # direct, not "via English"
    assert "  en: no model" in listed.output
    removed = runner.invoke(main, ["models", "remove", "ja-ne"])
    assert removed.exit_code == 0 and "Removed ja→ne 1.0 (nllb)." in removed.output
    assert [(p.kind, p.to_code) for p in list_installed(packages)] == [
        ("nllb", "my"),
        ("nllb", "tl"),
    ]
