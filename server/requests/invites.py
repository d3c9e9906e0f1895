"""Invite links for remote translators (広域支援): one account each, before the link expires."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from server.core.errors import ApiError
from server.core.extensions import db
from server.core.security import hash_password, hash_token, new_secret
from server.models import User, utcnow
from server.requests.models import Invite
from server.words import Role
from translations import languages


def create(langs: list[str], organisation: str, user: User) -> tuple[Invite, str]:
    """Make an invite for these languages; return it with its token (shown once)."""
    codes = [languages.normalize(code) for code in langs]
    if not codes or None in codes:
        raise ApiError(400, "unknown_language", "choose the invitee's languages", "languages")
    token = new_secret(24)
    invite = Invite(
        token_hash=hash_token(token),
        organisation=organisation.strip()[:200],
        languages=[c for c in codes if c],
        created_by=user.id,
        expires_at=utcnow() + timedelta(hours=current_app.config["INVITE_HOURS"]),
    )
    db.session.add(invite)
    db.session.commit()
    return invite, token


def find(token: str) -> Invite:
    """Return the usable invite of a token, or raise a 404/410 that says why not."""
    invite: Invite | None = db.session.scalar(
        select(Invite).where(Invite.token_hash == hash_token(token))
    )
    if invite is None:
        raise ApiError(404, "not_found", "this invite link is not valid")
    if invite.used_at is not None:
        raise ApiError(410, "used", "this invite link was already used")
    if invite.expires_at < utcnow():
        raise ApiError(410, "expired", "this invite link has expired; ask the center for a new one")
    return invite


def accept(token: str, username: str, password: str, display_name: str = "") -> User:
    """Make the remote translator's account and spend the invite (committed)."""
    invite = find(token)
    username = username.strip()
    if not username or len(username) > 64:
        raise ApiError(400, "invalid", "the user name must be 1–64 characters", "username")
    if db.session.scalar(select(User).where(User.username == username)):
        raise ApiError(409, "taken", f"the user name {username!r} is taken", "username")
    if len(password) < 10 or len(password) > 256:
        raise ApiError(400, "invalid", "a password needs 10 to 256 characters", "password")
    user = User(
        username=username,
        display_name=display_name.strip()[:120],
        role=Role.REMOTE,
        password_hash=hash_password(password),
        languages=",".join(invite.languages),
    )
    db.session.add(user)
    db.session.flush()
    invite.used_at, invite.user_id = utcnow(), user.id
    db.session.commit()
    return user
