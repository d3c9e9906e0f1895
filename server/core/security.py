"""Passwords (argon2), API tokens and board tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Check a password against its argon2 hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_secret(nbytes: int = 24) -> str:
    """Return a fresh URL-safe random secret."""
    return secrets.token_urlsafe(nbytes)


def hash_token(token: str) -> str:
    """Hash an API token for storage; tokens are random, so sha256 suffices."""
    return hashlib.sha256(token.encode()).hexdigest()


def board_token(secret_key: str, board_id: int, version: int) -> str:
    """Derive a board's access token; bumping ``version`` revokes every older token."""
    mac = hmac.new(secret_key.encode(), f"board:{board_id}:{version}".encode(), hashlib.sha256)
    return f"b{board_id}.{mac.hexdigest()[:32]}"


def board_id_from_token(token: str) -> int | None:
    """Read the board id a token claims, before checking it."""
    if not token.startswith("b") or "." not in token:
        return None
    head = token[1:].split(".", 1)[0]
    return int(head) if head.isdigit() else None


def check_board_token(secret_key: str, token: str, board_id: int, version: int) -> bool:
    """Compare a presented token with the board's current one in constant time."""
    return hmac.compare_digest(token, board_token(secret_key, board_id, version))
