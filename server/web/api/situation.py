"""The daily situation report over the API: JSON, CSV or PDF."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, jsonify, request

from server.core.auth import require_role
from server.operations import situation
from server.web.api.blueprint import bp
from server.web.console.situation import situation_pdf
from server.words import STAFF


def report_file(
    fmt: str | None,
    name: str,
    report: dict[str, Any],
    to_csv: Callable[[dict[str, Any]], str],
    to_pdf: Callable[[dict[str, Any]], bytes],
) -> Response | None:
    """A report as ``?format=csv`` (download) or ``pdf`` (inline); None means JSON."""
    body: str | bytes
    if fmt == "csv":
        disposition, body, mimetype = "attachment", to_csv(report), "text/csv"
    elif fmt == "pdf":
        disposition, body, mimetype = "inline", to_pdf(report), "application/pdf"
    else:
        return None
    headers = {"Content-Disposition": f'{disposition}; filename="{name}.{fmt}"'}
    return Response(body, mimetype=mimetype, headers=headers)


@bp.get("/reports/situation")
@require_role(*STAFF)
def get_situation() -> Response:
    """?day=YYYY-MM-DD (default today in Japan); ?format=json|csv|pdf."""
    report = situation.daily(situation.parse_day(request.args.get("day")))
    name = f"situation-{report['day']}"
    made = report_file(request.args.get("format"), name, report, situation.to_csv, situation_pdf)
    if made is not None:
        return made
    return jsonify({**report, "day": report["day"].isoformat()})
