"""The activity log (活動記録) over the API: read, filter, export, add notes and corrections."""

from __future__ import annotations

from typing import cast

from flask import Response, jsonify, request

from server.core import validation
from server.core.auth import api_user, require_role
from server.core.extensions import db
from server.models import User
from server.operations import activity
from server.web.api.blueprint import bp
from server.words import STAFF

LIMIT = 1000


@bp.get("/activity")
@require_role(*STAFF)
def list_activity() -> Response:
    """Entries, newest first, filtered by ?kind=&team=&lang=&since=&until=."""
    entries = db.session.scalars(activity.filtered(request.args).limit(LIMIT))
    users = activity.usernames()
    return jsonify([activity.as_json(e, users) for e in entries])


@bp.get("/activity.csv")
@require_role(*STAFF)
def activity_csv() -> Response:
    """The filtered timeline as CSV."""
    entries = db.session.scalars(activity.filtered(request.args))
    return Response(
        activity.to_csv(entries),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="activity.csv"'},
    )


@bp.post("/activity")
@require_role(*STAFF)
def post_note() -> tuple[Response, int]:
    """Write down a decision or contact: {"text", "team"?}."""
    data = validation.json_body()
    entry = activity.note(
        validation.text(data, "text", required=True, max_chars=activity.MAX_SUMMARY) or "",
        cast(User, api_user()),
        validation.text(data, "team", max_chars=32),
    )
    return jsonify(activity.as_json(entry, activity.usernames())), 201


@bp.post("/activity/<int:entry_id>/corrections")
@require_role(*STAFF)
def post_correction(entry_id: int) -> tuple[Response, int]:
    """Correct an entry with a new one: {"text"}; the old entry is never edited."""
    data = validation.json_body()
    entry = activity.correct(
        entry_id,
        validation.text(data, "text", required=True, max_chars=activity.MAX_SUMMARY) or "",
        cast(User, api_user()),
    )
    return jsonify(activity.as_json(entry, activity.usernames())), 201
