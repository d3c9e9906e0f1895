"""Announcement endpoints: thin handlers over server.announcements.service."""

from __future__ import annotations

from flask import Response, current_app, jsonify, request
from sqlalchemy import select

from server.announcements import drafts, service, views
from server.channels import mail
from server.core import validation
from server.core.auth import api_user, require_role
from server.core.errors import ApiError
from server.core.extensions import db
from server.models import Announcement
from server.web.api.blueprint import bp
from server.words import WRITERS, AnnouncementStatus


def _get(announcement_id: int) -> Announcement:
    announcement = db.session.get(Announcement, announcement_id)
    if announcement is None:
        raise ApiError(404, "not_found", f"no announcement with id {announcement_id}")
    return announcement


@bp.post("/announcements")
@require_role(*WRITERS)
def create_announcement() -> tuple[Response, int]:
    """Publish a new announcement (``"email": true`` also sends it to the e-mail list)."""
    body = validation.json_body()
    email = validation.boolean(body, "email")
    if email and not mail.enabled():
        raise ApiError(409, "mail_off", "no mail server: set TAGENGO_SMTP_URL", "email")
    draft = drafts.parse_draft(body)
    announcement = service.create(draft, api_user())
    if email:
        mail.schedule(announcement, api_user())
    return jsonify(views.serialize(announcement, detail=True)), 201


@bp.get("/announcements")
@require_role()
def list_announcements() -> Response:
    """List announcements, newest first; ``?status=active|retracted``, ``?limit=``."""
    query = select(Announcement).order_by(Announcement.id.desc())
    status = request.args.get("status")
    if status:
        if status not in tuple(AnnouncementStatus):
            raise validation.bad("status", "'status' must be active or retracted")
        query = query.where(Announcement.status == status)
    try:
        limit = min(max(int(request.args.get("limit", 100)), 1), 500)
    except ValueError:
        raise validation.bad("limit", "'limit' must be a number") from None
    items = db.session.scalars(query.limit(limit))
    return jsonify(
        {
            "announcements": [views.serialize(a) for a in items],
            "target_languages": current_app.config["TARGET_LANGUAGES"],
        }
    )


@bp.get("/announcements/<int:announcement_id>")
@require_role()
def get_announcement(announcement_id: int) -> Response:
    """Return one announcement with the translation status of each language."""
    return jsonify(views.serialize(_get(announcement_id), detail=True))


@bp.patch("/announcements/<int:announcement_id>")
@require_role(*WRITERS)
def update_announcement(announcement_id: int) -> Response:
    """Publish a new revision of an announcement."""
    announcement = _get(announcement_id)
    body = validation.json_body()
    if not body:
        raise validation.bad(None, "nothing to update", "empty")
    draft = drafts.parse_draft(body, base=announcement)
    return jsonify(views.serialize(service.revise(announcement, draft, api_user()), detail=True))


@bp.post("/announcements/<int:announcement_id>/retract")
@require_role(*WRITERS)
def retract_announcement(announcement_id: int) -> Response:
    """Withdraw an announcement from every board."""
    return jsonify(views.serialize(service.retract(_get(announcement_id), api_user()), detail=True))
