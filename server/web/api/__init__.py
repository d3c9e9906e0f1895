"""The JSON API under /api/v1/: one route module per resource."""

from __future__ import annotations

from server.web.api import (  # noqa: F401  (each module adds its routes to the blueprint)
    announcements,
    boards,
    inquiries,
    knowledge,
    languages,
    memory,
    needs,
    requests,
    review,
    shelter_registry,
    shelters,
    translate,
)
from server.web.api.blueprint import bp

__all__ = ["bp"]
