"""The daily situation report over the API: JSON, CSV or PDF."""

from __future__ import annotations

from flask import Response, jsonify, request

from server.core.auth import require_role
from server.operations import situation
from server.web.api.blueprint import bp
from server.web.console.situation import situation_pdf
from server.words import STAFF


@bp.get("/reports/situation")
@require_role(*STAFF)
def get_situation() -> Response:
    """?day=YYYY-MM-DD (default today in Japan); ?format=json|csv|pdf."""
    report = situation.daily(situation.parse_day(request.args.get("day")))
    fmt = request.args.get("format", "json")
    name = f"situation-{report['day']}"
    if fmt == "csv":
        return Response(
            situation.to_csv(report),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    if fmt == "pdf":
        return Response(
            situation_pdf(report),
            mimetype="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{name}.pdf"'},
        )
    return jsonify({**report, "day": report["day"].isoformat()})
