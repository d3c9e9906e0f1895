"""The operator console: server-rendered pages, usable without a JavaScript build step."""

from __future__ import annotations

from server.web.console import (  # noqa: F401  (each module adds its pages to the blueprint)
    activity,
    announcements,
    cards,
    center,
    closure,
    display,
    drill_review,
    drills,
    inquiries,
    mail,
    needs,
    posters,
    reports,
    request_queue,
    requests,
    review,
    roster,
    rounds,
    session,
    shelters,
    shelters_registry,
    shifts,
    situation,
    users,
)
from server.web.console.blueprint import bp

__all__ = ["bp"]
