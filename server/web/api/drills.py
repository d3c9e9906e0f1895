"""Drills over the API: start a scenario, steer the run, reset it (directors); read (evaluators)."""

from __future__ import annotations

from typing import Any, cast

from flask import request

from server.core import validation
from server.core.auth import api_user, require_role
from server.core.errors import ApiError
from server.drills import reset, runner, scenario
from server.drills.views import drill_json, inject_json
from server.models import User
from server.web import scope
from server.web.api.blueprint import bp
from server.words import DIRECTORS, EVALUATORS, Role


def _user() -> User:
    return cast(User, api_user())


def _scenario() -> dict[str, Any]:
    """The scenario to start: an uploaded ``file`` or a bundled ``scenario`` id."""
    upload = request.files.get("file")
    if upload is not None:
        return scenario.parse_upload(upload.read(scenario.MAX_BYTES + 1))
    data = request.form if request.form else validation.json_body()
    scenario_id = validation.text(data, "scenario", required=True, max_chars=64) or ""
    return scenario.load_bundled(scenario_id)


@bp.get("/drills")
@require_role(*EVALUATORS)
@scope.allow(Role.EVALUATOR)
def list_drills() -> dict[str, Any]:
    """The bundled scenarios and every run, newest first."""
    return {
        "scenarios": [
            {"id": s["id"], "title": s["title"], "injects": len(s["injects"])}
            for s in scenario.list_bundled()
        ],
        "drills": [drill_json(d, injects=False) for d in runner.runs()],
    }


@bp.post("/drills")
@require_role(*DIRECTORS)
def start_drill() -> tuple[dict[str, Any], int]:
    """Start a run: ``scenario`` (a bundled id) or a YAML ``file``, and ``speed`` (1–600)."""
    source = _scenario()
    data = request.form if request.form or request.files else validation.json_body()
    speed = data.get("speed", 1)
    drill = runner.start(source, _user(), speed if isinstance(speed, int | float | str) else None)
    return drill_json(drill), 201


@bp.get("/drills/<int:drill_id>")
@require_role(*EVALUATORS)
@scope.allow(Role.EVALUATOR)
def get_drill(drill_id: int) -> dict[str, Any]:
    """One run with its injects."""
    return drill_json(runner.get(drill_id))


@bp.post("/drills/<int:drill_id>/<action>")
@require_role(*DIRECTORS)
def steer_drill(drill_id: int, action: str) -> dict[str, Any]:
    """``pause``, ``resume``, ``finish`` or ``reset`` a run."""
    drill = runner.get(drill_id)
    if action == "reset":
        removed = reset.reset(drill, _user())
        return drill_json(drill) | {"removed": removed}
    steps = {"pause": runner.pause, "resume": runner.resume, "finish": runner.finish}
    if action not in steps:
        raise ApiError(404, "not_found", f"unknown action {action[:20]!r}")
    return drill_json(steps[action](drill, _user()))


@bp.post("/drills/<int:drill_id>/injects/<key>/<action>")
@require_role(*DIRECTORS)
def steer_inject(drill_id: int, key: str, action: str) -> dict[str, Any]:
    """``skip`` or ``fire`` an inject; ``accept`` or ``decline`` a phase proposal."""
    inject = runner.inject_of(runner.get(drill_id), key)
    if action == "skip":
        runner.skip(inject, _user())
    elif action == "fire":
        runner.fire_now(inject, _user())
    elif action in ("accept", "decline"):
        runner.decide_phase(inject, action == "accept", _user())
    else:
        raise ApiError(404, "not_found", f"unknown action {action[:20]!r}")
    return inject_json(inject)
