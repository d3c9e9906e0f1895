"""The closure report over the API: JSON, CSV or PDF, and its lessons."""

from __future__ import annotations

from typing import Any, cast

from flask import Response, jsonify, request

from server.core import validation
from server.core.auth import api_user, require_role
from server.models import User
from server.operations import closure
from server.web.api.blueprint import bp
from server.web.api.situation import report_file
from server.web.console.closure import closure_pdf
from server.words import STAFF


def _json(value: Any) -> Any:
    """Times as ISO 8601 strings, the rest as it is."""
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    return value.isoformat() if hasattr(value, "isoformat") else value


@bp.get("/reports/closure")
@require_role(*STAFF)
def get_closure() -> Response:
    """?activation=<phase change id> (default the latest); ?format=json|csv|pdf."""
    report = closure.report(closure.pick(request.args.get("activation")))
    name = f"closure-{report['activation_id']}"
    made = report_file(request.args.get("format"), name, report, closure.to_csv, closure_pdf)
    if made is not None:
        return made
    return jsonify(_json(report))


@bp.put("/reports/closure/lessons")
@require_role(*STAFF)
def put_closure_lessons() -> tuple[Response, int]:
    """Write the lessons of an activation: {"lessons": "...", "activation": id?}."""
    data = validation.json_body()
    act = closure.pick(str(data.get("activation") or "") or None)
    lessons = data.get("lessons")
    if not isinstance(lessons, str):
        raise validation.bad("lessons", "'lessons' must be a text", "required")
    row = closure.save_lessons(act, lessons, cast(User, api_user()))
    return jsonify({"activation_id": act.id, "lessons": row.text}), 200
