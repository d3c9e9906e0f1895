"""Tables of the roster: people, their shifts and the dispatch log.

A person's contact is personal data: it is shown only on an audited page and emptied by the
retention purge; nothing else here names a way to reach anyone.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.core.extensions import db
from server.models import UTCDateTime, utcnow


class Person(db.Model):  # type: ignore[name-defined,misc]
    """Someone the center can send: staff, a volunteer or an interpreter."""

    __tablename__ = "roster_people"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))  # PersonKind
    organisation: Mapped[str] = mapped_column(String(200), default="")
    org_kind: Mapped[str] = mapped_column(String(16), default="center")  # OrgKind
    remote: Mapped[bool] = mapped_column(Boolean, default=False)
    # {"ne": "native", "en": "fluent"}: BCP 47 code → Level
    languages: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)  # Skill values
    status: Mapped[str] = mapped_column(String(16), default="available", index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    contact: Mapped[str | None] = mapped_column(Text)  # personal
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    shifts: Mapped[list[Availability]] = relationship(order_by="Availability.starts_at")


class Availability(db.Model):  # type: ignore[name-defined,misc]
    """A time a person can work."""

    __tablename__ = "roster_shifts"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("roster_people.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Dispatch(db.Model):  # type: ignore[name-defined,misc]
    """A person sent somewhere for a time: the dispatch log (cancelled rows are kept)."""

    __tablename__ = "roster_dispatches"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("roster_people.id"), index=True)
    interpreter_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("interpreter_requests.id"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    person: Mapped[Person] = relationship()
