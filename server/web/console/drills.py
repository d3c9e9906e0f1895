"""Console pages of drills: scenarios and runs, the controller's run page, incoming news.

Directors (and admins) control a run; evaluators see the same pages without the buttons.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from manuals import loader
from server.core import clock as center_clock
from server.core.errors import ApiError
from server.drills import reset, runner, scenario
from server.drills.models import Drill
from server.drills.views import drill_json
from server.drills.words import DrillStatus, InjectKind, InjectStatus
from server.web import scope
from server.web.console import confirm
from server.web.console.blueprint import bp
from server.words import DIRECTORS, EVALUATORS, Role

STEPS = {"pause": runner.pause, "resume": runner.resume, "finish": runner.finish}


def _may_see() -> None:
    if current_user.role not in EVALUATORS:
        abort(403)


def _may_control() -> None:
    if current_user.role not in DIRECTORS:
        abort(403)


def incoming() -> list[dict[str, Any]]:
    """Released news of running drills, for the participants' panel, with a compose link."""
    out = []
    for inject, content in runner.incoming_news():
        ref = content.get("phrasebook") or {}
        slots = {f"slot_{k}": v for k, v in (ref.get("slots") or {}).items()}
        out.append(
            {
                "text": content["ja"],
                "source": content.get("source"),
                "template": ref.get("template"),
                "released_at": inject.released_at,
                "compose_url": url_for(
                    "console.compose",
                    template=ref.get("template", ""),
                    drill_inject=inject.id,
                    **slots,
                ),
            }
        )
    return out


def status_labels() -> dict[str, str]:
    """Drill and inject statuses in the console's language."""
    return {
        DrillStatus.RUNNING: _("running"),
        DrillStatus.PAUSED: _("paused"),
        DrillStatus.FINISHED: _("finished"),
        DrillStatus.RESET: _("reset"),
        InjectStatus.SCHEDULED: _("scheduled"),
        InjectStatus.RELEASED: _("released"),
        InjectStatus.SKIPPED: _("skipped"),
    }


def kind_labels() -> dict[str, str]:
    """Inject kinds in the console's language."""
    return {
        InjectKind.NEWS: _("news"),
        InjectKind.INQUIRY: _("inquiry"),
        InjectKind.SHELTER_REPORT: _("shelter report"),
        InjectKind.PHASE_CHANGE: _("phase change"),
        InjectKind.TRANSLATION_REQUEST: _("translation request"),
    }


@bp.app_context_processor
def _drill_words() -> dict[str, Any]:
    # Functions: the queries and lookups run only on the pages that use them.
    return {
        "drill_news": incoming,
        "drill_status_labels": status_labels,
        "drill_status_label": lambda k: status_labels().get(k, k),
        "inject_status_label": lambda k: status_labels().get(k, k),
        "inject_kind_label": lambda k: kind_labels().get(k, k),
    }


@bp.get("/drills")
@login_required
@scope.allow(Role.EVALUATOR)
def drills() -> str:
    """The bundled scenarios (start one), an upload form, and every run."""
    _may_see()
    return render_template(
        "console/drills.html",
        scenarios=scenario.list_bundled(),
        runs=runner.runs(),
        may_control=current_user.role in DIRECTORS,
        speeds=(1, 10, 30, 60, 120, 600),
    )


@bp.post("/drills/start")
@login_required
def drill_start() -> Response:
    """Start a bundled or uploaded scenario at the chosen speed."""
    _may_control()
    try:
        upload = request.files.get("file")
        if upload is not None and upload.filename:
            source = scenario.parse_upload(upload.read(scenario.MAX_BYTES + 1))
        else:
            source = scenario.load_bundled(request.form.get("scenario", ""))
        drill = runner.start(source, current_user._get_current_object(), request.form.get("speed"))
    except ApiError as exc:
        where = f" ({exc.field})" if exc.field else ""
        flash(_("The drill did not start: %(message)s", message=exc.message + where), "error")
        return redirect(url_for("console.drills"))
    flash(_("Drill started."), "ok")
    return redirect(url_for("console.drill", drill_id=drill.id))


def _drill(drill_id: int) -> Drill:
    try:
        return runner.get(drill_id)
    except ApiError:
        abort(404)


@bp.get("/drills/<int:drill_id>")
@login_required
@scope.allow(Role.EVALUATOR)
def drill(drill_id: int) -> str:
    """The run: its clock, each inject's schedule and release, the controller's buttons."""
    _may_see()
    item = _drill(drill_id)
    return render_template(
        "console/drill.html",
        drill=item,
        minutes=runner.scenario_minutes(item),
        contents={i["id"]: i for i in item.scenario["injects"]},
        may_control=current_user.role in DIRECTORS,
        zone=center_clock.zone_name(),
        phase_titles={p["id"]: p["title"] for p in loader.load_phases()},
    )


@bp.get("/drills/<int:drill_id>/state")
@login_required
@scope.allow(Role.EVALUATOR)
def drill_state(drill_id: int) -> Response:
    """The run as JSON for drills.js, which refreshes the inject table."""
    _may_see()
    item = _drill(drill_id)
    state = drill_json(item)
    for inject, row in zip(item.injects, state["injects"], strict=True):
        row["due_local"] = center_clock.format_local(inject.due_at, "%H:%M:%S")
        row["released_local"] = center_clock.format_local(inject.released_at, "%H:%M:%S")
    return jsonify(state)


@bp.post("/drills/<int:drill_id>/<action>")
@login_required
def drill_step(drill_id: int, action: str) -> Response:
    """Pause, resume or finish the run."""
    _may_control()
    item = _drill(drill_id)
    if action not in STEPS:
        abort(404)
    try:
        STEPS[action](item, current_user._get_current_object())
    except ApiError as exc:
        flash(exc.message, "error")
    return redirect(url_for("console.drill", drill_id=drill_id))


@bp.route("/drills/<int:drill_id>/reset", methods=["GET", "POST"])
@login_required
def drill_reset(drill_id: int) -> Response | str:
    """Remove everything the run made, after a confirmation; the record of the run stays."""
    _may_control()
    item = _drill(drill_id)
    if request.method == "GET" or request.form.get("confirm") != "yes":
        return confirm.page(
            _("Reset this drill and remove everything it made?"),
            _(
                "Every announcement, inquiry, round, need, request and log entry of this drill is "
                "deleted (boards remove its announcements). Real work is not touched. The run, "
                "its injects and its evaluations stay for the after-action report. This cannot "
                "be undone."
            ),
            _("Yes, reset the drill"),
            url_for("console.drill", drill_id=drill_id),
        )
    try:
        removed = reset.reset(item, current_user._get_current_object())
        flash(_("Drill reset: %(n)s row(s) removed.", n=sum(removed.values())), "ok")
    except ApiError as exc:
        flash(exc.message, "error")
    return redirect(url_for("console.drill", drill_id=drill_id))


@bp.post("/drills/<int:drill_id>/injects/<key>/<action>")
@login_required
def drill_inject(drill_id: int, key: str, action: str) -> Response:
    """Skip or fire an inject now; accept or decline a phase proposal."""
    _may_control()
    item = _drill(drill_id)
    user = current_user._get_current_object()
    try:
        inject = runner.inject_of(item, key)
        if action == "skip":
            runner.skip(inject, user)
        elif action == "fire":
            runner.fire_now(inject, user)
        elif action in ("accept", "decline"):
            runner.decide_phase(inject, action == "accept", user)
        else:
            abort(404)
    except ApiError as exc:
        flash(exc.message, "error")
    return redirect(url_for("console.drill", drill_id=drill_id))
