"""Scoped accounts: requesters, remote translators and drill evaluators reach only their pages.

Every console page and API route is closed to these roles unless its view is marked with
``allow(...)``: a page added later is closed by default, so a remote translator can never
open an inquiry, a roster contact or an admin page by a link nobody thought of.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from server.core.auth import api_user
from server.core.errors import ApiError
from server.words import SCOPED, Role

F = TypeVar("F", bound=Callable[..., Any])
OPEN_ENDPOINTS = {"console.login", "console.logout", "console.invite_accept"}
HOME = {
    Role.REQUESTER: "console.my_requests",
    Role.REMOTE: "console.request_queue",
    Role.EVALUATOR: "console.drills",
}


def allow(*roles: Role) -> Callable[[F], F]:
    """Mark a view as open to these scoped roles (staff roles are checked by the view)."""

    def mark(view: F) -> F:
        view.scoped_roles = frozenset(roles)  # type: ignore[attr-defined]
        return view

    return mark


def _allowed(role: str) -> bool:
    if request.endpoint in OPEN_ENDPOINTS or request.endpoint is None:
        return True
    view = current_app.view_functions.get(request.endpoint)
    return role in getattr(view, "scoped_roles", ())


def guard_console() -> Response | None:
    """Send a scoped account home from the dashboard; refuse every page not marked for it."""
    if not current_user.is_authenticated or current_user.role not in SCOPED:
        return None
    if request.endpoint == "console.dashboard":
        return redirect(url_for(HOME[Role(current_user.role)]))
    if not _allowed(current_user.role):
        abort(403)
    return None


def guard_api() -> None:
    """Refuse API routes not marked for the caller's scoped role."""
    user = api_user()
    if user is not None and user.role in SCOPED and not _allowed(user.role):
        raise ApiError(403, "forbidden", "this account may use the request routes only")
