"""Users, API tokens, shelters and boards made from the CLI, the console or at first start.

Every change to an account is written to the audit log, with who made it (none: the CLI).
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import func, select

from server.core.extensions import db
from server.core.security import hash_password, hash_token, new_secret, verify_password
from server.models import ApiToken, AuditLog, Board, Shelter, User
from server.operations import activity
from server.operations.words import ActivityKind
from server.shelters import places
from server.words import ROLES, Role
from translations import languages as registry

PASSWORD_MIN = 10
PASSWORD_MAX = 256


def _(message: str) -> str:
    """Mark a message for the catalogs; the console translates it when it shows the error."""
    return message


class AccountError(ValueError):
    """A user or token request that cannot be done, in words for the CLI and the console."""

    def __init__(self, message: str, **params: Any) -> None:
        self.message = message
        self.params = params
        super().__init__(message % params if params else message)


def audit(
    actor: User | None, action: str, user: User, detail: str = "", remote_addr: str | None = None
) -> None:
    """Record a change to an account (committed with the change)."""
    db.session.add(
        AuditLog(
            user_id=actor.id if actor is not None else None,
            action=action,
            object_type="user",
            object_id=user.id,
            remote_addr=remote_addr,
            detail=(detail or None) and detail[:200],
        )
    )


def check_password(password: str, username: str) -> None:
    """Refuse a password that is too short, too long or the user name."""
    if len(password) < PASSWORD_MIN:
        raise AccountError(_("A password needs at least %(n)s characters."), n=PASSWORD_MIN)
    if len(password) > PASSWORD_MAX:
        raise AccountError(_("A password may have at most %(n)s characters."), n=PASSWORD_MAX)
    if password.strip().lower() == username.strip().lower():
        raise AccountError(_("The password must not be the user name."))


def parse_languages(text: str) -> str:
    """Turn "ja, vi,EN" into the registry's codes "ja,vi,en"; refuse unknown ones."""
    codes: list[str] = []
    for part in text.replace(" ", ",").split(","):
        if not part:
            continue
        code = registry.normalize(part)
        if code is None:
            raise AccountError(_("Unknown language code: %(code)s"), code=part[:20])
        if code not in codes:
            codes.append(code)
    if not codes:
        raise AccountError(_("Give at least one language, e.g. ja or ja,vi,en."))
    return ",".join(codes)


def create_user(
    username: str,
    role: str,
    password: str | None = None,
    languages: str = "ja",
    actor: User | None = None,
) -> tuple[User, str]:
    """Create a user; return it with its password (generated when none is given).

    A generated password is a one-time password: it must be changed at the first sign-in.
    """
    username = username.strip()
    if not username or len(username) > 64:
        raise AccountError(_("The user name must be 1–64 characters."))
    if role not in ROLES:
        raise AccountError(_("The role must be one of %(roles)s."), roles=", ".join(ROLES))
    if db.session.scalar(select(User).where(User.username == username)):
        raise AccountError(_("User %(name)s already exists."), name=username)
    codes = parse_languages(languages)
    one_time = password is None
    password = password or new_secret(12)
    check_password(password, username)
    user = User(
        username=username,
        role=role,
        languages=codes,
        password_hash=hash_password(password),
        must_change_password=one_time,
    )
    db.session.add(user)
    db.session.flush()
    audit(actor, "user.create", user, f"role {role}, languages {codes}")
    activity.record(ActivityKind.ACCOUNT_CREATED, f"account {username} ({role})")
    db.session.commit()
    return user, password


def find_user(username: str) -> User:
    """Return the user called ``username`` or refuse."""
    user = db.session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        raise AccountError(_("No user %(name)s."), name=username.strip()[:64])
    return cast(User, user)


def _other_active_admins(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count(User.id)).where(
                User.role == Role.ADMIN, User.active.is_(True), User.id != user.id
            )
        )
        or 0
    )


def set_role(user: User, role: str, actor: User | None = None) -> None:
    """Give a user another role; the last active admin keeps theirs."""
    if role not in ROLES:
        raise AccountError(_("The role must be one of %(roles)s."), roles=", ".join(ROLES))
    if role == user.role:
        return
    if user.role == Role.ADMIN and user.active and not _other_active_admins(user):
        raise AccountError(_("%(name)s is the last active admin."), name=user.username)
    audit(actor, "user.role", user, f"{user.role} → {role}")
    user.role = role
    db.session.commit()


def set_languages(user: User, text: str, actor: User | None = None) -> None:
    """Set the languages a user works in."""
    codes = parse_languages(text)
    if codes == user.languages:
        return
    audit(actor, "user.languages", user, f"{user.languages} → {codes}")
    user.languages = codes
    db.session.commit()


def set_active(user: User, active: bool, actor: User | None = None) -> None:
    """Disable (or enable again) an account: a disabled one cannot sign in or use its tokens."""
    if active == user.active:
        return
    if not active:
        if actor is not None and actor.id == user.id:
            raise AccountError(_("You cannot disable your own account."))
        if user.role == Role.ADMIN and not _other_active_admins(user):
            raise AccountError(_("%(name)s is the last active admin."), name=user.username)
    audit(actor, "user.enable" if active else "user.disable", user)
    user.active = active
    db.session.commit()


def reset_password(user: User, actor: User | None = None) -> str:
    """Give a user a new one-time password (returned once) that must be changed."""
    password = new_secret(12)
    user.password_hash = hash_password(password)
    user.must_change_password = True
    audit(actor, "user.reset_password", user)
    db.session.commit()
    return password


def change_password(user: User, current: str, new: str, remote_addr: str | None = None) -> None:
    """Let a user replace their own password (a one-time one included)."""
    if not verify_password(user.password_hash, current[:PASSWORD_MAX]):
        raise AccountError(_("The current password is wrong."))
    check_password(new, user.username)
    if new == current:
        raise AccountError(_("The new password must differ from the current one."))
    user.password_hash = hash_password(new)
    user.must_change_password = False
    audit(user, "user.password", user, remote_addr=remote_addr)
    db.session.commit()


def create_token(username: str, name: str = "") -> str:
    """Create an API token for a user; the token is shown once and only its hash is kept."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise AccountError(_("No user %(name)s."), name=username)
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
    """Register a shelter; without a romaji name, pykakasi's suggestion stands in (flagged)."""
    if not name_ja.strip():
        raise AccountError("a shelter needs a Japanese name")
    romaji = name_romaji.strip() or places.suggest(name_ja)
    shelter = Shelter(
        name_ja=name_ja.strip(),
        name_romaji=romaji,
        name_romaji_suggested=not name_romaji.strip() and bool(romaji),
        address=address,
    )
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
