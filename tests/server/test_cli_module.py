"""`python -m server.cli` is the same command as the `tagengo` console script."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_python_m_server_cli_knows_every_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "server.cli", "inquiries", "purge", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert "--older-than" in done.stdout
