"""Fixtures of the drill tests: a director, API tokens, a signed-in console, a small scenario."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from server.people import accounts

PASSWORD = "a-long-password"
SCENARIOS = Path(__file__).parent / "scenarios"


@pytest.fixture
def token_for(app: Any) -> Callable[[str, str], dict[str, str]]:
    """Create a user with a role; return the API headers of a fresh token."""

    def make(username: str, role: str) -> dict[str, str]:
        accounts.create_user(username, role, PASSWORD)
        return {"Authorization": f"Bearer {accounts.create_token(username)}"}

    return make


@pytest.fixture
def sign_in(client: Any) -> Callable[[str, str], None]:
    """Create a user with a role and sign the console client in."""

    def make(username: str, role: str) -> None:
        accounts.create_user(username, role, PASSWORD)
        r = client.post("/login", data={"username": username, "password": PASSWORD})
        assert r.status_code == 302

    return make


@pytest.fixture
def director(app: Any) -> Any:
    """A director account (the drill controller)."""
    user, _ = accounts.create_user("controller", "director", PASSWORD)
    return user


@pytest.fixture
def flood_bytes() -> bytes:
    """The scenario written for these tests (a flood in a fictional town)."""
    return (SCENARIOS / "flood_hoshino.yaml").read_bytes()
