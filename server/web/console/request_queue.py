"""Translator pages: the queue by language, the work page, checks, metrics and invites."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from server.core.errors import ApiError
from server.core.extensions import db
from server.models import User
from server.requests import invites, metrics, prefill
from server.requests import service as requests
from server.requests.models import RequestPiece
from server.requests.words import PieceStatus
from server.web import scope
from server.web.console.blueprint import bp
from server.web.console.requests import common
from server.words import CHECKERS, STAFF, TRANSLATORS, Role


def _translator() -> None:
    if current_user.role not in TRANSLATORS:
        abort(403)


def _mine(pieces: list[RequestPiece]) -> list[RequestPiece]:
    """Keep what this account may work on (a remote translator: their languages)."""
    user = current_user._get_current_object()
    return [p for p in pieces if requests.may_work_on(user, p)]


@bp.get("/requests/queue")
@login_required
@scope.allow(Role.REMOTE)
def request_queue() -> str:
    """Pieces waiting, claimed and being checked, per language, soonest deadline first."""
    _translator()
    lang = request.args.get("lang") or None
    by_lang: dict[str, list[RequestPiece]] = {}
    for piece in _mine(requests.queue(lang)):
        by_lang.setdefault(piece.lang, []).append(piece)
    users = {u.id: u.username for u in db.session.scalars(select(User))}
    return render_template(
        "console/request_queue.html",
        by_lang=by_lang,
        lang=lang,
        users=users,
        claim_live=requests.claim_live,
        **common(),
    )


@bp.get("/requests/pieces/<int:piece_id>")
@login_required
@scope.allow(Role.REMOTE)
def request_piece(piece_id: int) -> str:
    """The work page: source, machine pre-fill, memory hits, glossary terms, the editor."""
    _translator()
    piece = db.session.get(RequestPiece, piece_id) or abort(404)
    user = current_user._get_current_object()
    if not requests.may_work_on(user, piece):
        abort(403)
    req = piece.request
    holds = piece.status == PieceStatus.CLAIMED and piece.translator_id == user.id
    return render_template(
        "console/request_piece.html",
        p=piece,
        r=req,
        holds=holds,
        can_claim=piece.status == PieceStatus.WAITING
        or (piece.status == PieceStatus.CLAIMED and not requests.claim_live(piece)),
        can_check=piece.status == PieceStatus.CHECKING
        and user.role in CHECKERS
        and piece.translator_id != user.id,
        hits=prefill.memory_hits(req, piece.lang),
        terms=prefill.glossary_terms(req, piece.lang),
        users={u.id: u.username for u in db.session.scalars(select(User))},
        **common(),
    )


def _act(piece_id: int, action: Callable[[], Any], done: str) -> Response:
    _translator()
    try:
        action()
        flash(done, "ok")
    except ApiError as exc:
        flash(exc.message, "error")
    return redirect(url_for("console.request_piece", piece_id=piece_id))


@bp.post("/requests/pieces/<int:piece_id>/claim")
@login_required
@scope.allow(Role.REMOTE)
def request_claim(piece_id: int) -> Response:
    """Claim a piece to translate it."""
    user = current_user._get_current_object()
    return _act(piece_id, lambda: requests.claim(piece_id, user), _("Claimed. It is yours now."))


@bp.post("/requests/pieces/<int:piece_id>/work")
@login_required
@scope.allow(Role.REMOTE)
def request_work(piece_id: int) -> Response:
    """Save the draft, hand it in for checking, or give the piece back."""
    user = current_user._get_current_object()
    text = request.form.get("text", "")
    step = request.form.get("step", "save")
    if step == "submit":
        return _act(
            piece_id, lambda: requests.submit(piece_id, user, text), _("Sent for checking.")
        )
    if step == "release":
        return _act(piece_id, lambda: requests.release(piece_id, user), _("Given back."))
    return _act(piece_id, lambda: requests.save(piece_id, user, text), _("Draft saved."))


@bp.post("/requests/pieces/<int:piece_id>/check")
@login_required
@scope.allow(Role.REMOTE)
def request_check(piece_id: int) -> Response:
    """Approve (and deliver) or return a translation someone else made."""
    if current_user.role not in CHECKERS:
        abort(403)
    user = current_user._get_current_object()
    action = request.form.get("action", "")
    text = request.form.get("text")
    done = _("Delivered to the requester.") if action == "approve" else _("Returned.")
    return _act(piece_id, lambda: requests.check(piece_id, user, action, text), done)


@bp.get("/requests/metrics")
@login_required
def request_metrics() -> str:
    """Per language: time to claim, time to deliver, share delivered by the deadline."""
    if current_user.role not in STAFF:
        abort(403)
    return render_template("console/request_metrics.html", rows=metrics.per_language(), **common())


@bp.route("/requests/invites", methods=["GET", "POST"])
@login_required
def request_invites() -> str:
    """Make an invite link for a remote translator (admins)."""
    if current_user.role != Role.ADMIN:
        abort(403)
    link = None
    if request.method == "POST":
        try:
            _, token = invites.create(
                request.form.getlist("languages"),
                request.form.get("organisation", ""),
                current_user._get_current_object(),
            )
            link = current_app.config["PUBLIC_URL"] + url_for("console.invite_accept", token=token)
        except ApiError as exc:
            flash(exc.message, "error")
    return render_template(
        "console/request_invites.html",
        link=link,
        targets=requests.center_targets(),
        hours=current_app.config["INVITE_HOURS"],
        **common(),
    )


@bp.route("/invite/<token>", methods=["GET", "POST"])
def invite_accept(token: str) -> tuple[str, int] | Response:
    """Open an invite link: choose a user name and password, then work on the queue."""
    try:
        invite = invites.find(token)
    except ApiError as exc:
        return render_template("console/invite.html", error=exc.message, invite=None), exc.status
    if request.method == "POST":
        try:
            user = invites.accept(
                token,
                request.form.get("username", ""),
                request.form.get("password", ""),
                request.form.get("display_name", ""),
            )
        except ApiError as exc:
            flash(exc.message, "error")
            return render_template("console/invite.html", invite=invite, error=None), exc.status
        login_user(user)
        return redirect(url_for("console.request_queue"))
    return render_template("console/invite.html", invite=invite, error=None), 200
