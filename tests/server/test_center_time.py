"""TAGENGO_TIMEZONE: the console, reports, exports and typed times use the center's zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from server.core import clock, validation
from server.core import config as settings
from server.core.extensions import db
from server.inquiries import reports
from server.inquiries import service as inquiries
from server.models import Announcement, Inquiry
from server.people import accounts

MOMENT = datetime(2026, 12, 3, 16, 30, tzinfo=UTC)  # 01:30 on 4 December in Tokyo


def test_the_default_is_japan_and_a_bad_zone_is_refused() -> None:
    assert settings.defaults()["TIMEZONE"] == "Asia/Tokyo"
    config = settings.defaults() | {"TIMEZONE": "Mars/Olympus_Mons"}
    with pytest.raises(ValueError, match="TAGENGO_TIMEZONE: unknown time zone"):
        settings.normalize(config)


def test_filter_and_helpers_use_the_setting(app: Any) -> None:
    assert clock.format_local(MOMENT) == "2026-12-04 01:30 JST"
    app.config["TIMEZONE"] = "America/New_York"
    assert clock.format_local(MOMENT) == "2026-12-03 11:30 EST"
    assert clock.zone_name() == "America/New_York"
    # A time typed without a zone is read in the center's zone.
    year = datetime.now(UTC).year + 1
    parsed = validation.timestamp({"expires_at": f"{year}-01-10T09:00"}, "expires_at")
    assert parsed == datetime(year, 1, 10, 14, 0, tzinfo=UTC)
    # A report's day is the center's calendar day.
    start, end = reports.day_bounds(MOMENT.date())
    assert start == datetime(2026, 12, 3, 5, 0, tzinfo=UTC) and end - start == timedelta(days=1)


def make_inquiry(created: datetime) -> Inquiry:
    fields = inquiries.parse(
        {"message": "Cần nước uống", "lang": "vi", "category": "food_water", "consent": True},
        "web",
    )
    item = inquiries.create(fields, "web")[0]
    item.created_at = created
    db.session.commit()
    return item


def test_console_report_and_csv_show_japan_time_with_the_zone(client: Any) -> None:
    accounts.create_user("op", "operator", "operator-password")
    client.post("/login", data={"username": "op", "password": "operator-password"})
    item = make_inquiry(MOMENT)
    listing = client.get("/inquiries").get_data(as_text=True)
    assert "12-04 01:30 JST" in listing and "UTC" not in listing
    # 01:30 in Japan is on the 4th: the report of the 4th counts it, the 3rd's does not.
    assert reports.daily(MOMENT.date() + timedelta(days=1))["total"] == 1
    assert reports.daily(MOMENT.date())["total"] == 0
    page = client.get("/reports?day=2026-12-04").get_data(as_text=True)
    assert "(Asia/Tokyo)" in page
    csv_text = client.get("/reports/inquiries.csv").get_data(as_text=True)
    assert f"{item.id},2026-12-04T01:30:00+09:00," in csv_text


def test_dashboard_shows_local_time(client: Any, operator_token: str) -> None:
    r = client.post(
        "/api/v1/announcements",
        json={"text": "給水は15時です。", "category": "food_water"},
        headers={"Authorization": f"Bearer {operator_token}"},
    )
    assert r.status_code == 201
    item = db.session.get(Announcement, r.get_json()["id"])
    assert item is not None
    item.updated_at = MOMENT
    db.session.commit()
    accounts.create_user("op", "operator", "operator-password")
    client.post("/login", data={"username": "op", "password": "operator-password"})
    page = client.get("/").get_data(as_text=True)
    assert "12-04 01:30 JST" in page and " UTC" not in page


def test_no_console_template_prints_a_time_in_utc() -> None:
    # Every time on a staff page goes through the center_time filter (Japan time, zone shown).
    templates = Path(__file__).resolve().parents[2] / "web" / "templates" / "console"
    printed = [t.name for t in templates.glob("*.html") if re.search(r"\}\}\s*UTC", t.read_text())]
    assert printed == []
