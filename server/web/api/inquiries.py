"""Inquiries API for other intake channels (SMS gateway, chat bot, phone line)."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from server.core import validation
from server.core.auth import api_user, require_role
from server.core.errors import ApiError
from server.core.extensions import db
from server.inquiries import service as inquiries
from server.models import Inquiry, User
from server.web.api.blueprint import bp
from server.words import STAFF, WRITERS


def inquiry_json(inquiry: Inquiry, *, personal: bool = True) -> dict[str, Any]:
    """Render an inquiry; personal fields only when asked for (and audited by the caller)."""
    data: dict[str, Any] = {
        "id": inquiry.id,
        "channel": inquiry.channel,
        "lang": inquiry.lang,
        "lang_detected": inquiry.lang_detected,
        "lang_confidence": inquiry.lang_confidence,
        "category": inquiry.category,
        "shelter_id": inquiry.shelter_id,
        "status": inquiry.status,
        "referred_to": inquiry.referred_to,
        "assignee_id": inquiry.assignee_id,
        "priority": inquiry.priority,
        "priority_reason": inquiry.priority_reason,
        "created_at": inquiry.created_at.isoformat(),
        "first_reply_at": inquiry.first_reply_at.isoformat() if inquiry.first_reply_at else None,
        "purged": inquiry.purged_at is not None,
    }
    if personal:
        data.update(
            {
                "message": inquiry.message,
                "message_ja": inquiry.message_ja,
                "message_ja_method": inquiry.message_ja_method,
                "place": inquiry.place,
                "name": inquiry.name,
                "contact": inquiry.contact,
                "interpreter": inquiry.interpreter,
                "replies": [
                    {
                        "id": r.id,
                        "text_ja": r.text_ja,
                        "text": r.text,
                        "status": r.status,
                        "method": r.method,
                        "reviewed": r.reviewed,
                        "note": r.reason,
                    }
                    for r in inquiry.replies
                ],
            }
        )
    return data


def _get(inquiry_id: int) -> Inquiry:
    inquiry = db.session.get(Inquiry, inquiry_id)
    if inquiry is None:
        raise ApiError(404, "not_found", f"no inquiry with id {inquiry_id}")
    return inquiry


@bp.post("/inquiries")
@require_role(*STAFF)
def create_inquiry() -> tuple[Response, int]:
    """Take an inquiry from another channel; returns the resident's private status link once."""
    data = validation.json_body()
    channel = validation.choice(data, "channel", inquiries.CHANNELS, "api")
    fields = inquiries.parse({**data, "consent": data.get("consent", False)}, channel)
    inquiry, token = inquiries.create(fields, channel, api_user())
    from flask import current_app

    body = inquiry_json(inquiry)
    body["status_url"] = f"{current_app.config['PUBLIC_URL']}/help/s/{token}"
    return jsonify(body), 201


@bp.get("/inquiries")
@require_role(*STAFF)
def list_inquiries() -> Response:
    """List inquiries (no personal fields); filter by status, category, lang, shelter, priority."""
    query = inquiries.filtered(request.args)
    items = db.session.scalars(query.limit(500))
    return jsonify([inquiry_json(i, personal=False) for i in items])


@bp.get("/inquiries/<int:inquiry_id>")
@require_role(*STAFF)
def get_inquiry(inquiry_id: int) -> Response:
    """One inquiry with its message, translation and replies (the view is audited)."""
    inquiry = _get(inquiry_id)
    user = api_user()
    assert user is not None
    inquiries.view(inquiry, user, request.remote_addr)
    return jsonify(inquiry_json(inquiry))


@bp.patch("/inquiries/<int:inquiry_id>")
@require_role(*WRITERS)
def update_inquiry(inquiry_id: int) -> Response:
    """Change status (with ``referred_to``), ``assignee_id`` or ``priority``."""
    data = validation.json_body()
    if not set(data) & {"status", "assignee_id", "priority"}:
        raise validation.bad(None, "send status, assignee_id or priority", "empty")
    user = api_user()
    assert isinstance(user, User)
    return jsonify(inquiry_json(inquiries.update(_get(inquiry_id), data, user)))


@bp.post("/inquiries/<int:inquiry_id>/replies")
@require_role(*WRITERS)
def reply_inquiry(inquiry_id: int) -> tuple[Response, int]:
    """Reply in Japanese (``text``) or with a slot-free phrasebook sentence (``template_id``)."""
    user = api_user()
    assert isinstance(user, User)
    row = inquiries.reply(_get(inquiry_id), validation.json_body(), user)
    return jsonify({"id": row.id, "status": row.status, "text_ja": row.text_ja}), 201
