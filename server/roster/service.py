"""The roster: who the center can send, in which languages, when, and where they were sent.

Contacts are personal data: only ``contact_for`` returns one, and it writes the audit log.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from server.core import clock, validation
from server.core.errors import ApiError
from server.core.extensions import db
from server.models import AuditLog, User, utcnow
from server.roster.models import Availability, Dispatch, Person
from server.roster.words import LEVEL_RANK, Level, OrgKind, PersonKind, PersonStatus, Skill
from translations import languages

EVENING = (time(17, 0), time(22, 0))  # "this evening", in the center's time


class Clash(ApiError):
    """The person is already sent somewhere at an overlapping time."""

    def __init__(self, person: Person, other: Dispatch) -> None:
        local = other.starts_at.astimezone(clock.center_tz())
        until = other.ends_at.astimezone(clock.center_tz())
        super().__init__(
            409,
            "clash",
            f"{person.name} is already dispatched {local:%m-%d %H:%M}–{until:%H:%M} "
            f"(dispatch #{other.id})",
            "person_id",
        )


def _words(value: Any, field: str, options: tuple[str, ...]) -> list[str]:
    items = value.split(",") if isinstance(value, str) else value or []
    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
        raise validation.bad(field, f"'{field}' must be a list of {', '.join(options)}")
    found = [v.strip() for v in items if v.strip()]
    for v in found:
        if v not in options:
            raise validation.bad(field, f"unknown {field[:-1]} {v!r}: use {', '.join(options)}")
    return sorted(set(found))


def parse_languages(value: Any) -> dict[str, str]:
    """Read languages with levels: ``{"ne": "native"}`` or ``"ne:native, en:fluent"``."""
    if isinstance(value, str):
        pairs = [p.split(":", 1) if ":" in p else [p, "fluent"] for p in value.split(",")]
        value = {k.strip(): v.strip() for k, v in pairs if k.strip()}
    if not isinstance(value, dict) or not value:
        raise validation.bad("languages", "give at least one language, e.g. ne:native, en:fluent")
    out: dict[str, str] = {}
    for raw, level in value.items():
        code = languages.normalize(str(raw))
        if code is None:
            raise validation.bad("languages", f"unknown language {raw!r}")
        if level not in tuple(Level):
            raise validation.bad("languages", f"level of {raw} must be native, fluent or working")
        out[code] = str(level)
    return out


def parse_time(data: Mapping[str, Any], field: str) -> datetime:
    """Read an ISO 8601 time, past or future; one without zone is the center's local time."""
    value = data.get(field)
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise validation.bad(field, f"'{field}' must be a time like 2026-11-21T18:00")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=clock.center_tz())
    return parsed.astimezone(UTC)


def parse_person(data: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a roster entry; raise ApiError naming the field."""
    return {
        "name": validation.text(data, "name", required=True, max_chars=120),
        "kind": validation.choice(data, "kind", tuple(PersonKind), PersonKind.VOLUNTEER),
        "organisation": validation.text(data, "organisation", max_chars=200) or "",
        "org_kind": validation.choice(data, "org_kind", tuple(OrgKind), OrgKind.CENTER),
        "remote": data.get("remote") in (True, "on", "true", "1"),
        "languages": parse_languages(data.get("languages")),
        "skills": _words(data.get("skills"), "skills", tuple(Skill)),
        "status": validation.choice(data, "status", tuple(PersonStatus), PersonStatus.AVAILABLE),
        "contact": validation.text(data, "contact", max_chars=200),
    }


def create_person(fields: Mapping[str, Any]) -> Person:
    """Add a person to the roster (committed)."""
    person = Person(**fields)
    db.session.add(person)
    db.session.commit()
    return person


def set_status(person: Person, status: str) -> None:
    """Mark a person available, dispatched or off (committed)."""
    if status not in tuple(PersonStatus):
        raise validation.bad("status", "status must be available, dispatched or off")
    person.status = status
    person.updated_at = utcnow()
    db.session.commit()


def add_shift(person: Person, starts_at: datetime, ends_at: datetime) -> Availability:
    """Record a time the person can work (committed)."""
    if ends_at <= starts_at:
        raise validation.bad("ends_at", "a shift must end after it starts")
    shift = Availability(person_id=person.id, starts_at=starts_at, ends_at=ends_at)
    db.session.add(shift)
    person.updated_at = utcnow()
    db.session.commit()
    return shift


def evening(now: datetime | None = None) -> tuple[datetime, datetime]:
    """Return this evening (17–22 h, center time) as UTC; after 22 h, tomorrow's."""
    local = (now or utcnow()).astimezone(clock.center_tz())
    day = local.date() if local.time() < EVENING[1] else local.date() + timedelta(days=1)
    start = datetime.combine(day, EVENING[0], clock.center_tz())
    end = datetime.combine(day, EVENING[1], clock.center_tz())
    return start.astimezone(UTC), end.astimezone(UTC)


def clashes(person_id: int, starts_at: datetime, ends_at: datetime) -> list[Dispatch]:
    """Return the live dispatches of a person that overlap the time."""
    return list(
        db.session.scalars(
            select(Dispatch).where(
                Dispatch.person_id == person_id,
                Dispatch.cancelled_at.is_(None),
                Dispatch.starts_at < ends_at,
                Dispatch.ends_at > starts_at,
            )
        )
    )


def search(
    lang: str,
    starts_at: datetime,
    ends_at: datetime,
    *,
    skill: str | None = None,
    min_level: str = Level.WORKING,
) -> list[Person]:
    """Who speaks ``lang`` (at ``min_level`` or better), works then, and is not sent elsewhere.

    Best speakers first; a person marked off, or with no shift covering the whole time, or
    already dispatched at an overlapping time, is not free.
    """
    covered = select(Availability.person_id).where(
        Availability.starts_at <= starts_at, Availability.ends_at >= ends_at
    )
    people = db.session.scalars(
        select(Person).where(
            Person.status != PersonStatus.OFF, Person.id.in_(covered), Person.purged_at.is_(None)
        )
    ).all()
    floor = LEVEL_RANK[Level(min_level)]
    free = [
        p
        for p in people
        if lang in p.languages
        and LEVEL_RANK[Level(p.languages[lang])] >= floor
        and (skill is None or skill in p.skills)
        and not clashes(p.id, starts_at, ends_at)
    ]
    return sorted(free, key=lambda p: (-LEVEL_RANK[Level(p.languages[lang])], p.name))


def free_now(
    lang: str, *, minutes: int = 60, skill: str | None = None, now: datetime | None = None
) -> list[tuple[Person, str]]:
    """Who speaks ``lang``, works for the next ``minutes`` and is not sent elsewhere, with
    their level, best speakers first (for the desk's assignment and the round teams)."""
    start = now or utcnow()
    found = search(lang, start, start + timedelta(minutes=minutes), skill=skill)
    return [(p, p.languages[lang]) for p in found]


def dispatch(
    person: Person,
    starts_at: datetime,
    ends_at: datetime,
    user: User,
    *,
    interpreter_request_id: int | None = None,
    note: str = "",
) -> Dispatch:
    """Send a person for a time, refusing a clash with one already made (caller commits)."""
    if ends_at <= starts_at:
        raise validation.bad("ends_at", "a dispatch must end after it starts")
    # Lock the person's row so two desks cannot both pass the clash check (PostgreSQL).
    db.session.scalar(select(Person.id).where(Person.id == person.id).with_for_update())
    if person.status == PersonStatus.OFF:
        raise ApiError(409, "off", f"{person.name} is marked off", "person_id")
    found = clashes(person.id, starts_at, ends_at)
    if found:
        raise Clash(person, found[0])
    row = Dispatch(
        person_id=person.id,
        interpreter_request_id=interpreter_request_id,
        starts_at=starts_at,
        ends_at=ends_at,
        note=note[:200],
        created_by=user.id,
    )
    db.session.add(row)
    return row


def cancel_dispatch(row: Dispatch, user: User) -> None:
    """Cancel a dispatch; the row stays in the log (caller commits)."""
    if row.cancelled_at is None:
        row.cancelled_at, row.cancelled_by = utcnow(), user.id


def contact_for(person: Person, user: User, remote_addr: str | None) -> str | None:
    """Return a person's contact and record the view in the audit log (committed)."""
    db.session.add(
        AuditLog(
            user_id=user.id,
            action="view_contact",
            object_type="roster_person",
            object_id=person.id,
            remote_addr=remote_addr,
        )
    )
    db.session.commit()
    return person.contact


def purge(days: int) -> int:
    """Empty the contacts of people unchanged for ``days``; return how many (committed)."""
    cutoff = utcnow() - timedelta(days=days)
    stale = db.session.scalars(
        select(Person).where(
            Person.updated_at < cutoff, Person.contact.is_not(None), Person.purged_at.is_(None)
        )
    ).all()
    for person in stale:
        person.contact = None
        person.purged_at = utcnow()
    db.session.commit()
    return len(stale)
