"""Interpreter requests: where, when, which language — dispatched to a person of the roster."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from server.core import validation
from server.core.errors import ApiError
from server.core.extensions import db
from server.live import events
from server.models import User
from server.requests.models import InterpreterRequest
from server.requests.words import InterpreterStatus
from server.roster import service as roster
from server.roster.models import Dispatch, Person
from translations import languages

MAX_HOURS = 24


def parse(data: Mapping[str, Any]) -> dict[str, Any]:
    """Validate an interpreter request; raise ApiError naming the field."""
    raw = data.get("lang")
    lang = languages.normalize(str(raw)) if isinstance(raw, str) and raw.strip() else None
    if lang is None or lang not in current_app.config["TARGET_LANGUAGES"]:
        raise validation.bad(
            "lang", f"the center does not list the language {raw!r}", "unknown_language"
        )
    starts_at = validation.timestamp(data, "starts_at")
    if starts_at is None:
        raise validation.bad("starts_at", "'starts_at' is required", "required")
    ends_at = validation.timestamp(data, "ends_at")
    if ends_at is None:
        raise validation.bad("ends_at", "'ends_at' is required", "required")
    if ends_at <= starts_at or ends_at - starts_at > timedelta(hours=MAX_HOURS):
        raise validation.bad(
            "ends_at", f"'ends_at' must be after the start, within {MAX_HOURS} hours"
        )
    return {
        "lang": lang,
        "place": validation.text(data, "place", required=True, max_chars=200),
        "starts_at": starts_at,
        "ends_at": ends_at,
        "purpose": validation.text(data, "purpose", max_chars=400) or "",
    }


def _tell(req: InterpreterRequest, kind: str) -> None:
    data = {"type": kind, "interpreter_request_id": req.id, "lang": req.lang, "status": req.status}
    with contextlib.suppress(Exception):  # pages reload as the recovery path
        events.emit_control("request", data, room="console")


def create(fields: Mapping[str, Any], user: User) -> InterpreterRequest:
    """Store an interpreter request and tell consoles (committed)."""
    req = InterpreterRequest(requester_id=user.id, **fields)
    db.session.add(req)
    db.session.commit()
    _tell(req, "interpreter.new")
    return req


def listing() -> list[InterpreterRequest]:
    """Open and dispatched requests, soonest first."""
    return list(
        db.session.scalars(
            select(InterpreterRequest)
            .where(InterpreterRequest.status != InterpreterStatus.CANCELLED)
            .order_by(InterpreterRequest.starts_at)
        )
    )


def dispatches(req: InterpreterRequest) -> list[Dispatch]:
    """The dispatch log of a request, cancelled rows included."""
    return list(
        db.session.scalars(
            select(Dispatch).where(Dispatch.interpreter_request_id == req.id).order_by(Dispatch.id)
        )
    )


def candidates(req: InterpreterRequest) -> list[Person]:
    """Free interpreters of the language for the request's time, best speakers first."""
    return roster.search(req.lang, req.starts_at, req.ends_at)


def dispatch(req_id: int, person_id: Any, user: User) -> Dispatch:
    """Send a rostered person to an interpreter request; a clash is refused (committed)."""
    req = db.session.get(InterpreterRequest, req_id)
    if req is None:
        raise ApiError(404, "not_found", f"no interpreter request {req_id}")
    if req.status == InterpreterStatus.CANCELLED:
        raise ApiError(409, "cancelled", "this request was cancelled")
    try:
        person = db.session.get(Person, int(person_id))
    except (TypeError, ValueError):
        person = None
    if person is None or person.purged_at is not None:
        raise ApiError(404, "unknown_person", f"no roster person {person_id!r}", "person_id")
    if req.lang not in person.languages:
        raise ApiError(409, "language", f"{person.name} does not speak {req.lang}", "person_id")
    row = roster.dispatch(
        person,
        req.starts_at,
        req.ends_at,
        user,
        interpreter_request_id=req.id,
        note=f"interpreter request #{req.id}",
    )
    req.status = InterpreterStatus.DISPATCHED
    db.session.commit()
    _tell(req, "interpreter.dispatched")
    return row
