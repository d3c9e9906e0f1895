"""The center's operating manual as validated data: phases, teams, categories, forms, drills."""

from manuals.errors import ManualError, UnknownEntryError
from manuals.loader import (
    checklist,
    clear_cache,
    get_phase,
    list_drills,
    list_forms,
    load_document,
    load_drill,
    load_form,
    load_inquiry_categories,
    load_phases,
    load_teams,
    next_phases,
)
from manuals.records import CENTER_LANGUAGES

__all__ = [
    "CENTER_LANGUAGES",
    "ManualError",
    "UnknownEntryError",
    "checklist",
    "clear_cache",
    "get_phase",
    "list_drills",
    "list_forms",
    "load_document",
    "load_drill",
    "load_form",
    "load_inquiry_categories",
    "load_phases",
    "load_teams",
    "next_phases",
]
