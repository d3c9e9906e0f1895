"""Console pages of the activity log (活動記録): the timeline, filters, notes, corrections, CSV."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as BaseResponse

from manuals import loader
from server.core.errors import ApiError
from server.core.extensions import db
from server.operations import activity
from server.operations.words import ActivityKind
from server.web.console.blueprint import bp
from server.web.console.center import explain
from server.words import STAFF

LIMIT = 500


def _staff() -> None:
    if current_user.role not in STAFF:
        abort(403)


@bp.get("/activity")
@login_required
def activity_log() -> str:
    """The timeline, newest first, with filters by kind, team, language and time."""
    _staff()
    try:
        query = activity.filtered(request.args)
    except ApiError as exc:
        flash(explain(exc), "error")
        query = activity.filtered({})
    return render_template(
        "console/activity.html",
        entries=db.session.scalars(query.limit(LIMIT)).all(),
        users=activity.usernames(),
        kinds=list(ActivityKind),
        teams={t["id"]: t["name"] for t in loader.load_teams()},
        args=request.args,
    )


@bp.get("/activity.csv")
@login_required
def activity_log_csv() -> Response:
    """The filtered timeline as CSV."""
    _staff()
    try:
        query = activity.filtered(request.args)
    except ApiError:
        abort(400)
    return Response(
        activity.to_csv(db.session.scalars(query)),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="activity.csv"'},
    )


@bp.post("/activity")
@login_required
def activity_note() -> BaseResponse:
    """Write down a decision or a contact, or correct an earlier entry."""
    _staff()
    text = request.form.get("text", "").strip()[: activity.MAX_SUMMARY]
    if not text:
        flash(_("Write what happened first."), "error")
        return redirect(url_for("console.activity_log"))
    user = current_user._get_current_object()
    corrects = request.form.get("corrects", "")
    try:
        if corrects.isdigit():
            activity.correct(int(corrects), text, user)
        else:
            activity.note(text, user, request.form.get("team") or None)
        flash(_("Added to the activity log."), "ok")
    except ApiError as exc:
        flash(explain(exc), "error")
    return redirect(url_for("console.activity_log"))
