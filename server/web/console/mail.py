"""The e-mail list in the console: counts for everyone, addresses for admins (audited)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from server.channels import mail
from server.channels.models import MailBatch, MailSubscriber
from server.core.errors import ApiError
from server.core.extensions import db
from server.models import Announcement, AuditLog
from server.web.console.blueprint import bp
from server.words import WRITERS, Role


def _audit(action: str, object_id: int | None) -> None:
    db.session.add(
        AuditLog(
            user_id=current_user.id,
            action=action,
            object_type="mail_subscriber",
            object_id=object_id,
            remote_addr=request.remote_addr,
        )
    )
    db.session.commit()


@bp.get("/mail")
@login_required
def mail_list() -> str:
    """Subscribers by language and status, and the batches sent; addresses only on request."""
    rows = db.session.execute(
        select(MailSubscriber.lang, MailSubscriber.status, func.count())
        .group_by(MailSubscriber.lang, MailSubscriber.status)
        .order_by(MailSubscriber.lang)
    ).all()
    personal: list[Any] = []
    if request.args.get("personal") == "1":
        if current_user.role != Role.ADMIN:
            abort(403)
        _audit("view", None)
        personal = list(
            db.session.scalars(
                select(MailSubscriber)
                .where(MailSubscriber.email.is_not(None))
                .order_by(MailSubscriber.id)
            )
        )
    batches = list(db.session.scalars(select(MailBatch).order_by(MailBatch.id.desc()).limit(50)))
    return render_template(
        "channels/mail_console.html",
        rows=rows,
        batches=[(b, mail.counts(b)) for b in batches],
        personal=personal,
        enabled=mail.enabled(),
        name=mail.language_name,
    )


@bp.post("/mail/subscribers/<int:subscriber_id>/delete")
@login_required
def mail_delete(subscriber_id: int) -> Response:
    """Erase one address (an admin acting on a resident's request)."""
    if current_user.role != Role.ADMIN:
        abort(403)
    row = db.session.get(MailSubscriber, subscriber_id) or abort(404)
    _audit("delete", row.id)
    mail.unsubscribe(row)
    flash(_("The address was erased."), "ok")
    return redirect(url_for("console.mail_list"))


@bp.post("/announcements/<int:announcement_id>/email")
@login_required
def mail_announcement(announcement_id: int) -> Response:
    """Send the current revision to the e-mail list."""
    if current_user.role not in WRITERS:
        abort(403)
    announcement = db.session.get(Announcement, announcement_id) or abort(404)
    try:
        mail.schedule(announcement, current_user)
    except ApiError as exc:
        refused = {
            "mail_off": _("No mail server is configured (TAGENGO_SMTP_URL)."),
            "retracted": _("A retracted announcement is not sent."),
        }
        flash(refused.get(exc.code, exc.message), "error")
    else:
        flash(_("The announcement is being sent to the e-mail list."), "ok")
    return redirect(url_for("console.announcement", announcement_id=announcement_id))
