"""The center's local time (TAGENGO_TIMEZONE): how staff read and type times."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, has_app_context

DEFAULT_TIMEZONE = "Asia/Tokyo"


def parse_timezone(value: object) -> str:
    """Accept an IANA zone name (``Asia/Tokyo``); refuse one this machine does not know."""
    name = str(value).strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}; use an IANA name like Asia/Tokyo") from None
    return name


def center_tz() -> tzinfo:
    """The zone the center works in (the default outside an app)."""
    name = current_app.config.get("TIMEZONE") if has_app_context() else None
    return ZoneInfo(name or DEFAULT_TIMEZONE)


def zone_name() -> str:
    """The IANA name of the center's zone, to show beside times."""
    return str(center_tz())


def local(moment: datetime) -> datetime:
    """A stored (UTC) time in the center's zone; a naive one is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(center_tz())


def today() -> datetime:
    """Now in the center's zone."""
    return datetime.now(center_tz())


def format_local(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """``2026-12-03 20:15 JST``: a time in the center's zone, with the zone shown."""
    if moment is None:
        return ""
    shown = local(moment)
    return f"{shown.strftime(fmt)} {shown.tzname() or ''}".rstrip()
