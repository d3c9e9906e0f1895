"""Read-only knowledge of the center: phrasebook, glossary and the operating manual."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

import manuals
from server.core import validation
from server.core.errors import ApiError
from server.web.api.blueprint import bp
from translations import glossary, phrasebook


def template_json(template: phrasebook.Template) -> dict[str, Any]:
    """Render a phrasebook template with its review state per language."""
    return {
        "id": template.id,
        "category": template.category,
        "keywords": list(template.keywords),
        "slots": dict(template.slots),
        "text": dict(template.text),
        "review": {
            lang: (
                {
                    "state": "reviewed",
                    "by": template.reviews[lang].by,
                    "on": template.reviews[lang].on,
                }
                if template.reviewed(lang)
                else {"state": "draft"}
            )
            for lang in template.text
        },
    }


@bp.get("/phrasebook")
def list_phrasebook() -> Response:
    """List templates; ``?category=`` and ``?q=`` (Japanese, English, romaji or id) filter."""
    category = request.args.get("category") or None
    if category and category not in validation.CATEGORIES:
        raise validation.bad("category", f"unknown category {category!r}")
    query = request.args.get("q", "")[:100]
    return jsonify([template_json(t) for t in phrasebook.search(query, category)])


@bp.get("/phrasebook/<template_id>")
def get_template(template_id: str) -> Response:
    """Return one template."""
    template = phrasebook.load().get(template_id)
    if template is None:
        raise ApiError(404, "not_found", f"no phrasebook template {template_id!r}")
    return jsonify(template_json(template))


@bp.get("/glossary")
def list_glossary() -> Response:
    """List glossary terms; ``?q=`` searches, ``?lang=`` limits the search to one language."""
    query = request.args.get("q", "")[:100]
    lang = request.args.get("lang") or None
    try:
        terms = glossary.search(query, lang) if query else list(glossary.load_glossary())
    except ValueError as exc:
        raise validation.bad("lang", str(exc)) from None
    return jsonify(
        [
            {
                "id": t.id,
                "category": t.category,
                "reading": t.reading,
                "text": dict(t.text),
                "note": t.note,
            }
            for t in terms
        ]
    )


def _manual(loader: Any, *args: str) -> Response:
    try:
        return jsonify(loader(*args))
    except manuals.UnknownEntryError as exc:
        raise ApiError(404, "not_found", str(exc)) from None


@bp.get("/manuals/phases")
def manual_phases() -> Response:
    """The center's phases with entry criteria and checklists."""
    return _manual(manuals.load_phases)


@bp.get("/manuals/teams")
def manual_teams() -> Response:
    """The teams of a center and their duties."""
    return _manual(manuals.load_teams)


@bp.get("/manuals/categories")
def manual_categories() -> Response:
    """Inquiry categories with stable codes."""
    return _manual(manuals.load_inquiry_categories)


@bp.get("/manuals/forms")
def manual_forms() -> Response:
    """Names of the center's forms."""
    return _manual(manuals.list_forms)


@bp.get("/manuals/forms/<name>")
def manual_form(name: str) -> Response:
    """One form (shelter-round sheet, registration card)."""
    return _manual(manuals.load_form, name)


@bp.get("/manuals/drills")
def manual_drills() -> Response:
    """Drill scenarios."""
    return _manual(manuals.list_drills)


@bp.get("/manuals/drills/<drill_id>")
def manual_drill(drill_id: str) -> Response:
    """One drill scenario with its injects."""
    return _manual(manuals.load_drill, drill_id)
