"""The e-mail list in the API: send an announcement to the list, follow a batch (no addresses)."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from server.channels import mail
from server.channels.models import MailBatch
from server.core.auth import api_user, require_role
from server.core.errors import ApiError
from server.core.extensions import db
from server.models import Announcement
from server.web.api.blueprint import bp
from server.words import WRITERS


def batch_view(batch: MailBatch) -> dict[str, Any]:
    """Serialize a batch with its message counts."""
    return {
        "id": batch.id,
        "announcement_id": batch.announcement_id,
        "revision": batch.revision,
        "created_at": batch.created_at.isoformat(),
        "finished_at": batch.finished_at.isoformat() if batch.finished_at else None,
        "messages": mail.counts(batch),
    }


@bp.post("/announcements/<int:announcement_id>/email")
@require_role(*WRITERS)
def email_announcement(announcement_id: int) -> tuple[Response, int]:
    """Send the current revision to the e-mail list (once; a repeat returns the same batch)."""
    announcement = db.session.get(Announcement, announcement_id)
    if announcement is None:
        raise ApiError(404, "not_found", f"no announcement with id {announcement_id}")
    return jsonify(batch_view(mail.schedule(announcement, api_user()))), 202


@bp.get("/mail/batches/<int:batch_id>")
@require_role()
def mail_batch(batch_id: int) -> Response:
    """Follow one batch: how many messages are sent, pending, failed or skipped."""
    batch = db.session.get(MailBatch, batch_id)
    if batch is None:
        raise ApiError(404, "not_found", f"no mail batch with id {batch_id}")
    return jsonify(batch_view(batch))
