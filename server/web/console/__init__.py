"""The operator console: server-rendered pages, usable without a JavaScript build step."""

from __future__ import annotations

from server.web.console import (  # noqa: F401  (each module adds its pages to the blueprint)
    announcements,
    cards,
    inquiries,
    needs,
    reports,
    review,
    rounds,
    session,
    shelters,
    shelters_registry,
)
from server.web.console.blueprint import bp

__all__ = ["bp"]
