"""Console pages of a drill's evaluation and its after-action report (HTML, CSV, PDF).

Evaluator accounts reach these pages and no others (``scope.allow``); directors and admins
rate too, and staff may read the report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as BaseResponse

from server.core.errors import ApiError
from server.core.extensions import db
from server.drills import evaluation, report
from server.drills.models import Drill
from server.operations import pdf
from server.web import scope
from server.web.console.blueprint import bp
from server.web.console.center import explain
from server.words import EVALUATORS, STAFF, Role

READERS = (*EVALUATORS, *STAFF)
PRINT_CSS = """
@page { size: A4 landscape; margin: 12mm 10mm;
  @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; } }
body { font-family: "Noto Sans", "Noto Sans Thai", "Noto Sans Devanagari", "Noto Sans Myanmar",
  "Noto Sans JP", "Noto Sans KR", "Noto Sans SC", "Noto Sans TC", sans-serif; font-size: 8.5pt; }
:lang(ja) { font-family: "Noto Sans JP", "Noto Sans", "Noto Sans Thai", "Noto Sans Devanagari",
  "Noto Sans Myanmar", "Noto Sans KR", "Noto Sans SC", "Noto Sans TC", sans-serif; }
h1 { font-size: 14pt; margin: 0 0 3mm; } h2 { font-size: 11pt; margin: 5mm 0 2mm; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 0.5pt solid #999; padding: 0.8mm 1.5mm; text-align: left; vertical-align: top; }
td.n { text-align: right; } .over, .not_done { color: #b00020; } .within { color: #1e6b30; }
p.lessons { white-space: pre-wrap; } ul { margin: 0; padding-left: 3mm; } p { margin: 0.5mm 0; }
"""
KINDS = {
    "news": lazy_gettext("News"),
    "inquiry": lazy_gettext("Inquiry"),
    "shelter_report": lazy_gettext("Shelter report"),
    "phase_change": lazy_gettext("Phase change"),
    "translation_request": lazy_gettext("Translation request"),
}
MEASURES = {
    "released": lazy_gettext("Released"),
    "published": lazy_gettext("Announcement published"),
    "on_boards": lazy_gettext("Every language on boards"),
    "reply_in_language": lazy_gettext("First reply in the resident's language"),
    "first_reply": lazy_gettext("First reply"),
    "needs_addressed": lazy_gettext("Needs addressed"),
    "phase_decided": lazy_gettext("Phase change decided"),
    "delivered": lazy_gettext("Request delivered"),
}
VERDICTS = {
    "within": lazy_gettext("within target"),
    "over": lazy_gettext("over target"),
    "not_done": lazy_gettext("not done"),
    "not_released": lazy_gettext("not released"),
}
RATINGS = {
    "met": lazy_gettext("met"),
    "partly": lazy_gettext("partly met"),
    "not_met": lazy_gettext("not met"),
}
ERRORS = {
    "drill_not_started": lazy_gettext("This drill was never started: there is nothing to rate."),
    "not_released": lazy_gettext("This inject was not released: there is nothing to rate."),
    "unknown_inject": lazy_gettext("This drill has no such inject."),
    "too_long": lazy_gettext("Not saved: the text is too long."),
    "unknown_improvement": lazy_gettext("There is no such row in the improvement plan."),
}


def _explain(exc: ApiError) -> str:
    if exc.code in ERRORS:
        return str(ERRORS[exc.code])
    if exc.field == "rating":
        return str(_("Choose met, partly met or not met."))
    if exc.field == "due_date":
        return str(_("Not saved: %(message)s", message=exc.message))
    return explain(exc)


def _drill(drill_id: int, roles: tuple[str, ...]) -> Drill:
    if current_user.role not in roles:
        abort(403)
    return db.session.get(Drill, drill_id) or abort(404)


def _label(table: dict[str, Any], key: str | None) -> str:
    return str(table.get(key or "", key or ""))


def context(aar: dict[str, Any]) -> dict[str, Any]:
    """What the report templates need besides the report."""
    return {
        "r": aar,
        "local": report.local,
        "kind_label": lambda k: _label(KINDS, k),
        "measure_label": lambda k: _label(MEASURES, k),
        "verdict_label": lambda k: _label(VERDICTS, k),
        "rating_label": lambda k: _label(RATINGS, k),
        "ratings": list(RATINGS),
        "max_note": evaluation.MAX_NOTE,
    }


def report_pdf(aar: dict[str, Any]) -> bytes:
    """Render the report as PDF (WeasyPrint, the vendored fonts, nothing from the network)."""
    html = render_template("console/drill_report_print.html", **context(aar))
    vendor = Path(current_app.static_folder or "") / "vendor"
    return pdf.render(html, vendor, PRINT_CSS)


def _user() -> Any:
    return current_user._get_current_object()


@bp.route("/drills/<int:drill_id>/evaluate", methods=["GET", "POST"])
@login_required
@scope.allow(Role.EVALUATOR)
def drill_evaluate(drill_id: int) -> str | BaseResponse:
    """Each released inject with its expected action, target and measures; rate it."""
    drill = _drill(drill_id, EVALUATORS)
    if request.method == "POST":
        key = request.form.get("inject", "")
        try:
            evaluation.rate(drill, key, request.form, _user())
            flash(_("Rating recorded."), "ok")
        except ApiError as exc:
            db.session.rollback()
            flash(_explain(exc), "error")
        anchor = f"inject-{key}" if key.isidentifier() else None
        return redirect(url_for("console.drill_evaluate", drill_id=drill_id, _anchor=anchor))
    return render_template("console/drill_evaluate.html", **context(report.build(drill)))


@bp.get("/drills/<int:drill_id>/report")
@login_required
@scope.allow(Role.EVALUATOR)
def drill_report(drill_id: int) -> str:
    """The after-action report with its improvement plan."""
    drill = _drill(drill_id, READERS)
    return render_template(
        "console/drill_report.html",
        may_edit=current_user.role in EVALUATORS,
        **context(report.build(drill)),
    )


def _edit(drill_id: int, change: Any, done: str) -> BaseResponse:
    drill = _drill(drill_id, EVALUATORS)
    try:
        change(drill)
        flash(done, "ok")
    except ApiError as exc:
        db.session.rollback()
        flash(_explain(exc), "error")
    return redirect(url_for("console.drill_report", drill_id=drill_id))


@bp.post("/drills/<int:drill_id>/report/lessons")
@login_required
@scope.allow(Role.EVALUATOR)
def drill_lessons(drill_id: int) -> BaseResponse:
    """Save the strengths and the areas to improve."""
    return _edit(
        drill_id,
        lambda d: evaluation.set_lessons(d, request.form, _user()),
        _("Saved."),
    )


@bp.post("/drills/<int:drill_id>/report/plan")
@login_required
@scope.allow(Role.EVALUATOR)
def drill_plan_add(drill_id: int) -> BaseResponse:
    """Add a row to the improvement plan."""
    return _edit(
        drill_id,
        lambda d: evaluation.add_improvement(d, request.form, _user()),
        _("Added to the improvement plan."),
    )


@bp.post("/drills/<int:drill_id>/report/plan/<int:row_id>/remove")
@login_required
@scope.allow(Role.EVALUATOR)
def drill_plan_remove(drill_id: int, row_id: int) -> BaseResponse:
    """Remove a row of the improvement plan."""
    return _edit(
        drill_id,
        lambda d: evaluation.remove_improvement(d, row_id, _user()),
        _("Removed from the improvement plan."),
    )


@bp.get("/drills/<int:drill_id>/report.csv")
@login_required
@scope.allow(Role.EVALUATOR)
def drill_report_csv(drill_id: int) -> Response:
    """The report as CSV: a row per inject measure, per language and per plan row."""
    drill = _drill(drill_id, READERS)
    return Response(
        report.to_csv(report.build(drill)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="drill-{drill.id}-aar.csv"'},
    )


@bp.get("/drills/<int:drill_id>/report.pdf")
@login_required
@scope.allow(Role.EVALUATOR)
def drill_report_pdf(drill_id: int) -> Response:
    """The report as PDF."""
    drill = _drill(drill_id, READERS)
    return Response(
        report_pdf(report.build(drill)),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="drill-{drill.id}-aar.pdf"'},
    )
