"""The JSON API under /api/v1/."""

from __future__ import annotations

from flask import Blueprint

from server.core.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer tokens, not cookies, authorise writes here

from server.web.api import (  # noqa: E402,F401
    announcements,
    boards,
    inquiries,
    knowledge,
    languages,
    memory,
    review,
    shelters,
    translate,
)
