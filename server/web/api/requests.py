"""Requests API: translation requests, the queue, claims and checks, interpreters, roster."""

from __future__ import annotations

from typing import Any, cast

from flask import current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from server.core import validation
from server.core.auth import api_user, require_role
from server.core.errors import ApiError
from server.core.extensions import db
from server.models import User
from server.requests import interpreting, metrics
from server.requests import service as requests
from server.requests.models import RequestPiece, TranslationRequest
from server.roster import service as roster
from server.web import scope
from server.web.api.blueprint import bp
from server.words import CHECKERS, STAFF, TRANSLATORS, WRITERS, Role

bp.before_request(scope.guard_api)
ASKERS = (Role.ADMIN, Role.OPERATOR, Role.REQUESTER)


def _user() -> User:
    return cast(User, api_user())


def piece_json(piece: RequestPiece, with_text: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": piece.id,
        "request_id": piece.request_id,
        "lang": piece.lang,
        "status": piece.status,
        "overdue": requests.is_overdue(piece),
        "deadline": piece.request.deadline.isoformat(),
        "translator_id": piece.translator_id,
        "claimed_until": piece.claimed_until.isoformat() if piece.claimed_until else None,
        "delivered_at": piece.delivered_at.isoformat() if piece.delivered_at else None,
    }
    if with_text:
        out |= {
            "machine_text": piece.machine_text,
            "machine_method": piece.machine_method,
            "machine_note": piece.machine_note,
            "text": piece.text,
        }
    return out


def request_json(req: TranslationRequest) -> dict[str, Any]:
    return {
        "id": req.id,
        "title": req.title,
        "purpose": req.purpose,
        "source_lang": req.source_lang,
        "source_text": req.source_text,
        "filename": req.filename,
        "deadline": req.deadline.isoformat(),
        "created_at": req.created_at.isoformat(),
        "pieces": [piece_json(p) for p in req.pieces],
    }


def _body() -> tuple[dict[str, Any], str | None, str | None]:
    """Read JSON, or a multipart form with an optional ``file``."""
    if request.is_json:
        return validation.json_body(), None, None
    request.max_content_length = current_app.config["REQUEST_FILE_MAX_BYTES"] + 64 * 1024
    try:
        data: dict[str, Any] = dict(request.form)
        if "targets" in request.form:
            data["targets"] = request.form.getlist("targets")
        upload = request.files.get("file")
    except RequestEntityTooLarge:
        raise ApiError(413, "too_large", "the file is too large", "file") from None
    if upload is None or not upload.filename:
        return data, None, None
    return data, upload.filename, requests.read_file(upload.filename, upload.read())


@bp.post("/requests")
@require_role(*ASKERS)
@scope.allow(Role.REQUESTER)
def create_request() -> tuple[dict[str, Any], int]:
    """Send a translation request (JSON ``text`` or a multipart ``file``)."""
    data, filename, file_text = _body()
    fields = requests.parse_request(data, file_text)
    return request_json(requests.create(fields, _user(), filename)), 201


@bp.get("/requests/<int:request_id>")
@require_role(*ASKERS, *TRANSLATORS)
@scope.allow(Role.REQUESTER)
def get_request(request_id: int) -> dict[str, Any]:
    """One request with each language's state (a requester sees only their own)."""
    req = db.session.get(TranslationRequest, request_id)
    user = _user()
    if req is None or (user.role == Role.REQUESTER and req.requester_id != user.id):
        raise ApiError(404, "not_found", f"no request {request_id}")
    return request_json(req)


@bp.get("/requests/queue")
@require_role(*TRANSLATORS)
@scope.allow(Role.REMOTE)
def request_queue() -> dict[str, Any]:
    """Pieces not yet delivered, soonest deadline first (``?lang=``)."""
    user = _user()
    pieces = [p for p in requests.queue(request.args.get("lang")) if requests.may_work_on(user, p)]
    return {"pieces": [piece_json(p, with_text=False) for p in pieces]}


@bp.post("/pieces/<int:piece_id>/<step>")
@require_role(*TRANSLATORS)
@scope.allow(Role.REMOTE)
def piece_step(piece_id: int, step: str) -> dict[str, Any]:
    """``claim``, ``save``/``submit`` (``text``), ``release``, or ``check`` (``action``)."""
    user = _user()
    data = validation.json_body() if request.is_json else {}
    if step == "claim":
        piece = requests.claim(piece_id, user)
    elif step == "save":
        piece = requests.save(piece_id, user, data.get("text"))
    elif step == "submit":
        piece = requests.submit(piece_id, user, data.get("text"))
    elif step == "release":
        piece = requests.release(piece_id, user)
    elif step == "check":
        if user.role not in CHECKERS:
            raise ApiError(403, "forbidden", f"this needs the role {' or '.join(CHECKERS)}")
        piece = requests.check(piece_id, user, str(data.get("action", "")), data.get("text"))
    else:
        raise ApiError(404, "not_found", f"no step {step!r}")
    return piece_json(piece)


@bp.get("/requests/metrics")
@require_role(*STAFF)
def request_metrics() -> dict[str, Any]:
    """Per language: time to claim, time to deliver, share delivered by the deadline."""
    return {
        "languages": [
            {
                "lang": m.lang,
                "pieces": m.pieces,
                "delivered": m.delivered,
                "median_claim_minutes": m.median_claim_minutes,
                "median_deliver_minutes": m.median_deliver_minutes,
                "on_time_share": m.on_time_share,
            }
            for m in metrics.per_language()
        ]
    }


@bp.post("/interpreter-requests")
@require_role(*ASKERS)
@scope.allow(Role.REQUESTER)
def create_interpreter_request() -> tuple[dict[str, Any], int]:
    """Ask for an interpreter: ``lang``, ``place``, ``starts_at``, ``ends_at``, ``purpose``."""
    req = interpreting.create(interpreting.parse(validation.json_body()), _user())
    return {"id": req.id, "lang": req.lang, "status": req.status}, 201


@bp.post("/interpreter-requests/<int:request_id>/dispatch")
@require_role(*WRITERS)
def dispatch_interpreter(request_id: int) -> tuple[dict[str, Any], int]:
    """Dispatch a rostered person (``person_id``); 409 on a clash."""
    row = interpreting.dispatch(request_id, validation.json_body().get("person_id"), _user())
    return {"id": row.id, "person_id": row.person_id}, 201


@bp.post("/roster")
@require_role(*WRITERS)
def add_person() -> tuple[dict[str, Any], int]:
    """Add a person to the roster; ``shifts`` (a list of ``{starts_at, ends_at}``) optional."""
    data = validation.json_body()
    fields = roster.parse_person(data)
    shifts = []
    for shift in data.get("shifts") or []:
        if not isinstance(shift, dict):
            raise validation.bad("shifts", "each shift is {starts_at, ends_at}")
        start, end = roster.parse_time(shift, "starts_at"), roster.parse_time(shift, "ends_at")
        if end <= start:
            raise validation.bad("shifts", "each shift needs starts_at before ends_at")
        shifts.append((start, end))
    person = roster.create_person(fields)
    for start, end in shifts:
        roster.add_shift(person, start, end)
    return {"id": person.id, "name": person.name}, 201
