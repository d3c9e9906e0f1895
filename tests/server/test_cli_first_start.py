"""The `tagengo` command on a fresh machine, before `tagengo up` has ever run.

Every test runs the real console script in a subprocess, with an empty HOME, an empty working
folder and no TAGENGO_* variable, as a center's first day looks.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from server.cli import main
from translations.mt.tiny import build_tiny_package


def tagengo_script() -> str:
    beside = Path(sys.executable).with_name("tagengo")
    found = str(beside) if beside.exists() else shutil.which("tagengo")
    if not found:
        pytest.skip("the `tagengo` console script is not installed (pip install -e .)")
    return found


@pytest.fixture
def fresh(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """An empty working folder and an environment with no TAGENGO_* settings."""
    home = tmp_path / "home"
    work = tmp_path / "work"
    home.mkdir()
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAGENGO_")}
    env["HOME"] = str(home)
    return work, env


def run(
    fresh: tuple[Path, dict[str, str]], *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    work, env = fresh
    return subprocess.run(
        [tagengo_script(), *args],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], lines[0]


def leaf_commands(group: click.Group = main, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found.extend(leaf_commands(command, (*prefix, name)))
        else:
            found.append((*prefix, name))
    return found


def test_models_install_and_list_work_before_the_first_start(
    fresh: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    data = tmp_path / "center-data"
    listed = run(fresh, "models", "list", "--data-dir", str(data))
    assert listed.returncode == 0, listed.stderr
    assert "No models installed" in listed.stdout
    package = build_tiny_package(tmp_path / "pkg", "ja", "en", {"水": "water"})
    installed = run(fresh, "models", "install", str(package), "--data-dir", str(data))
    assert installed.returncode == 0, installed.stderr
    assert "Installed" in installed.stdout
    assert (data / "argos-packages").is_dir()
    listed = run(fresh, "--data-dir", str(data), "models", "list")
    assert listed.returncode == 0, listed.stderr
    assert "ja→en" in listed.stdout and "en: machine translation" in listed.stdout
    assert not (fresh[0] / "tagengo-data").exists(), "--data-dir must be honoured"


def test_database_and_accounts_can_be_prepared_without_the_secret(
    fresh: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    data = str(tmp_path / "d")
    assert run(fresh, "db", "upgrade", "--data-dir", data).returncode == 0
    made = run(fresh, "users", "create", "admin2", "--role", "admin", "--data-dir", data)
    assert made.returncode == 0, made.stderr
    assert "One-time password (shown once" in made.stdout
    shelter = run(fresh, "shelters", "create", "第一小学校", "--data-dir", data)
    assert shelter.returncode == 0 and "Shelter 1" in shelter.stdout
    # Board links are signed with the secret: that command says so in one line.
    assert_one_line_error(run(fresh, "boards", "list", "--data-dir", data), "TAGENGO_SECRET_KEY")


@pytest.mark.parametrize(
    "args",
    [
        ("models", "install", "/no/such/file.argosmodel"),
        ("models", "install", "{data}/not-a-model.argosmodel"),
        ("models", "remove", "nonsense"),
        ("models", "remove", "xx-yy"),
        ("users", "create", "someone"),  # no database yet
        ("tokens", "create", "nobody"),
        ("boards", "create", "1", "Gym"),
        ("demo",),
        ("worker", "--queues", "bogus"),
        ("inquiries", "purge", "--older-than", "-3"),
        ("no-such-command",),
        ("restore", "/no/such/backup.tar.gz"),
        ("backup",),  # nothing to back up yet
    ],
)
def test_a_users_mistake_is_one_line_and_a_non_zero_exit(
    fresh: tuple[Path, dict[str, str]], tmp_path: Path, args: tuple[str, ...]
) -> None:
    data = tmp_path / "d"
    data.mkdir()
    (data / "not-a-model.argosmodel").write_text("this is not a zip archive")
    argv = [a.replace("{data}", str(data)) for a in args]
    assert_one_line_error(run(fresh, *argv, "--data-dir", str(data)))


def test_a_bad_setting_is_one_line(fresh: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    fresh[1]["TAGENGO_PORT"] = "eighty"
    assert_one_line_error(run(fresh, "models", "list", "--data-dir", str(tmp_path)), "TAGENGO_PORT")


def test_help_lists_every_command(fresh: tuple[Path, dict[str, str]]) -> None:
    result = run(fresh, "--help")
    assert result.returncode == 0
    for path in leaf_commands():
        assert " ".join(path) in result.stdout, path


def test_every_command_takes_data_dir(fresh: tuple[Path, dict[str, str]]) -> None:
    for path in leaf_commands():
        result = run(fresh, *path, "--help")
        assert result.returncode == 0, (path, result.stderr)
        assert "--data-dir" in result.stdout, path
