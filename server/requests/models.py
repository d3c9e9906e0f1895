"""Tables of requests: translation requests and their pieces, interpreter requests, invites.

A translation request is split into one piece per target language; each piece is claimed,
translated, checked by a second person and delivered on its own. Claims live in the database
(``claimed_until``) and lapse by themselves: a read treats a lapsed claim as free, and the
beat task clears it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.core.extensions import db
from server.models import UTCDateTime, utcnow


class TranslationRequest(db.Model):  # type: ignore[name-defined,misc]
    """A text a requester (municipal staff) wants in some of the center's languages."""

    __tablename__ = "translation_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    purpose: Mapped[str] = mapped_column(String(400), default="")
    source_lang: Mapped[str] = mapped_column(String(16))
    source_text: Mapped[str] = mapped_column(Text)
    filename: Mapped[str | None] = mapped_column(String(200))
    deadline: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set on everything a drill made; a drill's reset deletes exactly these rows.
    drill_id: Mapped[int | None] = mapped_column(ForeignKey("drills.id"), index=True)

    pieces: Mapped[list[RequestPiece]] = relationship(
        back_populates="request", order_by="RequestPiece.lang"
    )


class RequestPiece(db.Model):  # type: ignore[name-defined,misc]
    """One target language of a request: waiting → claimed → checking → delivered."""

    __tablename__ = "request_pieces"
    __table_args__ = (UniqueConstraint("request_id", "lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("translation_requests.id"), index=True)
    lang: Mapped[str] = mapped_column(String(16), index=True)
    status: Mapped[str] = mapped_column(String(16), default="waiting", index=True)  # PieceStatus
    machine_text: Mapped[str | None] = mapped_column(Text)
    machine_method: Mapped[str | None] = mapped_column(String(16))  # None while the job waits
    machine_note: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str | None] = mapped_column(Text)  # the translator's (draft, then final)
    translator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    overdue_told_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    request: Mapped[TranslationRequest] = relationship(back_populates="pieces")
    history: Mapped[list[PieceEvent]] = relationship(order_by="PieceEvent.id")


class PieceEvent(db.Model):  # type: ignore[name-defined,misc]
    """Who did what to a piece, when (claim, release, lapse, submit, return, deliver)."""

    __tablename__ = "request_piece_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    piece_id: Mapped[int] = mapped_column(ForeignKey("request_pieces.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class InterpreterRequest(db.Model):  # type: ignore[name-defined,misc]
    """An interpreter wanted at a place and time, in a language."""

    __tablename__ = "interpreter_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    lang: Mapped[str] = mapped_column(String(16), index=True)
    place: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    purpose: Mapped[str] = mapped_column(String(400), default="")
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set on everything a drill made; a drill's reset deletes exactly these rows.
    drill_id: Mapped[int | None] = mapped_column(ForeignKey("drills.id"), index=True)


class Invite(db.Model):  # type: ignore[name-defined,misc]
    """A link that makes one remote translator's account before it expires."""

    __tablename__ = "request_invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    organisation: Mapped[str] = mapped_column(String(200), default="")
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class RequestNotice(db.Model):  # type: ignore[name-defined,misc]
    """One e-mail to one rostered person about a request; ``key`` makes it go out once.

    The address is read from the roster at send time and is never stored here.
    """

    __tablename__ = "request_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)  # "new:<request>:<person>"
    kind: Mapped[str] = mapped_column(String(16))  # NoticeKind
    request_id: Mapped[int] = mapped_column(ForeignKey("translation_requests.id"), index=True)
    piece_id: Mapped[int | None] = mapped_column(ForeignKey("request_pieces.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("roster_people.id"))
    status: Mapped[str] = mapped_column(String(16), default="waiting")  # NoticeStatus
    error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
