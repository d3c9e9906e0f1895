"""The shelter registry: kind, status with its history, capacity, address, place, contact."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from server.core import validation
from server.core.errors import ApiError
from server.core.extensions import db
from server.models import Shelter, User, utcnow
from server.shelters import places
from server.shelters.models import ShelterStatusChange
from server.shelters.words import ShelterKind, ShelterStatus

KINDS = tuple(ShelterKind)
STATUSES = tuple(ShelterStatus)
TEXT_FIELDS = {
    "name_ja": 200,
    "name_romaji": 200,
    "address": 400,
    "address_romaji": 400,
    "contact": 200,
}


def get(shelter_id: int) -> Shelter:
    """Return a shelter or raise the API's 404."""
    shelter = db.session.get(Shelter, shelter_id)
    if shelter is None:
        raise ApiError(404, "unknown_shelter", f"no shelter with id {shelter_id}", "shelter_id")
    return shelter


def count(data: Mapping[str, Any], field: str) -> int | None:
    """Read an optional whole number of people."""
    value = data.get(field)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100_000:
        raise validation.bad(field, f"'{field}' must be a whole number from 0 to 100000")
    return value


def _coordinate(data: Mapping[str, Any], field: str, limit: float) -> float | None:
    value = data.get(field)
    if value is None:
        return None
    if (
        not isinstance(value, int | float)
        or isinstance(value, bool)
        or not math.isfinite(value)
        or not -limit <= value <= limit
    ):
        raise validation.bad(field, f"'{field}' must be a number from {-limit:g} to {limit:g}")
    return float(value)


def parse(data: Mapping[str, Any], *, creating: bool) -> dict[str, Any]:
    """Validate registry fields (all of them, before anything changes); return those given."""
    out: dict[str, Any] = {}
    for field, limit in TEXT_FIELDS.items():
        if field in data or (creating and field == "name_ja"):
            value = validation.text(data, field, required=field == "name_ja", max_chars=limit)
            out[field] = value or ""
    if "kind" in data:
        out["kind"] = validation.choice(data, "kind", KINDS, ShelterKind.DESIGNATED)
    if "status" in data:
        out["status"] = validation.choice(data, "status", STATUSES, ShelterStatus.OPEN)
    for field in ("capacity", "headcount"):
        if field in data:
            out[field] = count(data, field)
    if "lat" in data or "lon" in data:
        lat, lon = _coordinate(data, "lat", 90), _coordinate(data, "lon", 180)
        if (lat is None) != (lon is None):
            raise validation.bad("lat", "give both 'lat' and 'lon', or neither")
        out["lat"], out["lon"] = lat, lon
    if out.get("headcount") is None:
        out.pop("headcount", None)
    if "names" in data:
        out["names"] = places.parse_names(data)
    if creating:
        _suggest_romaji(out)
    return out


def _suggest_romaji(fields: dict[str, Any], current: Shelter | None = None) -> None:
    """Fill a missing romaji name (flagged as a suggestion) and a missing romaji address."""
    name_ja = fields.get("name_ja", current.name_ja if current else "")
    romaji = fields.get("name_romaji")
    # A form saved with the suggestion it showed has not checked it: it stays a suggestion
    # (of the name as it is now).
    unchecked = current is not None and current.name_romaji_suggested
    if romaji and not (unchecked and current is not None and romaji == current.name_romaji):
        fields["name_romaji_suggested"] = False
    elif "name_romaji" in fields or current is None or unchecked:
        fields["name_romaji"] = places.suggest(name_ja)
        fields["name_romaji_suggested"] = bool(fields["name_romaji"])
    if current is None and not fields.get("address_romaji") and fields.get("address"):
        fields["address_romaji"] = places.suggest(fields["address"])


def create(fields: Mapping[str, Any], user: User | None) -> Shelter:
    """Register a shelter and record its first status."""
    shelter = Shelter(**{k: v for k, v in fields.items() if k != "status"})
    db.session.add(shelter)
    db.session.flush()
    set_status(shelter, fields.get("status", ShelterStatus.OPEN), user)
    db.session.commit()
    return shelter


def update(shelter: Shelter, fields: Mapping[str, Any], user: User | None) -> None:
    """Change registry fields; a status change goes into the history."""
    fields = dict(fields)
    if "name_ja" in fields or "name_romaji" in fields:
        _suggest_romaji(fields, shelter)
    for key, value in fields.items():
        if key != "status":
            setattr(shelter, key, value)
    if "status" in fields and fields["status"] != shelter.status:
        set_status(shelter, fields["status"], user)
    db.session.commit()


def set_status(shelter: Shelter, status: str, user: User | None, note: str = "") -> None:
    """Move a shelter to a status and record who did it (the caller commits)."""
    shelter.status = ShelterStatus(status).value
    shelter.is_open = shelter.status != ShelterStatus.CLOSED
    db.session.add(
        ShelterStatusChange(
            shelter_id=shelter.id,
            status=shelter.status,
            note=note[:200],
            user_id=user.id if user else None,
            created_at=utcnow(),
        )
    )


def history(shelter: Shelter) -> list[ShelterStatusChange]:
    """Return a shelter's status changes, newest first."""
    return list(
        db.session.scalars(
            select(ShelterStatusChange)
            .where(ShelterStatusChange.shelter_id == shelter.id)
            .order_by(ShelterStatusChange.id.desc())
        )
    )


def as_json(shelter: Shelter) -> dict[str, Any]:
    """Render a shelter's registry entry for the API."""
    return {
        "id": shelter.id,
        "name_ja": shelter.name_ja,
        "name_romaji": shelter.name_romaji,
        "name_romaji_suggested": shelter.name_romaji_suggested,
        "names": dict(shelter.names or {}),
        "address": shelter.address,
        "address_romaji": shelter.address_romaji,
        "kind": shelter.kind,
        "status": shelter.status,
        "is_open": shelter.is_open,
        "capacity": shelter.capacity,
        "headcount": shelter.headcount,
        "foreign_count": shelter.foreign_count,
        "lat": shelter.lat,
        "lon": shelter.lon,
        "contact": shelter.contact,
    }
