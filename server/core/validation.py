"""Validate API and form input at the edge; every failure names its field."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from flask import current_app, request

from server.core import clock
from server.core.errors import ApiError

CATEGORIES = (
    "situation",
    "evacuation",
    "tsunami",
    "weather",
    "transport",
    "safety_confirmation",
    "shelter",
    "food_water",
    "supplies",
    "hygiene",
    "lifelines",
    "medical",
    "procedures",
    "housing",
    "residence",
    "safety",
    "consultation",
    "volunteers",
    "other",
)
SEVERITIES = ("Extreme", "Severe", "Moderate", "Minor", "Unknown")
URGENCIES = ("Immediate", "Expected", "Future", "Past", "Unknown")
CERTAINTIES = ("Observed", "Likely", "Possible", "Unlikely", "Unknown")
# The largest value an INTEGER column holds on PostgreSQL (SQLite takes 64 bits, but ids and
# sequence numbers are the same on both); a larger number in input names nothing that exists.
MAX_ID = 2**31 - 1


def bad(field: str | None, message: str, code: str = "invalid") -> ApiError:
    """Build a 400 error about one field."""
    return ApiError(400, code, message, field)


def json_body() -> dict[str, Any]:
    """Return the request's JSON object or raise a clear 4xx."""
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", "send Content-Type: application/json")
    data = request.get_json(silent=True)
    if data is None:
        raise ApiError(400, "malformed_json", "the request body is not valid JSON")
    if not isinstance(data, dict):
        raise ApiError(400, "malformed_json", "the request body must be a JSON object")
    return data


def text(
    data: Mapping[str, Any], field: str, *, required: bool = False, max_chars: int | None = None
) -> str | None:
    """Read a trimmed string field within the size limit."""
    value = data.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise bad(field, f"'{field}' is required", "required")
        return None
    if not isinstance(value, str):
        raise bad(field, f"'{field}' must be a string")
    limit = max_chars or current_app.config["MAX_TEXT_CHARS"]
    if len(value) > limit:
        raise ApiError(413, "too_long", f"'{field}' is longer than {limit} characters", field)
    return value.strip()


def choice(data: Mapping[str, Any], field: str, options: tuple[str, ...], default: str) -> str:
    """Read a case-insensitive choice and return its canonical spelling."""
    value = data.get(field, default)
    if not isinstance(value, str):
        raise bad(field, f"'{field}' must be one of {', '.join(options)}")
    for option in options:
        if option.lower() == value.strip().lower():
            return option
    raise bad(field, f"'{field}' must be one of {', '.join(options)}")


def boolean(data: Mapping[str, Any], field: str, default: bool = False) -> bool:
    """Read a JSON boolean."""
    value = data.get(field, default)
    if not isinstance(value, bool):
        raise bad(field, f"'{field}' must be true or false")
    return value


def timestamp(data: Mapping[str, Any], field: str) -> datetime | None:
    """Read an ISO 8601 time in the future; a time without zone is the center's local time."""
    value = data.get(field)
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise bad(field, f"'{field}' must be an ISO 8601 time like 2026-11-21T18:00+09:00")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise bad(
            field, f"'{field}' must be an ISO 8601 time like 2026-11-21T18:00+09:00"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=clock.center_tz())
    if parsed <= datetime.now(UTC):
        raise bad(field, f"'{field}' must be in the future")
    return parsed.astimezone(UTC)


def query_int(args: Mapping[str, str], field: str, maximum: int = MAX_ID) -> int | None:
    """Read an optional whole number from 0 to ``maximum`` out of a query string."""
    value = args.get(field)
    if not value:
        return None
    if not value.isascii() or not value.isdigit() or int(value) > maximum:
        raise bad(field, f"'{field}' must be a whole number from 0 to {maximum}")
    return int(value)


def id_list(data: Mapping[str, Any], field: str) -> list[int] | None:
    """Read an optional list of positive integer ids."""
    value = data.get(field)
    if value is None:
        return None
    if (
        not isinstance(value, list)
        or not value
        or len(value) > 1000
        or not all(
            isinstance(v, int) and not isinstance(v, bool) and 0 < v <= MAX_ID for v in value
        )
    ):
        raise bad(field, f"'{field}' must be a non-empty list of shelter ids")
    return sorted(set(value))
