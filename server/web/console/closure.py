"""Console pages of the closure report: HTML with the lessons form, CSV and PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as BaseResponse

from manuals import loader
from server.core.errors import ApiError
from server.operations import closure, pdf, phases
from server.web.console.blueprint import bp
from server.web.console.center import explain
from server.web.console.situation import PRINT_CSS
from server.words import STAFF


def _context(report: dict[str, Any]) -> dict[str, Any]:
    titles = {p["id"]: p["title"] for p in loader.load_phases()}
    return {"r": report, "phase_titles": titles, "activations": phases.activations()}


def closure_pdf(report: dict[str, Any]) -> bytes:
    """Render the report as PDF (WeasyPrint, the vendored fonts, nothing from the network)."""
    html = render_template("console/closure_print.html", **_context(report))
    vendor = Path(current_app.static_folder or "") / "vendor"
    return pdf.render(html, vendor, PRINT_CSS)


def _report() -> dict[str, Any]:
    if current_user.role not in STAFF:
        abort(403)
    return closure.report(closure.pick(request.args.get("activation")))


def _file(report: dict[str, Any], body: bytes | str, kind: str, mimetype: str) -> Response:
    name = f"closure-{report['activation_id']}.{kind}"
    how = "attachment" if kind == "csv" else "inline"
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f'{how}; filename="{name}"'}
    )


@bp.get("/reports/closure")
@login_required
def closure_report() -> str | BaseResponse:
    """The closure report of the latest activation (or of ?activation=) as a page."""
    try:
        report = _report()
    except ApiError as exc:
        if exc.code == "never_activated":
            return render_template("console/closure.html", r=None, activations=[])
        flash(explain(exc), "error")
        return redirect(url_for("console.closure_report"))
    return render_template("console/closure.html", **_context(report))


@bp.post("/reports/closure/lessons")
@login_required
def closure_lessons() -> BaseResponse:
    """Save the lessons section of an activation's report."""
    if current_user.role not in STAFF:
        abort(403)
    activation = request.form.get("activation")
    try:
        act = closure.pick(activation)
        closure.save_lessons(act, request.form.get("lessons"), current_user._get_current_object())
        flash(_("The lessons are saved."), "ok")
    except ApiError as exc:
        flash(explain(exc), "error")
    return redirect(url_for("console.closure_report", activation=activation) + "#lessons")


@bp.get("/reports/closure.csv")
@login_required
def closure_csv() -> Response:
    """The closure report as CSV."""
    try:
        report = _report()
    except ApiError as exc:
        return Response(explain(exc), status=exc.status, mimetype="text/plain")
    return _file(report, closure.to_csv(report), "csv", "text/csv")


@bp.get("/reports/closure.pdf")
@login_required
def closure_pdf_page() -> Response:
    """The closure report as PDF."""
    try:
        report = _report()
    except ApiError as exc:
        return Response(explain(exc), status=exc.status, mimetype="text/plain")
    return _file(report, closure_pdf(report), "pdf", "application/pdf")
