"""One shelter's registry entry, status history and census; where each language's speakers are."""

from __future__ import annotations

from flask import Response, jsonify

from server.core import validation
from server.core.auth import api_user, require_role
from server.core.extensions import db
from server.shelters import census, registry
from server.web.api.blueprint import bp
from server.words import WRITERS


def _detail(shelter_id: int) -> Response:
    shelter = registry.get(shelter_id)
    return jsonify(
        {
            **registry.as_json(shelter),
            "census": census.of(shelter).as_json(),
            "census_updated_at": shelter.census_updated_at.isoformat()
            if shelter.census_updated_at
            else None,
            "status_history": [
                {
                    "status": c.status,
                    "note": c.note,
                    "user_id": c.user_id,
                    "at": c.created_at.isoformat(),
                }
                for c in registry.history(shelter)
            ],
        }
    )


@bp.get("/shelters/<int:shelter_id>")
@require_role()
def shelter_detail(shelter_id: int) -> Response:
    """One shelter with its census and status history."""
    return _detail(shelter_id)


@bp.patch("/shelters/<int:shelter_id>")
@require_role(*WRITERS)
def shelter_update(shelter_id: int) -> Response:
    """Change registry fields; a new status goes into the history."""
    shelter = registry.get(shelter_id)
    fields = registry.parse(validation.json_body(), creating=False)
    registry.update(shelter, fields, api_user())
    return _detail(shelter_id)


@bp.put("/shelters/<int:shelter_id>/census")
@require_role(*WRITERS)
def census_replace(shelter_id: int) -> Response:
    """Replace census counts: any of languages, diet, care (objects of counts), foreign_count."""
    shelter = registry.get(shelter_id)
    data = validation.json_body()
    counts = census.parse(data)
    foreign = registry.count(data, "foreign_count")
    census.replace(shelter, counts)
    if foreign is not None:
        shelter.foreign_count = foreign
    db.session.commit()
    return _detail(shelter_id)


@bp.get("/census/languages")
@require_role()
def census_languages() -> Response:
    """Per language, the shelters where its speakers are and how many."""
    return jsonify(
        {
            lang: [{"shelter_id": s.id, "name_ja": s.name_ja, "count": n} for s, n in places]
            for lang, places in census.by_language().items()
        }
    )
