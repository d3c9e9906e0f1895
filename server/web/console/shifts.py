"""Console page for shifts and handover (引き継ぎ)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from server.core.errors import ApiError
from server.core.extensions import db
from server.operations import activity, shifts
from server.web.console.blueprint import bp
from server.web.console.center import explain
from server.words import STAFF


def _staff() -> None:
    if current_user.role not in STAFF:
        abort(403)


@bp.get("/shifts", endpoint="shifts")
@login_required
def shifts_page() -> str:
    """Who is on duty, the latest shifts and their handover notes."""
    _staff()
    on_duty = shifts.on_duty()
    latest = shifts.recent()
    return render_template(
        "console/shifts.html",
        on_duty=on_duty,
        latest=latest,
        notes=shifts.handovers(s.id for s in [*on_duty, *latest]),
        users=activity.usernames(),
    )


@bp.post("/shifts")
@login_required
def shift_new() -> Response:
    """Plan a shift from the console form (one name per line)."""
    _staff()
    form = request.form
    try:
        shifts.create(
            form.get("label"),
            shifts.parse_time(form.get("starts_at"), "starts_at"),
            shifts.parse_time(form.get("ends_at"), "ends_at"),
            form.get("staff", "").splitlines(),
            form.get("volunteers", "").splitlines(),
            current_user._get_current_object(),
        )
        flash(_("Shift saved."), "ok")
    except ApiError as exc:
        db.session.rollback()
        flash(explain(exc), "error")
    return redirect(url_for("console.shifts"))


@bp.post("/shifts/<int:shift_id>/handover")
@login_required
def handover_new(shift_id: int) -> Response:
    """Write a shift's handover note."""
    _staff()
    try:
        shifts.write_handover(
            shift_id, request.form.get("note"), current_user._get_current_object()
        )
        flash(_("Handover written. The next shift acknowledges it here."), "ok")
    except ApiError as exc:
        flash(explain(exc), "error")
    return redirect(url_for("console.shifts") + f"#shift-{shift_id}")


@bp.post("/handovers/<int:handover_id>/acknowledge")
@login_required
def handover_ack(handover_id: int) -> Response:
    """Acknowledge a handover."""
    _staff()
    try:
        shifts.acknowledge(handover_id, current_user._get_current_object())
        flash(_("Handover acknowledged."), "ok")
    except ApiError as exc:
        flash(explain(exc), "error")
    return redirect(url_for("console.shifts") + f"#handover-{handover_id}")
