"""Review queue: approve or correct machine translations (reviewers and admins)."""

from __future__ import annotations

from flask import Response, jsonify, request

from server.core import validation
from server.core.auth import api_user, require_role
from server.translation import review
from server.web.api.blueprint import bp
from server.words import REVIEWERS
from translations import languages


@bp.get("/review")
@require_role(*REVIEWERS)
def review_queue() -> Response:
    """List unreviewed machine translations; ``?lang=`` filters one language."""
    lang = request.args.get("lang")
    if lang and languages.normalize(lang) is None:
        raise validation.bad("lang", f"unknown language {lang!r}")
    rows = review.queue(languages.normalize(lang) if lang else None)
    return jsonify([review.translation_json(t, a, text) for t, a, text in rows])


@bp.post("/translations/<int:translation_id>/review")
@require_role(*REVIEWERS)
def review_translation(translation_id: int) -> Response:
    """Approve (``{"action": "approve"}``) or correct (``{"action": "correct", "text": …}``)."""
    data = validation.json_body()
    action = validation.choice(data, "action", ("approve", "correct"), "approve")
    text = validation.text(data, "text", required=action == "correct")
    user = api_user()
    assert user is not None  # require_role guarantees it
    row = review.review(translation_id, user, text if action == "correct" else None)
    return jsonify(
        {
            "id": row.id,
            "lang": row.lang,
            "text": row.text,
            "method": row.method,
            "reviewed": row.reviewed,
            "event_seq": row.event_seq,
        }
    )
