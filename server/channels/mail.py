"""The e-mail list: double opt-in, and announcements sent once per subscriber through SMTP.

Addresses are personal data: they live only in ``mail_subscribers.email``, are erased on
unsubscribe, never appear in task arguments or logs (tasks take a subscriber or batch id).

**Never twice.** Each message has a delivery row. A worker claims rows (``sending``, with a
lease), then for each one runs the SMTP transaction up to the end of the message *without*
the final ``.``; commits the row as ``sent``; and only then sends the ``.`` that makes the
server accept it. A worker killed before that commit leaves the server with an unfinished
transaction, which it throws away (RFC 5321), and the row ``sending``: after the lease
another worker sends it again, and it arrives once. A row committed ``sent`` is never sent
again; the only loss is a worker killed in the instant between that commit and writing the
``.``. A server that refuses the ``.`` puts the row back (4xx) or fails it (5xx).
"""

from __future__ import annotations

import logging
import re
import secrets
import smtplib
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formatdate
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, or_, select, update

from server.channels import alerts
from server.channels.models import (
    DeliveryStatus,
    MailBatch,
    MailDelivery,
    MailSubscriber,
    SubscriberStatus,
)
from server.core import outbox
from server.core.errors import ApiError
from server.core.extensions import db
from server.core.tasks import TaskName
from server.models import Announcement, User, utcnow
from translations import languages

log = logging.getLogger(__name__)
EMAIL = re.compile(r"^[^@\s<>,;\"]{1,64}@[A-Za-z0-9.-]{1,189}\.[A-Za-z]{2,}$")
CONFIRM, UNSUBSCRIBE = "mail-confirm", "mail-unsubscribe"
# Babel locale of each resident language (as the resident pages use).
LOCALES = {
    "ja": "ja",
    "ja-x-easy": "ja",
    "en": "en",
    "zh-Hans": "zh_Hans",
    "zh-Hant": "zh_Hant",
    "ko": "ko",
    "pt-BR": "pt_BR",
    "es": "es",
    "vi": "vi",
    "tl": "fil",
    "ne": "ne",
    "id": "id",
    "th": "th",
    "my": "my",
}


class SmtpRefused(Exception):
    """The server answered a message with an error code."""

    def __init__(self, code: int, reply: bytes | str, after_commit: bool = False) -> None:
        text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
        super().__init__(f"{code} {text}"[:200])
        self.code = code
        self.after_commit = after_commit  # refused the final ".": the row was already "sent"


# --- subscribing ---------------------------------------------------------------------------


def _link(kind: str, subscriber: MailSubscriber) -> str:
    token = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=kind).dumps(
        {"s": subscriber.id, "n": subscriber.nonce}
    )
    path = "confirm" if kind == CONFIRM else "unsubscribe"
    return f"{current_app.config['PUBLIC_URL']}/help/mail/{path}/{token}"


def from_link(kind: str, token: str) -> MailSubscriber | None:
    """Return the subscriber a confirm or unsubscribe link names, if it is still valid."""
    try:
        data = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=kind).loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    row = db.session.get(MailSubscriber, data.get("s"))
    if row is None or row.nonce != data.get("n") or row.email is None:
        return None
    return row


def enabled() -> bool:
    """Tell whether a mail server is configured."""
    return bool(current_app.config["SMTP_URL"])


def subscribe(email: str, lang: str) -> MailSubscriber:
    """Add an address (or renew a pending one) and queue its confirmation mail."""
    address = email.strip()
    if len(address) > 254 or not EMAIL.match(address):
        raise ApiError(400, "invalid", "not an e-mail address", "email")
    if lang not in LOCALES:
        raise ApiError(400, "invalid", "not a language of the center", "lang")
    # Same address again: one row, the new language; nothing tells a stranger it was there.
    row = db.session.scalar(
        select(MailSubscriber).where(
            MailSubscriber.email == address.lower(),
            MailSubscriber.status != SubscriberStatus.UNSUBSCRIBED,
        )
    )
    if row is None:
        row = MailSubscriber(email=address.lower(), lang=lang, nonce=secrets.token_hex(16))
        db.session.add(row)
    row.lang = lang
    db.session.flush()
    work = None
    if row.status != SubscriberStatus.CONFIRMED:
        work = outbox.add(TaskName.SEND_MAIL_CONFIRMATION, row.id, ref=f"mail-confirm:{row.id}")
    db.session.commit()
    if work is not None:
        outbox.dispatch([work])
    return row


def confirm(row: MailSubscriber) -> None:
    """Confirm an address (the second step of the opt-in)."""
    if row.status == SubscriberStatus.PENDING:
        row.status = SubscriberStatus.CONFIRMED
        row.confirmed_at = utcnow()
        db.session.commit()


def unsubscribe(row: MailSubscriber) -> None:
    """Take an address off the list and erase it at once; unsent messages to it are skipped."""
    row.status = SubscriberStatus.UNSUBSCRIBED
    row.unsubscribed_at = utcnow()
    row.email = None
    row.nonce = secrets.token_hex(16)  # every old link is void
    db.session.execute(
        update(MailDelivery)
        .where(
            MailDelivery.subscriber_id == row.id,
            MailDelivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.SENDING]),
        )
        .values(status=DeliveryStatus.SKIPPED, error="unsubscribed")
    )
    db.session.commit()


def purge(days: int) -> int:
    """Delete addresses never confirmed within ``days``; return how many."""
    cutoff = utcnow() - timedelta(days=days)
    rows = list(
        db.session.scalars(
            select(MailSubscriber).where(
                MailSubscriber.status == SubscriberStatus.PENDING,
                MailSubscriber.created_at < cutoff,
            )
        )
    )
    for row in rows:
        db.session.delete(row)
    db.session.commit()
    return len(rows)


# --- SMTP ----------------------------------------------------------------------------------


@contextmanager
def connect() -> Iterator[smtplib.SMTP]:
    """Open the configured SMTP server (plain, STARTTLS or TLS), logged in when asked."""
    url = urlsplit(current_app.config["SMTP_URL"])
    host = url.hostname or "localhost"
    if url.scheme == "smtps":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, url.port or 465, timeout=30)
    elif url.scheme in ("smtp", "smtp+starttls"):
        smtp = smtplib.SMTP(host, url.port or (587 if url.scheme != "smtp" else 25), timeout=30)
        if url.scheme == "smtp+starttls":
            smtp.starttls(context=ssl.create_default_context())
    else:
        raise ValueError("TAGENGO_SMTP_URL must start with smtp://, smtp+starttls:// or smtps://")
    try:
        if url.username:
            smtp.login(unquote(url.username), unquote(url.password or ""))
        yield smtp
    finally:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


def _wire(message: EmailMessage) -> bytes:
    """The message as SMTP DATA: CRLF lines, leading dots doubled, ending in CRLF."""
    data = message.as_bytes(policy=SMTP_POLICY)
    data = re.sub(rb"(?m)^\.", b"..", data)
    return data if data.endswith(b"\r\n") else data + b"\r\n"


class LostClaim(Exception):
    """Another worker took the message over (our lease lapsed): this one must not finish it."""


def send_once(
    smtp: smtplib.SMTP,
    sender: str,
    to: str,
    message: EmailMessage,
    commit_sent: Callable[[], bool],
) -> None:
    """Run one SMTP transaction, committing it as sent (``commit_sent``) before the final ``.``.

    When the commit finds the message no longer ours, the connection is dropped without the
    ``.``: the server throws the unfinished message away.
    """
    smtp.ehlo_or_helo_if_needed()
    code, reply = smtp.mail(sender)
    if code != 250:
        smtp.rset()
        raise SmtpRefused(code, reply)
    code, reply = smtp.rcpt(to)
    if code not in (250, 251):
        smtp.rset()
        raise SmtpRefused(code, reply)
    code, reply = smtp.docmd("DATA")
    if code != 354:
        smtp.rset()
        raise SmtpRefused(code, reply)
    smtp.send(_wire(message))
    if not commit_sent():
        smtp.close()
        raise LostClaim()
    smtp.send(b".\r\n")
    code, reply = smtp.getreply()
    if code != 250:
        raise SmtpRefused(code, reply, after_commit=True)


def _send_simple(to: str, message: EmailMessage) -> None:
    with connect() as smtp:
        send_once(smtp, current_app.config["MAIL_FROM"], to, message, lambda: True)


def send_confirmation(subscriber_id: int) -> bool:
    """Mail the confirmation link (a repeat only repeats the link; it changes nothing)."""
    row = db.session.get(MailSubscriber, subscriber_id)
    if row is None or row.status != SubscriberStatus.PENDING or row.email is None:
        outbox.close(f"mail-confirm:{subscriber_id}")
        db.session.commit()
        return False
    with force_locale(LOCALES.get(row.lang, "en")):
        body = "\n\n".join(
            [
                _("Please confirm that you want the center's announcements by e-mail:"),
                _link(CONFIRM, row),
                _("If you did not ask for this, ignore this message."),
            ]
        )
        subject = _("Confirm your e-mail for disaster information")
    message = _message(row.email, subject, body, row.lang, None)
    _send_simple(row.email, message)
    outbox.close(f"mail-confirm:{subscriber_id}")
    db.session.commit()
    log.info("confirmation mail sent to subscriber=%s", subscriber_id)
    return True


def compose(to: str, subject: str, body: str, lang: str) -> EmailMessage:
    """A plain text message from the center (used by other domains' notices)."""
    return _message(to, subject, body, lang, None)


def _message(
    to: str, subject: str, body: str, lang: str, unsubscribe: str | None, msgid: str | None = None
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Content-Language"] = lang
    host = current_app.config["MAIL_FROM"].rsplit("@", 1)[-1]
    message["Message-ID"] = msgid or f"<{secrets.token_hex(12)}@{host}>"
    if unsubscribe:
        message["List-Unsubscribe"] = f"<{unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(body, charset="utf-8")
    return message


# --- announcements to the list -------------------------------------------------------------


def schedule(announcement: Announcement, user: User | None) -> MailBatch:
    """Mark the current revision for e-mail; a second mark returns the same batch."""
    if not enabled():
        raise ApiError(409, "mail_off", "no mail server: set TAGENGO_SMTP_URL")
    if announcement.status != "active":
        raise ApiError(409, "retracted", "a retracted announcement is not sent")
    existing: MailBatch | None = db.session.scalar(
        select(MailBatch).where(
            MailBatch.announcement_id == announcement.id,
            MailBatch.revision == announcement.revision,
        )
    )
    if existing is not None:
        return existing
    batch = MailBatch(
        announcement_id=announcement.id,
        revision=announcement.revision,
        created_by=user.id if user else None,
    )
    db.session.add(batch)
    db.session.flush()
    work = outbox.add(TaskName.SEND_MAIL_BATCH, batch.id, ref=f"mail-batch:{batch.id}")
    db.session.commit()
    outbox.dispatch([work])
    return batch


def _expand(batch: MailBatch) -> None:
    """List the batch's recipients once: every address confirmed when the batch first runs."""
    if batch.expanded_at is not None:
        return
    subscribers = db.session.execute(
        select(MailSubscriber.id, MailSubscriber.lang).where(
            MailSubscriber.status == SubscriberStatus.CONFIRMED
        )
    ).all()
    for sid, lang in subscribers:
        db.session.add(MailDelivery(batch_id=batch.id, subscriber_id=sid, lang=lang))
    batch.expanded_at = utcnow()
    db.session.commit()  # a second worker doing the same hits the unique key and rolls back


def _claim(
    batch: MailBatch, langs: list[str], size: int, lease: int
) -> tuple[str, list[MailDelivery]]:
    now = utcnow()
    token = secrets.token_hex(16)
    claimable = (
        select(MailDelivery.id)
        .where(
            MailDelivery.batch_id == batch.id,
            MailDelivery.lang.in_(langs),
            or_(
                MailDelivery.status == DeliveryStatus.PENDING,
                and_(
                    MailDelivery.status == DeliveryStatus.SENDING,
                    MailDelivery.claimed_until < now,
                ),
            ),
        )
        .order_by(MailDelivery.id)
        .limit(size)
    )
    ids = list(db.session.scalars(claimable))
    if not ids:
        return token, []
    # Re-checked in the UPDATE itself: of two workers, only one wins each row.
    db.session.execute(
        update(MailDelivery)
        .where(
            MailDelivery.id.in_(ids),
            or_(
                MailDelivery.status == DeliveryStatus.PENDING,
                and_(
                    MailDelivery.status == DeliveryStatus.SENDING,
                    MailDelivery.claimed_until < now,
                ),
            ),
        )
        .values(
            status=DeliveryStatus.SENDING,
            claim_token=token,
            claimed_until=now + timedelta(seconds=lease),
            attempts=MailDelivery.attempts + 1,
        )
    )
    db.session.commit()
    db.session.expire_all()
    rows = db.session.scalars(select(MailDelivery).where(MailDelivery.claim_token == token))
    return token, list(rows)


def _body(
    announcement: Announcement, lang: str, texts: dict[str, str], unsubscribe: str
) -> tuple[str, str]:
    """Subject and body in ``lang``; Japanese and English when that language is not ready."""
    with force_locale(LOCALES.get(lang, "en")):
        event = alerts.event_name(announcement.category, lang if lang in texts else "en")
        if lang in texts:
            parts = [texts[lang]]
        else:
            parts = [
                _("This message is not translated into your language yet."),
                *[texts[code] for code in ("ja-x-easy", "ja", "en") if code in texts],
            ]
        drill = _("DRILL — this is an exercise.") if announcement.drill else None
        footer = _("To stop these e-mails, open this link:")
        first = parts[0].splitlines()[0] if parts[0] else ""
        subject = f"{'[DRILL] ' if announcement.drill else ''}{event}: {first[:60]}"
        body = "\n\n".join(p for p in [drill, *parts, "--", f"{footer}\n{unsubscribe}"] if p)
    return subject, body


def _ours(row_id: int, token: str, **values: Any) -> bool:
    """Change a claimed row only while it is still ours (compare-and-set); commit."""
    result = db.session.execute(
        update(MailDelivery)
        .where(
            MailDelivery.id == row_id,
            MailDelivery.claim_token == token,
            MailDelivery.status == DeliveryStatus.SENDING,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def _settle(row_id: int, **values: Any) -> None:
    """Record the server's answer to the final "." of a row committed as sent."""
    db.session.execute(
        update(MailDelivery)
        .where(
            MailDelivery.id == row_id,
            MailDelivery.status == DeliveryStatus.SENT,
            MailDelivery.sent_at.is_(None),
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _release(token: str, error: str) -> None:
    """Put the rows still claimed with ``token`` back (or fail those out of attempts)."""
    mine = (MailDelivery.claim_token == token, MailDelivery.status == DeliveryStatus.SENDING)
    db.session.execute(
        update(MailDelivery)
        .where(*mine, MailDelivery.attempts >= current_app.config["MAX_ATTEMPTS"])
        .values(status=DeliveryStatus.FAILED, claim_token=None, error=error[:200])
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(MailDelivery)
        .where(*mine)
        .values(status=DeliveryStatus.PENDING, claim_token=None, claimed_until=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _deliver(
    smtp: smtplib.SMTP,
    batch: MailBatch,
    claim: tuple[str, list[MailDelivery]],
    texts: dict[str, str],
) -> int:
    """Send claimed rows over one connection; return how many the server accepted."""
    token, rows = claim
    announcement = db.session.get(Announcement, batch.announcement_id)
    assert announcement is not None
    config = current_app.config
    host = config["MAIL_FROM"].rsplit("@", 1)[-1]
    sent = 0
    for row in rows:
        row_id, subscriber_id, lang, attempts = row.id, row.subscriber_id, row.lang, row.attempts
        subscriber = db.session.get(MailSubscriber, subscriber_id)
        if subscriber is None or subscriber.email is None:
            _ours(row_id, token, status=DeliveryStatus.SKIPPED, error="unsubscribed")
            continue
        # Renew the lease per message: a long batch keeps what it claimed, a dead one loses it.
        until = utcnow() + timedelta(seconds=config["MAIL_LEASE_SECONDS"])
        if not _ours(row_id, token, claimed_until=until):
            continue
        link = _link(UNSUBSCRIBE, subscriber)
        subject, body = _body(announcement, lang, texts, link)
        message = _message(
            subscriber.email,
            subject,
            body,
            lang,
            link,
            f"<tagengo.{batch.id}.{subscriber_id}@{host}>",
        )
        try:
            send_once(
                smtp,
                config["MAIL_FROM"],
                subscriber.email,
                message,
                lambda rid=row_id: _ours(  # type: ignore[misc]
                    rid, token, status=DeliveryStatus.SENT, claim_token=None
                ),
            )
            # The server's 250 was read: sent_at says so. A row "sent" without it is one whose
            # worker died between the final "." and the reply (the server may or may not have it).
            _settle(row_id, sent_at=utcnow())
            sent += 1
        except SmtpRefused as exc:
            # The server refused the message: it was not delivered, so it may be sent again.
            permanent = exc.code >= 500 or attempts >= config["MAX_ATTEMPTS"]
            status = DeliveryStatus.FAILED if permanent else DeliveryStatus.PENDING
            values = {"status": status, "error": str(exc), "claim_token": None}
            if exc.after_commit:
                _settle(row_id, **values)
            else:
                _ours(row_id, token, **values)
            log.warning("batch=%s delivery=%s refused: %s", batch.id, row_id, exc.code)
    return sent


def _waiting_langs(batch: MailBatch, texts: dict[str, str]) -> tuple[list[str], bool]:
    """Languages that may go now, and whether some wait for their translation."""
    langs = list(
        db.session.scalars(
            select(MailDelivery.lang).where(MailDelivery.batch_id == batch.id).distinct()
        )
    )
    waited = (utcnow() - batch.created_at).total_seconds()
    if waited >= current_app.config["MAIL_WAIT_SECONDS"]:
        return langs, False
    ready = [lang for lang in langs if lang in texts]
    return ready, len(ready) < len(langs)


def _finish_if_done(batch: MailBatch) -> bool:
    open_rows = db.session.scalar(
        select(MailDelivery.id)
        .where(
            MailDelivery.batch_id == batch.id,
            MailDelivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.SENDING]),
        )
        .limit(1)
    )
    if open_rows is not None:
        return False
    batch.finished_at = utcnow()
    outbox.close(f"mail-batch:{batch.id}")
    db.session.commit()
    return True


def send_batch(batch_id: int) -> int:
    """Send a batch's unsent messages; return how many were sent now (idempotent).

    Languages still being translated wait up to MAIL_WAIT_SECONDS; the batch's outbox row
    stays open until every message is sent, failed or skipped, so the sweep brings it back.
    """
    batch = db.session.get(MailBatch, batch_id)
    if batch is None or batch.finished_at is not None:
        return 0
    announcement = db.session.get(Announcement, batch.announcement_id)
    assert announcement is not None
    _expand(batch)
    if not announcement.is_current(batch.revision):
        db.session.execute(
            update(MailDelivery)
            .where(MailDelivery.batch_id == batch.id, MailDelivery.status == DeliveryStatus.PENDING)
            .values(status=DeliveryStatus.SKIPPED, error="retracted or revised before sending")
        )
        db.session.commit()
    texts = alerts.texts(announcement, announcement.revisions[batch.revision - 1])
    config = current_app.config
    sent = 0
    langs, _waiting = _waiting_langs(batch, texts)
    while langs:
        claim = _claim(batch, langs, config["MAIL_BATCH_SIZE"], config["MAIL_LEASE_SECONDS"])
        if not claim[1]:
            break
        try:
            with connect() as smtp:
                sent += _deliver(smtp, batch, claim, texts)
        except LostClaim:
            _release(claim[0], "taken over by another worker")
        except (OSError, smtplib.SMTPException) as exc:
            # The server is away: unsent claimed rows go back for the next try (the sweep).
            _release(claim[0], str(exc))
            log.warning(
                "batch=%s: mail server unavailable (%s); retried later",
                batch.id,
                type(exc).__name__,
            )
            break
    _finish_if_done(batch)
    log.info("batch=%s: %s message(s) sent", batch.id, sent)
    return sent


def counts(batch: MailBatch) -> dict[str, int]:
    """Count a batch's messages by status (no addresses)."""
    result = {s.value: 0 for s in DeliveryStatus}
    for (status,) in db.session.execute(
        select(MailDelivery.status).where(MailDelivery.batch_id == batch.id)
    ):
        result[status] += 1
    return result


def language_name(code: str) -> str:
    """Native name of a language, for forms."""
    lang = languages.BY_CODE.get(code)
    return lang.native if lang else code
