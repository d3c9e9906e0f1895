"""The API blueprint, apart from the package so that route modules import it without a cycle."""

from __future__ import annotations

from flask import Blueprint

from server.core.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer tokens, not cookies, authorise writes here
