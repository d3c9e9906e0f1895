"""Requester pages: send a translation or interpreter request, follow it, download the result."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from server.core.clock import center_tz
from server.core.errors import ApiError
from server.core.extensions import db
from server.models import User, utcnow
from server.operations import pdf
from server.requests import documents, interpreting
from server.requests import service as requests
from server.requests.models import InterpreterRequest, RequestPiece, TranslationRequest
from server.web import scope
from server.web.console.blueprint import bp
from server.web.console.situation import PRINT_CSS
from server.words import STAFF, Role
from translations import languages

bp.before_request(scope.guard_console)
FORM_SLACK = 64 * 1024  # room for the form's other fields beside the file


def local(moment: datetime) -> datetime:
    """A stored UTC time in the center's time zone, for display."""
    return moment.astimezone(center_tz())


def common() -> dict[str, Any]:
    """What every request page needs: names of languages, local times, the clock."""
    return {
        "names": {lang.code: lang.native for lang in languages.LANGUAGES},
        "local": local,
        "now": utcnow(),
        "is_overdue": requests.is_overdue,
    }


def _new_form(values: dict[str, Any], status: int = 200) -> tuple[str, int]:
    default = local(utcnow() + timedelta(minutes=current_app.config["REQUEST_DEADLINE_MINUTES"]))
    page = render_template(
        "console/request_new.html",
        targets=requests.center_targets(),
        values=values,
        default_deadline=default.strftime("%Y-%m-%dT%H:%M"),
        max_kb=current_app.config["REQUEST_FILE_MAX_BYTES"] // 1024,
        **common(),
    )
    return page, status


def _form_values() -> dict[str, Any]:
    form = request.form
    return {
        "title": form.get("title", ""),
        "purpose": form.get("purpose", ""),
        "text": form.get("text", ""),
        "targets": form.getlist("targets"),
        "deadline": form.get("deadline", ""),
    }


@bp.route("/requests/new", methods=["GET", "POST"])
@login_required
@scope.allow(Role.REQUESTER)
def request_new() -> tuple[str, int] | Response:
    """Send a translation request: pasted text or a .txt/.docx file, languages, deadline."""
    if request.method == "GET":
        return _new_form({"targets": []})
    request.max_content_length = current_app.config["REQUEST_FILE_MAX_BYTES"] + FORM_SLACK
    try:
        values = _form_values()
        upload = request.files.get("file")
        filename = upload.filename if upload is not None and upload.filename else None
        file_text = None
        if upload is not None and filename:
            file_text = requests.read_file(filename, upload.read())
        fields = requests.parse_request(values, file_text)
    except RequestEntityTooLarge:
        flash(_("The file is too large."), "error")
        return _new_form({"targets": []}, 413)
    except ApiError as exc:
        flash(exc.message, "error")
        return _new_form(values, exc.status)
    req = requests.create(fields, current_user._get_current_object(), filename)
    flash(_("Request sent."), "ok")
    return redirect(url_for("console.request_detail", request_id=req.id))


@bp.get("/requests/mine")
@login_required
@scope.allow(Role.REQUESTER)
def my_requests() -> str:
    """The requester's own requests, newest first, with each language's state."""
    query = select(TranslationRequest).order_by(TranslationRequest.id.desc()).limit(200)
    if current_user.role not in STAFF:
        query = query.where(TranslationRequest.requester_id == current_user.id)
    interp = select(InterpreterRequest).order_by(InterpreterRequest.id.desc()).limit(200)
    if current_user.role not in STAFF:
        interp = interp.where(InterpreterRequest.requester_id == current_user.id)
    return render_template(
        "console/requests_mine.html",
        items=db.session.scalars(query).all(),
        interpreters=db.session.scalars(interp).all(),
        **common(),
    )


def _own_request(request_id: int) -> TranslationRequest:
    req = db.session.get(TranslationRequest, request_id) or abort(404)
    if current_user.role not in STAFF and req.requester_id != current_user.id:
        abort(403)
    return req


@bp.get("/requests/<int:request_id>")
@login_required
@scope.allow(Role.REQUESTER)
def request_detail(request_id: int) -> str:
    """A request: its text, each language's state, and the delivered translations."""
    return render_template("console/request.html", r=_own_request(request_id), **common())


# Han characters look different in Chinese, Japanese and Korean: each text takes its own font.
DELIVERY_CSS = (
    PRINT_CSS
    + """
:lang(zh-Hans) { font-family: "Noto Sans SC", "Noto Sans", sans-serif; }
:lang(zh-Hant) { font-family: "Noto Sans TC", "Noto Sans", sans-serif; }
:lang(ko) { font-family: "Noto Sans KR", "Noto Sans", sans-serif; }
pre { white-space: pre-wrap; font-family: inherit; font-size: 10.5pt; }
"""
)


def delivery_pdf(req: TranslationRequest, piece: RequestPiece) -> bytes:
    """A delivered translation as PDF: the original and the translation, each in its script."""
    checker = db.session.get(User, piece.checker_id) if piece.checker_id else None
    translator = db.session.get(User, piece.translator_id) if piece.translator_id else None
    found = languages.get(piece.lang)
    html = render_template(
        "console/request_print.html",
        r=req,
        p=piece,
        rtl=bool(found and found.direction == "rtl"),
        checker=(checker.display_name or checker.username) if checker else "—",
        translator=(translator.display_name or translator.username) if translator else "—",
        **common(),
    )
    vendor = Path(current_app.static_folder or "") / "vendor"
    return pdf.render(html, vendor, DELIVERY_CSS)


@bp.get("/requests/<int:request_id>/<lang>.<fmt>")
@login_required
@scope.allow(Role.REQUESTER)
def request_download(request_id: int, lang: str, fmt: str) -> Response:
    """Download a delivered translation as .txt, .docx or PDF."""
    req = _own_request(request_id)
    piece = next((p for p in req.pieces if p.lang == lang), None)
    if piece is None or piece.delivered_at is None or fmt not in ("txt", "docx", "pdf"):
        abort(404)
    name = f"request-{req.id}-{lang}.{fmt}"
    if fmt == "pdf":
        body, mime = delivery_pdf(req, piece), "application/pdf"
    elif fmt == "txt":
        body, mime = (piece.text or "").encode("utf-8"), "text/plain; charset=utf-8"
    else:
        found = languages.get(lang)
        body = documents.write_docx(
            piece.text or "", lang, bool(found and found.direction == "rtl")
        )
        mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return Response(
        body, mimetype=mime, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@bp.route("/requests/interpreter/new", methods=["GET", "POST"])
@login_required
@scope.allow(Role.REQUESTER)
def interpreter_new() -> tuple[str, int] | Response:
    """Ask for an interpreter: where, when, which language, what for."""
    values = dict(request.form)
    if request.method == "POST":
        try:
            fields = interpreting.parse(values)
        except ApiError as exc:
            flash(exc.message, "error")
        else:
            interpreting.create(fields, current_user._get_current_object())
            flash(_("Interpreter request sent."), "ok")
            return redirect(url_for("console.my_requests"))
    status = 400 if request.method == "POST" else 200
    page = render_template(
        "console/interpreter_new.html",
        targets=requests.center_targets(),
        values=values,
        **common(),
    )
    return page, status
