"""Fixtures of the server tests: accounts with a role, API tokens, a signed-in console."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from server.people import accounts

PASSWORD = "a-long-password"


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
