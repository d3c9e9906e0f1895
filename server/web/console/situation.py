"""Console pages of the daily situation report: HTML, CSV and PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as BaseResponse

from manuals import loader
from server.core.errors import ApiError
from server.operations import pdf, situation
from server.web.console.blueprint import bp
from server.web.console.center import explain
from server.words import STAFF

PRINT_CSS = """
@page { size: A4; margin: 14mm 12mm;
  @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; } }
body { font-family: "Noto Sans", "Noto Sans Thai", "Noto Sans Devanagari", "Noto Sans Myanmar",
  "Noto Sans JP", "Noto Sans KR", "Noto Sans SC", "Noto Sans TC", sans-serif; font-size: 9.5pt; }
:lang(ja) { font-family: "Noto Sans JP", "Noto Sans", "Noto Sans Thai", "Noto Sans Devanagari",
  "Noto Sans Myanmar", "Noto Sans KR", "Noto Sans SC", "Noto Sans TC", sans-serif; }
h1 { font-size: 15pt; margin: 0 0 4mm; } h2 { font-size: 11pt; margin: 5mm 0 2mm; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 0.5pt solid #999; padding: 1mm 2mm; text-align: left; }
td.n { text-align: right; }
"""


def _context(report: dict[str, Any]) -> dict[str, Any]:
    phases = {p["id"]: p["title"] for p in loader.load_phases()}
    return {"r": report, "phase_titles": phases}


def situation_pdf(report: dict[str, Any]) -> bytes:
    """Render the report as PDF (WeasyPrint, the vendored fonts, nothing from the network)."""
    html = render_template("console/situation_print.html", **_context(report))
    vendor = Path(current_app.static_folder or "") / "vendor"
    return pdf.render(html, vendor, PRINT_CSS)


def _report() -> dict[str, Any]:
    if current_user.role not in STAFF:
        abort(403)
    return situation.daily(situation.parse_day(request.args.get("day")))


@bp.get("/reports/situation")
@login_required
def situation_report() -> str | BaseResponse:
    """The day's situation report as a page."""
    try:
        report = _report()
    except ApiError as exc:
        flash(explain(exc), "error")
        return redirect(url_for("console.situation_report"))
    return render_template("console/situation.html", **_context(report))


@bp.get("/reports/situation.csv")
@login_required
def situation_csv() -> Response:
    """The day's situation report as CSV."""
    try:
        report = _report()
    except ApiError as exc:
        return Response(explain(exc), status=exc.status, mimetype="text/plain")
    return Response(
        situation.to_csv(report),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="situation-{report["day"]}.csv"'},
    )


@bp.get("/reports/situation.pdf")
@login_required
def situation_pdf_page() -> Response:
    """The day's situation report as PDF."""
    try:
        report = _report()
    except ApiError as exc:
        return Response(explain(exc), status=exc.status, mimetype="text/plain")
    return Response(
        situation_pdf(report),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="situation-{report["day"]}.pdf"'},
    )
