"""Console report pages: the daily statistics with local SVG charts, and CSV export."""

from __future__ import annotations

from datetime import date

from flask import Response, abort, render_template, request
from flask_login import current_user, login_required

from server.core import clock
from server.core.extensions import db
from server.inquiries import reports
from server.models import AuditLog
from server.web.console.blueprint import bp
from server.words import STAFF, WRITERS, Role


@bp.get("/reports")
@login_required
def report_daily() -> str:
    """Statistics of one day (?day=YYYY-MM-DD, default today in the center's zone)."""
    if current_user.role not in STAFF:
        abort(403)
    try:
        day = (
            date.fromisoformat(request.args["day"])
            if request.args.get("day")
            else clock.today().date()
        )
    except ValueError:
        day = clock.today().date()
    return render_template("console/report.html", r=reports.daily(day))


@bp.get("/reports/inquiries.csv")
@login_required
def report_csv() -> Response:
    """Export inquiries; ``?personal=1`` adds personal fields (admins only, audited)."""
    personal = request.args.get("personal") == "1"
    if current_user.role not in WRITERS or (personal and current_user.role != Role.ADMIN):
        abort(403)
    if personal:
        db.session.add(
            AuditLog(
                user_id=current_user.id,
                action="export_personal",
                object_type="inquiries",
                remote_addr=request.remote_addr,
            )
        )
        db.session.commit()
    name = "inquiries-personal.csv" if personal else "inquiries.csv"
    return Response(
        reports.inquiries_csv(personal),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
