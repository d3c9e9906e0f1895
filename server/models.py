"""SQLAlchemy 2.0 typed models: the database is the source of truth for boards."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import false as sa_false
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from server.core.extensions import db
from server.words import AnnouncementStatus, InquiryStatus, TranslationStatus


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every database (SQLite drops the zone; this restores it)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    # BCP 47 codes this person can work in, comma-separated (to assign inquiries).
    languages: Mapped[str] = mapped_column(String(200), default="ja", server_default="ja")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # A generated (one-time) password: the console asks for a new one before anything else.
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=sa_false()
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def is_active(self) -> bool:
        return self.active


class ApiToken(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(120), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class Shelter(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "shelters"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_ja: Mapped[str] = mapped_column(String(200))
    name_romaji: Mapped[str] = mapped_column(String(200), default="")
    # True while name_romaji is pykakasi's suggestion that no one has checked yet.
    name_romaji_suggested: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=sa_false()
    )
    # Names staff gave per center language ({lang: name}); see translations.places.place_for.
    names: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, server_default="{}")
    address: Mapped[str] = mapped_column(String(400), default="")
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)  # status is not closed
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The registry (server/shelters/): kind and status are server.shelters.words enums.
    kind: Mapped[str] = mapped_column(String(24), default="designated", server_default="designated")
    status: Mapped[str] = mapped_column(String(16), default="open", server_default="open")
    capacity: Mapped[int | None] = mapped_column(Integer)
    headcount: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    foreign_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    address_romaji: Mapped[str] = mapped_column(String(400), default="", server_default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    contact: Mapped[str] = mapped_column(String(200), default="", server_default="")
    census_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A shelter a drill's round reports made (never a real one: a report changes its census).
    drill_id: Mapped[int | None] = mapped_column(ForeignKey("drills.id"), index=True)

    boards: Mapped[list[Board]] = relationship(back_populates="shelter")


class Board(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "boards"

    id: Mapped[int] = mapped_column(primary_key=True)
    shelter_id: Mapped[int] = mapped_column(ForeignKey("shelters.id"))
    name: Mapped[str] = mapped_column(String(200))
    layout: Mapped[str] = mapped_column(String(16), default="grid")
    furigana: Mapped[bool] = mapped_column(Boolean, default=False)
    # Board tokens are derived from SECRET_KEY + id + version; bumping the version revokes.
    token_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    shelter: Mapped[Shelter] = relationship(back_populates="boards")


class Announcement(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_lang: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    urgency: Mapped[str] = mapped_column(String(16))
    certainty: Mapped[str] = mapped_column(String(16))
    target_all: Mapped[bool] = mapped_column(Boolean, default=True)
    shelter_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    drill: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set on everything a drill made; a drill's reset deletes exactly these rows.
    drill_id: Mapped[int | None] = mapped_column(ForeignKey("drills.id"), index=True)
    drill_inject_id: Mapped[int | None] = mapped_column(ForeignKey("drill_injects.id"))  # answers
    status: Mapped[str] = mapped_column(String(16), default=AnnouncementStatus.ACTIVE.value)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    retracted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    revisions: Mapped[list[AnnouncementRevision]] = relationship(
        back_populates="announcement", order_by="AnnouncementRevision.revision"
    )

    def is_current(self, revision: int) -> bool:
        """Tell whether ``revision`` is what boards show now (active, not replaced)."""
        return self.status == AnnouncementStatus.ACTIVE and self.revision == revision


class AnnouncementRevision(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "announcement_revisions"
    __table_args__ = (UniqueConstraint("announcement_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id"))
    revision: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    easy_text: Mapped[str | None] = mapped_column(Text)
    template_id: Mapped[str | None] = mapped_column(String(120))
    slots: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    announcement: Mapped[Announcement] = relationship(back_populates="revisions")


class Translation(db.Model):  # type: ignore[name-defined,misc]
    """One language of one revision; the unique key makes the translate task idempotent."""

    __tablename__ = "translations"
    __table_args__ = (UniqueConstraint("announcement_id", "revision", "lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id"))
    revision: Mapped[int] = mapped_column(Integer)
    lang: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    method: Mapped[str | None] = mapped_column(String(16))
    reviewed: Mapped[bool] = mapped_column(Boolean, default=False)
    text: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(String(200))
    engine: Mapped[str | None] = mapped_column(String(64))
    model: Mapped[str | None] = mapped_column(String(120))
    elapsed_ms: Mapped[int | None] = mapped_column(Integer)
    event_seq: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    machine_text: Mapped[str | None] = mapped_column(Text)
    # Made from this language's text (the shared English pivot) rather than the source.
    pivot_lang: Mapped[str | None] = mapped_column(String(16))
    # The quality gate's verdict on a machine text: reviewers see these first.
    check_first: Mapped[bool] = mapped_column(Boolean, default=False)
    check_reasons: Mapped[list[str] | None] = mapped_column(JSON, default=list)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class BoardEvent(db.Model):  # type: ignore[name-defined,misc]
    """A persisted board event; ``seq`` orders them and is what `/feed?since=` pages on."""

    __tablename__ = "board_events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(String(40))
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id"), index=True)
    target_all: Mapped[bool] = mapped_column(Boolean, default=True)
    shelter_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Counter(db.Model):  # type: ignore[name-defined,misc]
    """Named counters; incrementing one row serialises writers so seq order is commit order."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class Outbox(db.Model):  # type: ignore[name-defined,misc]
    """Deferred work committed with the change that needs it; the sweep re-sends what is left.

    ``ref`` names what the work is for ("announcement:7:2", "inquiry:5", "reply:9"): the
    work closes its own row by it, in the same commit as its result.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(String(80))
    args: Mapped[list[int]] = mapped_column(JSON, default=list)  # ids only, never personal data
    ref: Mapped[str] = mapped_column(String(80), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dispatch_count: Mapped[int] = mapped_column(Integer, default=0)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)


class MachineJob(db.Model):  # type: ignore[name-defined,misc]
    """A text waiting for a model; drained in batches per language pair, deleted when done.

    Every kind of text goes this way (announcement languages, inquiry messages, desk replies,
    the translate API). A job is claimed for a lease; a worker killed mid-batch lets the lease
    lapse and another takes the job over. The text may be a resident's words: it lives only
    here and only until the job is finished or the inquiry is purged.
    """

    __tablename__ = "machine_jobs"
    __table_args__ = (Index("ix_machine_jobs_pair", "source_lang", "target_lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # JobKind
    ref_id: Mapped[int | None] = mapped_column(Integer)  # translation, inquiry or reply id
    ref_key: Mapped[str | None] = mapped_column(String(80))  # an ad-hoc request's answer key
    source_lang: Mapped[str] = mapped_column(String(16))
    target_lang: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    priority: Mapped[int] = mapped_column(Integer, default=0)  # higher is claimed first
    # Waits for the text of this translation (the pivot language) before it can be claimed.
    after_id: Mapped[int | None] = mapped_column(Integer, index=True)
    claim_token: Mapped[str | None] = mapped_column(String(32), index=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MemoryEntry(db.Model):  # type: ignore[name-defined,misc]
    """A reviewed translation a person made or approved, reused before machine translation."""

    __tablename__ = "memory_entries"
    __table_args__ = (UniqueConstraint("source_lang", "target_lang", "source_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_lang: Mapped[str] = mapped_column(String(16))
    target_lang: Mapped[str] = mapped_column(String(16))
    source_key: Mapped[str] = mapped_column(String(64))  # sha256 of the normalised source text
    source_text: Mapped[str] = mapped_column(Text)
    target_text: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(16), default="review")  # review | import
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Inquiry(db.Model):  # type: ignore[name-defined,misc]
    """A resident's question. Fields marked personal are emptied by the retention purge."""

    __tablename__ = "inquiries"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(16))  # web | phone | walk_in | api
    lang: Mapped[str] = mapped_column(String(16))
    lang_chosen: Mapped[bool] = mapped_column(Boolean, default=True)
    lang_detected: Mapped[str | None] = mapped_column(String(16))
    lang_confidence: Mapped[float | None] = mapped_column()
    category: Mapped[str] = mapped_column(String(32), index=True)
    shelter_id: Mapped[int | None] = mapped_column(ForeignKey("shelters.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=InquiryStatus.OPEN.value, index=True)
    referred_to: Mapped[str | None] = mapped_column(String(200))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    priority: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    priority_reason: Mapped[str | None] = mapped_column(String(200))
    interpreter: Mapped[str | None] = mapped_column(String(200))
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    # personal
    place: Mapped[str | None] = mapped_column(String(200))
    message: Mapped[str | None] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(String(200))
    contact: Mapped[str | None] = mapped_column(String(200))
    message_ja: Mapped[str | None] = mapped_column(Text)
    # how message_ja was made: phrasebook | memory | machine | human | pending
    message_ja_method: Mapped[str | None] = mapped_column(String(16))
    message_ja_note: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    first_reply_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set on everything a drill made; a drill's reset deletes exactly these rows.
    drill_id: Mapped[int | None] = mapped_column(ForeignKey("drills.id"), index=True)

    replies: Mapped[list[InquiryReply]] = relationship(order_by="InquiryReply.id")
    history: Mapped[list[InquiryEvent]] = relationship(order_by="InquiryEvent.id")


class InquiryReply(db.Model):  # type: ignore[name-defined,misc]
    """Staff's answer, written in Japanese and translated into the resident's language."""

    __tablename__ = "inquiry_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    text_ja: Mapped[str | None] = mapped_column(Text)
    template_id: Mapped[str | None] = mapped_column(String(120))
    text: Mapped[str | None] = mapped_column(Text)  # in the resident's language
    status: Mapped[str] = mapped_column(String(16), default=TranslationStatus.TRANSLATING.value)
    method: Mapped[str | None] = mapped_column(String(16))
    reviewed: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class InquiryEvent(db.Model):  # type: ignore[name-defined,misc]
    """The history of an inquiry: who changed what, when (no message text)."""

    __tablename__ = "inquiry_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditLog(db.Model):  # type: ignore[name-defined,misc]
    """Every time staff see personal data, and every change to an account."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[int | None] = mapped_column(Integer)
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    detail: Mapped[str | None] = mapped_column(String(200))  # e.g. "role: operator → admin"
