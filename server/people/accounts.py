"""Users, API tokens, shelters and boards made from the CLI or at first start."""

from __future__ import annotations

from sqlalchemy import func, select

from server.core.extensions import db
from server.core.security import hash_password, hash_token, new_secret
from server.models import ApiToken, Board, Shelter, User
from server.operations import activity
from server.operations.words import ActivityKind
from server.words import ROLES


class AccountError(ValueError):
    """A user or token request that cannot be done."""


def create_user(username: str, role: str, password: str | None = None) -> tuple[User, str]:
    """Create a user; return it with its password (generated when none is given)."""
    username = username.strip()
    if not username or len(username) > 64:
        raise AccountError("the user name must be 1–64 characters")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if db.session.scalar(select(User).where(User.username == username)):
        raise AccountError(f"user {username!r} already exists")
    password = password or new_secret(12)
    if len(password) < 10:
        raise AccountError("a password needs at least 10 characters")
    user = User(username=username, role=role, password_hash=hash_password(password))
    db.session.add(user)
    activity.record(ActivityKind.ACCOUNT_CREATED, f"account {username} ({role})")
    db.session.commit()
    return user, password


def create_token(username: str, name: str = "") -> str:
    """Create an API token for a user; the token is shown once and only its hash is kept."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise AccountError(f"no user {username!r}")
    token = "tg_" + new_secret(30)
    db.session.add(ApiToken(user=user, name=name, token_hash=hash_token(token)))
    activity.record(ActivityKind.ACCOUNT_CHANGED, f"API token for {username}", user=user)
    db.session.commit()
    return token


def first_admin() -> tuple[User, str] | None:
    """Create the first admin when there are no users at all."""
    if db.session.scalar(select(func.count(User.id))):
        return None
    return create_user("admin", "admin")


def create_shelter(name_ja: str, name_romaji: str = "", address: str = "") -> Shelter:
    """Register a shelter."""
    if not name_ja.strip():
        raise AccountError("a shelter needs a Japanese name")
    shelter = Shelter(name_ja=name_ja.strip(), name_romaji=name_romaji, address=address)
    db.session.add(shelter)
    db.session.commit()
    return shelter


def create_board(shelter_id: int, name: str, layout: str = "grid") -> Board:
    """Add a board to a shelter."""
    shelter = db.session.get(Shelter, shelter_id)
    if shelter is None:
        raise AccountError(f"no shelter with id {shelter_id}")
    if layout not in ("grid", "cycle"):
        raise AccountError("layout must be grid or cycle")
    board = Board(shelter=shelter, name=name or "Board", layout=layout)
    db.session.add(board)
    db.session.flush()
    activity.record(ActivityKind.BOARD_ADDED, f"board {board.id} at shelter {shelter_id}")
    db.session.commit()
    return board
