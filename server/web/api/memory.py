"""Translation memory as TMX: export to share, import what another association shared."""

from __future__ import annotations

from flask import Response, jsonify, request
from sqlalchemy import select

from server.core.auth import api_user, require_role
from server.core.errors import ApiError
from server.core.extensions import db
from server.models import MemoryEntry
from server.translation import memory, tmx
from server.web.api.blueprint import bp
from server.words import REVIEWERS, ROLES


@bp.get("/memory.tmx")
@require_role(*ROLES)
def export_memory() -> Response:
    """Download every memory entry as TMX 1.4."""
    entries = db.session.scalars(select(MemoryEntry).order_by(MemoryEntry.id))
    body = tmx.dump(
        tmx.Unit(e.source_lang, e.target_lang, e.source_text, e.target_text) for e in entries
    )
    return Response(
        body,
        mimetype="application/x-tmx+xml",
        headers={"Content-Disposition": 'attachment; filename="tagengo-memory.tmx"'},
    )


@bp.post("/memory.tmx")
@require_role(*REVIEWERS)
def import_memory() -> Response:
    """Import a TMX document; entries become reviewed memory (origin "import")."""
    if request.mimetype not in ("application/x-tmx+xml", "application/xml", "text/xml"):
        raise ApiError(415, "unsupported_media_type", "send the TMX as application/x-tmx+xml")
    try:
        units = tmx.load(request.get_data())
    except tmx.TmxError as exc:
        raise ApiError(400, "invalid_tmx", str(exc)) from None
    user = api_user()
    for unit in units:
        memory.remember(
            unit.source_lang,
            unit.target_lang,
            unit.source_text,
            unit.target_text,
            user.id if user else None,
            origin="import",
        )
    db.session.commit()
    return jsonify({"imported": len(units)})
