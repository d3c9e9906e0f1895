"""The console blueprint, apart from the package so that page modules import it without a cycle."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("console", __name__)
