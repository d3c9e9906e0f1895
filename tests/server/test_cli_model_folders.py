"""`tagengo models install FOLDER --from --to`: a CTranslate2 model folder beside Argos packages."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from server.cli import main
from translations.mt import list_installed
from translations.mt.tiny import build_tiny_folder


def test_install_a_model_folder_then_list_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    packages = tmp_path / "packages"
    monkeypatch.setenv("TAGENGO_ARGOS_PACKAGES_DIR", str(packages))
    monkeypatch.setenv("TAGENGO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TAGENGO_SECRET_KEY", "test-secret-key-for-the-cli-test-only")
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
