"""Fixtures of the drill tests: a director and a small scenario (accounts: ../conftest.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from server.people import accounts

PASSWORD = "a-long-password"
SCENARIOS = Path(__file__).parent / "scenarios"


@pytest.fixture
def director(app: Any) -> Any:
    """A director account (the drill controller)."""
    user, _ = accounts.create_user("controller", "director", PASSWORD)
    return user


@pytest.fixture
def flood_bytes() -> bytes:
    """The scenario written for these tests (a flood in a fictional town)."""
    return (SCENARIOS / "flood_hoshino.yaml").read_bytes()
