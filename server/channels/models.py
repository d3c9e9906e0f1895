"""Tables of the e-mail list: subscribers (personal data), batches and one row per message."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.core.extensions import db
from server.models import UTCDateTime, utcnow


class SubscriberStatus(StrEnum):
    PENDING = "pending"  # waiting for the click in the confirmation mail
    CONFIRMED = "confirmed"
    UNSUBSCRIBED = "unsubscribed"  # the address is erased at once


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a worker until claimed_until
    SENT = "sent"  # committed before the SMTP transaction is completed: never sent again
    FAILED = "failed"  # refused by the server, or given up after the attempts
    SKIPPED = "skipped"  # unsubscribed, or the announcement was retracted or revised


class MailSubscriber(db.Model):  # type: ignore[name-defined,misc]
    """A resident on the e-mail list. ``email`` is personal: audited on view, purged."""

    __tablename__ = "mail_subscribers"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    lang: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=SubscriberStatus.PENDING.value)
    # Part of the signed confirm/unsubscribe links; a new one makes the old links void.
    nonce: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class MailBatch(db.Model):  # type: ignore[name-defined,misc]
    """One revision of an announcement sent to the list (marking it twice sends it once)."""

    __tablename__ = "mail_batches"
    __table_args__ = (UniqueConstraint("announcement_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id"))
    revision: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expanded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class MailDelivery(db.Model):  # type: ignore[name-defined,misc]
    """One message of a batch to one subscriber: the row that makes sending idempotent."""

    __tablename__ = "mail_deliveries"
    __table_args__ = (UniqueConstraint("batch_id", "subscriber_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("mail_batches.id"), index=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("mail_subscribers.id"), index=True)
    lang: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claim_token: Mapped[str | None] = mapped_column(String(32), index=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(String(200))  # the server's reply, never an address
