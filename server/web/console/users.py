"""Console pages for accounts: your own password, and the admin's list of users."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from server.core.extensions import db
from server.models import AuditLog, User
from server.people import accounts
from server.web.console.blueprint import bp
from server.words import ROLES, Role

# Pages a user with a one-time password may still open.
OPEN_WHILE_ONE_TIME = {
    "console.login",
    "console.logout",
    "console.change_password",
    "console.favicon",
}


def _error(exc: accounts.AccountError) -> str:
    """The account error in the console's language."""
    return str(gettext(exc.message, **exc.params))


def _me() -> User:
    return current_user._get_current_object()  # type: ignore[no-any-return]


@bp.before_request
def _one_time_password_first() -> Response | None:
    """Send a user who signed in with a one-time password to the change form first."""
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in OPEN_WHILE_ONE_TIME
    ):
        return redirect(url_for("console.change_password"))
    return None


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Any:
    """Replace your own password (required after a one-time one)."""
    if request.method == "GET":
        return render_template("console/password.html")
    try:
        new = request.form.get("new_password", "")[: accounts.PASSWORD_MAX + 1]
        if new != request.form.get("new_password_again", "")[: accounts.PASSWORD_MAX + 1]:
            raise accounts.AccountError(accounts._("The two new passwords differ."))
        accounts.change_password(
            _me(), request.form.get("current_password", ""), new, request.remote_addr
        )
    except accounts.AccountError as exc:
        flash(_error(exc), "error")
        return render_template("console/password.html"), 400
    flash(gettext("Your password has been changed."), "ok")
    return redirect(url_for("console.dashboard"))


def _require_admin() -> None:
    if current_user.role != Role.ADMIN:
        abort(403)


def _user_or_404(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


def _list_page(status: int = 200, **context: Any) -> Any:
    users = list(db.session.scalars(select(User).order_by(User.username)))
    return render_template("console/users.html", users=users, roles=ROLES, **context), status


@bp.get("/users")
@login_required
def users() -> Any:
    """List every account (admins only)."""
    _require_admin()
    return _list_page()


@bp.post("/users")
@login_required
def create_user() -> Any:
    """Create an account with a one-time password shown once."""
    _require_admin()
    form = request.form
    try:
        user, password = accounts.create_user(
            form.get("username", "")[:100],
            form.get("role", ""),
            languages=form.get("languages", "ja")[:200],
            actor=_me(),
        )
    except accounts.AccountError as exc:
        flash(_error(exc), "error")
        return _list_page(400, form=form)
    return _one_time(user, password)


def _one_time(user: User, password: str) -> Response:
    """Show a one-time password once; no cache keeps it."""
    response = make_response(
        render_template("console/one_time_password.html", user=user, password=password)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _user_page(user: User, status: int = 200) -> Any:
    history = list(
        db.session.scalars(
            select(AuditLog)
            .where(AuditLog.object_type == "user", AuditLog.object_id == user.id)
            .order_by(AuditLog.id.desc())
            .limit(50)
        )
    )
    names = {u.id: u.username for u in db.session.scalars(select(User))}
    return render_template(
        "console/user.html", user=user, roles=ROLES, history=history, names=names
    ), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@login_required
def user(user_id: int) -> Any:
    """Show one account; change its role and languages."""
    _require_admin()
    item = _user_or_404(user_id)
    if request.method == "GET":
        return _user_page(item)
    languages = request.form.get("languages", "")[:200]
    try:
        accounts.parse_languages(languages)  # refuse before anything changes
        accounts.set_role(item, request.form.get("role", ""), _me())
        accounts.set_languages(item, languages, _me())
    except accounts.AccountError as exc:
        db.session.rollback()
        flash(_error(exc), "error")
        return _user_page(item, 400)
    flash(gettext("Saved."), "ok")
    return redirect(url_for("console.user", user_id=user_id))


@bp.post("/users/<int:user_id>/active")
@login_required
def user_active(user_id: int) -> Response:
    """Disable or enable an account."""
    _require_admin()
    item = _user_or_404(user_id)
    try:
        accounts.set_active(item, request.form.get("active") == "1", _me())
        flash(gettext("Enabled.") if item.active else gettext("Disabled."), "ok")
    except accounts.AccountError as exc:
        flash(_error(exc), "error")
    return redirect(url_for("console.user", user_id=user_id))


@bp.post("/users/<int:user_id>/reset-password")
@login_required
def user_reset_password(user_id: int) -> Any:
    """Give an account a new one-time password, shown once."""
    _require_admin()
    item = _user_or_404(user_id)
    if request.form.get("confirm") != "yes":
        flash(gettext("Tick the box to confirm the reset."), "error")
        return redirect(url_for("console.user", user_id=user_id))
    return _one_time(item, accounts.reset_password(item, _me()))
