"""Tables of the shelter domain: status history, census counts, rounds, needs and cards.

The shelter row itself (with its registry columns) stays in ``server.models``; these tables
point at it by id. Census rows are counts only: no evacuee is named anywhere here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.core.extensions import db
from server.models import Shelter, UTCDateTime, utcnow


class ShelterStatusChange(db.Model):  # type: ignore[name-defined,misc]
    """One step of a shelter's status history: who set what, when."""

    __tablename__ = "shelter_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    shelter_id: Mapped[int] = mapped_column(ForeignKey("shelters.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(200), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CensusCount(db.Model):  # type: ignore[name-defined,misc]
    """How many foreign evacuees of a shelter share one language, diet or care need."""

    __tablename__ = "shelter_census"
    __table_args__ = (UniqueConstraint("shelter_id", "kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shelter_id: Mapped[int] = mapped_column(ForeignKey("shelters.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # CensusKind
    key: Mapped[str] = mapped_column(String(32))
    count: Mapped[int] = mapped_column(Integer)


class Round(db.Model):  # type: ignore[name-defined,misc]
    """A visit recorded on the round sheet; ``client_id`` (made by the phone) dedupes resends.

    ``answers`` holds the sheet as the form data describes it; the fields the form marks
    personal (team members, medical details) are only shown on the audited detail page.
    """

    __tablename__ = "shelter_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(36), unique=True)
    shelter_id: Mapped[int] = mapped_column(ForeignKey("shelters.id"), index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set when the retention purge emptied the sheet's personal fields (the counts stay).
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set on everything a drill made; a drill's reset deletes exactly these rows.
    drill_id: Mapped[int | None] = mapped_column(ForeignKey("drills.id"), index=True)

    shelter: Mapped[Shelter] = relationship()


class Need(db.Model):  # type: ignore[name-defined,misc]
    """A need found at a shelter, worked from open to closed; may be met by an announcement."""

    __tablename__ = "shelter_needs"

    id: Mapped[int] = mapped_column(primary_key=True)
    shelter_id: Mapped[int] = mapped_column(ForeignKey("shelters.id"), index=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("shelter_rounds.id"))
    category: Mapped[str] = mapped_column(String(32))  # the manual's inquiry categories
    lang: Mapped[str] = mapped_column(String(16), index=True)
    urgency: Mapped[str] = mapped_column(String(16))  # Urgency
    count: Mapped[int] = mapped_column(Integer, default=1)
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)  # NeedStatus
    announcement_id: Mapped[int | None] = mapped_column(ForeignKey("announcements.id"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set on everything a drill made; a drill's reset deletes exactly these rows.
    drill_id: Mapped[int | None] = mapped_column(ForeignKey("drills.id"), index=True)

    shelter: Mapped[Shelter] = relationship()
    history: Mapped[list[NeedEvent]] = relationship(order_by="NeedEvent.id")


class NeedEvent(db.Model):  # type: ignore[name-defined,misc]
    """Who moved a need, to what, when (and which announcement answered it)."""

    __tablename__ = "shelter_need_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("shelter_needs.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(32))  # a NeedStatus, or "announced"
    detail: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RegistrationCard(db.Model):  # type: ignore[name-defined,misc]
    """An evacuee's registration card (避難者登録カード), filled in on a phone in their language.

    ``answers`` holds the card as the form data describes it; the retention purge removes the
    fields the form marks personal and the two match keys, and keeps the rest. The match keys
    are keyed hashes of the normalised name with the birth date, and of the phone number: they
    find possible duplicates without a second copy of the data in clear.
    """

    __tablename__ = "registration_cards"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(36), unique=True)
    shelter_id: Mapped[int] = mapped_column(ForeignKey("shelters.id"), index=True)
    lang: Mapped[str] = mapped_column(String(16))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    match_name: Mapped[str | None] = mapped_column(String(64), index=True)
    match_phone: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    shelter: Mapped[Shelter] = relationship()
