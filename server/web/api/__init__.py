"""The JSON API under /api/v1/: one route module per resource."""

from __future__ import annotations

from server.web.api import (  # noqa: F401  (each module adds its routes to the blueprint)
    activity,
    announcements,
    boards,
    center,
    closure,
    drill_reports,
    drills,
    inquiries,
    knowledge,
    languages,
    mail,
    memory,
    needs,
    posters,
    requests,
    review,
    shelter_registry,
    shelters,
    shifts,
    situation,
    translate,
)
from server.web.api.blueprint import bp

__all__ = ["bp"]
