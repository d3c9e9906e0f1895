"""Signing in and out of the console."""

from __future__ import annotations

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from server.core.extensions import db
from server.core.security import verify_password
from server.models import User
from server.web.console.blueprint import bp


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    """Sign an operator in."""
    if request.method == "POST":
        username = request.form.get("username", "").strip()[:64]
        user = db.session.scalar(select(User).where(User.username == username))
        if (
            user
            and user.active
            and verify_password(user.password_hash, request.form.get("password", "")[:256])
        ):
            login_user(user)
            target = request.args.get("next", "")
            # Only follow local paths, never another site.
            return redirect(
                target
                if target.startswith("/") and not target.startswith("//")
                else url_for("console.dashboard")
            )
        flash(_("Wrong user name or password."), "error")
        return render_template("console/login.html"), 401  # type: ignore[return-value]
    return render_template("console/login.html")


@bp.get("/favicon.ico")
def favicon() -> Response:
    """The icon browsers ask for at the root (boards and resident pages too)."""
    assert current_app.static_folder is not None
    return send_from_directory(
        current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon", max_age=86400
    )


@bp.post("/logout")
@login_required
def logout() -> Response:
    """Sign out."""
    logout_user()
    return redirect(url_for("console.login"))
