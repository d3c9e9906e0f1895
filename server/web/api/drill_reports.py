"""A drill's after-action report and its ratings over the API."""

from __future__ import annotations

from flask import Response, jsonify

from server.core import validation
from server.core.auth import api_user, require_role
from server.drills import evaluation, report
from server.web import scope
from server.web.api.blueprint import bp
from server.words import EVALUATORS, STAFF, Role


@bp.get("/drills/<int:drill_id>/report")
@require_role(*EVALUATORS, *STAFF)
@scope.allow(Role.EVALUATOR)
def drill_report(drill_id: int) -> Response:
    """The AAR/IP as JSON: timeline, measures, ratings, language times, lessons, plan."""
    return jsonify(report.build(evaluation.get_drill(drill_id)))


@bp.post("/drills/<int:drill_id>/injects/<key>/evaluations")
@require_role(*EVALUATORS)
@scope.allow(Role.EVALUATOR)
def drill_rate(drill_id: int, key: str) -> tuple[Response, int]:
    """Rate a released inject: {"rating": "met" | "partly" | "not_met", "note": "…"}."""
    drill = evaluation.get_drill(drill_id)
    user = api_user()
    assert user is not None  # require_role let the call through
    row = evaluation.rate(drill, key, validation.json_body(), user)
    body = {
        "id": row.id,
        "drill_id": drill.id,
        "inject": key,
        "rating": row.rating,
        "note": row.note,
        "created_at": row.created_at.isoformat(),
    }
    return jsonify(body), 201
