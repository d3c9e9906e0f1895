"""Resident pages of the e-mail list: subscribe with an address and a language, confirm, leave.

Every step that changes something is a POST from a page (mail scanners that open links must
not confirm or unsubscribe anyone); the pages speak the resident's language.
"""

from __future__ import annotations

from flask import Blueprint, request
from flask_babel import gettext as _

from server.channels import mail
from server.core.errors import ApiError
from server.core.extensions import csrf, limiter
from server.web.resident import RESIDENT_LOCALES, _limit, _page, resident_language
from translations import languages

bp = Blueprint("resident_mail", __name__, url_prefix="/help/mail")
TEMPLATE = "channels/mail_page.html"


def _choices() -> list[tuple[str, str]]:
    return [(code, languages.BY_CODE[code].native) for code in RESIDENT_LOCALES]


@bp.get("")
def form() -> tuple[str, int]:
    """The subscription form."""
    if not mail.enabled():
        return _page(TEMPLATE, 503, step="off")
    return _page(TEMPLATE, step="form", choices=_choices(), chosen=resident_language(), error=None)


@bp.post("")
@limiter.limit(_limit, methods=["POST"])
def subscribe() -> tuple[str, int]:
    """Store the address and send the confirmation link."""
    if not mail.enabled():
        return _page(TEMPLATE, 503, step="off")
    chosen = request.form.get("mail_lang") or resident_language()
    if request.form.get("website"):  # honeypot
        return _page(TEMPLATE, 400, step="form", choices=_choices(), chosen=chosen, error=None)
    try:
        mail.subscribe(request.form.get("email", ""), chosen)
    except ApiError as exc:
        error = (
            _("Please write a valid e-mail address.")
            if exc.field == "email"
            else _("Please choose a language.")
        )
        return _page(TEMPLATE, 400, step="form", choices=_choices(), chosen=chosen, error=error)
    return _page(TEMPLATE, step="sent")


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str) -> tuple[str, int]:
    """Show a confirm button; the POST confirms."""
    row = mail.from_link(mail.CONFIRM, token)
    if row is None:
        return _page(TEMPLATE, 404, step="invalid")
    if request.method == "POST":
        mail.confirm(row)
        return _page(TEMPLATE, step="confirmed")
    return _page(TEMPLATE, step="confirm")


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058 one-click: the mail program POSTs; the signed link is the secret
def unsubscribe(token: str) -> tuple[str, int]:
    """Show an unsubscribe button; the POST (also RFC 8058 one-click) erases the address."""
    row = mail.from_link(mail.UNSUBSCRIBE, token)
    if row is None:
        return _page(TEMPLATE, 404, step="invalid")
    if request.method == "POST":
        mail.unsubscribe(row)
        return _page(TEMPLATE, step="unsubscribed")
    return _page(TEMPLATE, step="unsubscribe")
