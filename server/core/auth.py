"""Who is calling: console sessions, API bearer tokens and board tokens."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, current_app, g, request
from flask_babel import lazy_gettext
from flask_login import current_user
from sqlalchemy import select

from server.core.errors import ApiError
from server.core.extensions import db, login_manager
from server.core.security import board_id_from_token, check_board_token, hash_token
from server.models import ApiToken, Board, User, utcnow

F = TypeVar("F", bound=Callable[..., Any])
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
LAST_USED_PRECISION = timedelta(minutes=5)  # how stale an API token's last_used_at may be


def bearer() -> str | None:
    """Return the bearer token of the request, if any."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return None


def user_from_token(token: str) -> User | None:
    """Return the active user an unrevoked API token belongs to."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    now = utcnow()
    # A commit per request would cost every API call a disk sync (and, on SQLite, the write
    # lock the worker needs); "last used" to the nearest few minutes is what admins need.
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_PRECISION:
        row.last_used_at = now
        db.session.commit()
    return cast(User, row.user)


def api_user() -> User | None:
    """Return the caller: a bearer token, or a console session for read-only requests."""
    if "api_user" in g:
        return cast(User | None, g.api_user)
    user: User | None = None
    token = bearer()
    if token and not token.startswith("b"):
        user = user_from_token(token)
    elif token is None and request.method in SAFE_METHODS and current_user.is_authenticated:
        # Sessions are CSRF-protected only on console forms, so they may read but not write.
        user = cast(User, current_user._get_current_object())
    g.api_user = user
    return user


def require_role(*roles: str) -> Callable[[F], F]:
    """Refuse API callers that are not signed in with one of ``roles``."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = api_user()
            if user is None:
                raise ApiError(
                    401, "unauthorized", "send a valid API token: Authorization: Bearer …"
                )
            if roles and user.role not in roles:
                raise ApiError(403, "forbidden", f"this needs the role {' or '.join(roles)}")
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorator


def board_from_token(token: str | None) -> Board | None:
    """Return the board a board token opens, or None when it is wrong or revoked."""
    if not token:
        return None
    board_id = board_id_from_token(token)
    board = db.session.get(Board, board_id) if board_id else None
    if board is None:
        return None
    secret = current_app.config["SECRET_KEY"]
    return board if check_board_token(secret, token, board.id, board.token_version) else None


def init_app(app: Flask) -> None:
    """Wire Flask-Login to the users table."""
    login_manager.init_app(app)
    login_manager.login_view = "console.login"
    login_manager.login_message = lazy_gettext("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    # The lazy message is turned into text in the request's language before it is flashed.
    login_manager.localize_callback = str

    @login_manager.user_loader
    def _load(user_id: str) -> User | None:
        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        return user if user is not None and user.active else None
