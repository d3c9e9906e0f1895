"""Roster pages: people and their languages, who is free when, dispatching interpreters."""

from __future__ import annotations

from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from server.core import validation
from server.core.errors import ApiError
from server.core.extensions import db
from server.models import User
from server.requests import interpreting
from server.roster import service as roster
from server.roster.models import Dispatch, Person
from server.roster.words import Level, OrgKind, PersonKind, PersonStatus, Skill
from server.web.console.blueprint import bp
from server.web.console.requests import common
from server.words import STAFF, WRITERS


def _staff(roles: tuple[str, ...] = STAFF) -> None:
    if current_user.role not in roles:
        abort(403)


def _when(args: dict[str, str]) -> tuple[datetime, datetime]:
    """The time a search asks about: this evening, or a start and an end."""
    if args.get("when", "evening") == "evening" or not args.get("starts_at"):
        return roster.evening()
    start, end = roster.parse_time(args, "starts_at"), roster.parse_time(args, "ends_at")
    if end <= start:
        raise validation.bad("ends_at", _("The end must come after the start."))
    return start, end


def _words() -> dict[str, object]:
    return {
        "kinds": tuple(PersonKind),
        "org_kinds": tuple(OrgKind),
        "levels": tuple(Level),
        "skills": tuple(Skill),
        "statuses": tuple(PersonStatus),
    }


@bp.route("/roster", methods=["GET", "POST"])
@login_required
def roster_list() -> str | Response:
    """Everyone on the roster, a search for who is free, and a form to add a person."""
    _staff()
    if request.method == "POST":
        _staff(WRITERS)
        data = dict(request.form) | {"skills": request.form.getlist("skills")}
        try:
            person = roster.create_person(roster.parse_person(data))
            flash(_("Added to the roster."), "ok")
            return redirect(url_for("console.roster_person", person_id=person.id))
        except ApiError as exc:
            flash(exc.message, "error")
    found, window = None, None
    args = dict(request.args)
    if args.get("lang"):
        try:
            window = _when(args)
            found = roster.search(args["lang"], *window, skill=args.get("skill") or None)
        except ApiError as exc:
            flash(exc.message, "error")
    people = db.session.scalars(select(Person).order_by(Person.name)).all()
    return render_template(
        "console/roster.html",
        people=people,
        found=found,
        window=window,
        args=args,
        **_words(),
        **common(),
    )


@bp.get("/roster/<int:person_id>")
@login_required
def roster_person(person_id: int) -> str:
    """One person: contact (recorded in the audit log), shifts and dispatch log."""
    _staff()
    person = db.session.get(Person, person_id) or abort(404)
    contact = roster.contact_for(person, current_user._get_current_object(), request.remote_addr)
    log = db.session.scalars(
        select(Dispatch).where(Dispatch.person_id == person.id).order_by(Dispatch.starts_at)
    ).all()
    return render_template(
        "console/roster_person.html",
        p=person,
        contact=contact,
        dispatches=log,
        users={u.id: u.username for u in db.session.scalars(select(User))},
        **_words(),
        **common(),
    )


@bp.post("/roster/<int:person_id>")
@login_required
def roster_update(person_id: int) -> Response:
    """Add a shift or change the status."""
    _staff(WRITERS)
    person = db.session.get(Person, person_id) or abort(404)
    try:
        if "status" in request.form:
            roster.set_status(person, request.form["status"])
        else:
            start, end = _when({"when": "custom", **request.form})
            roster.add_shift(person, start, end)
        flash(_("Saved."), "ok")
    except ApiError as exc:
        flash(exc.message, "error")
    return redirect(url_for("console.roster_person", person_id=person_id))


@bp.get("/interpreting")
@login_required
def interpreting_list() -> str:
    """Interpreter requests with the free speakers of each and the dispatch log."""
    _staff()
    items = interpreting.listing()
    return render_template(
        "console/interpreting.html",
        items=items,
        candidates={r.id: interpreting.candidates(r) for r in items},
        logs={r.id: interpreting.dispatches(r) for r in items},
        people={p.id: p for p in db.session.scalars(select(Person))},
        **common(),
    )


@bp.post("/interpreting/<int:request_id>/dispatch")
@login_required
def interpreting_dispatch(request_id: int) -> Response:
    """Dispatch a rostered person; a clash with another dispatch is refused."""
    _staff(WRITERS)
    try:
        row = interpreting.dispatch(
            request_id, request.form.get("person_id"), current_user._get_current_object()
        )
        flash(_("Dispatched (log #%(id)s).", id=row.id), "ok")
    except roster.Clash as exc:
        flash(
            _("Refused: already dispatched at an overlapping time. %(detail)s", detail=exc.message),
            "error",
        )
    except ApiError as exc:
        flash(exc.message, "error")
    return redirect(url_for("console.interpreting_list"))
