"""How the console shows domain words and times: catalog labels, never raw keys; local time.

Labels carry the message context "console": the resident pages translate some of the same
English words into やさしい日本語, and staff read ordinary Japanese.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import get_locale, gettext, lazy_pgettext

import manuals
from server.core import clock
from server.web.console.blueprint import bp

CATEGORIES = {
    "situation": lazy_pgettext("console", "Situation"),
    "evacuation": lazy_pgettext("console", "Evacuation"),
    "tsunami": lazy_pgettext("console", "Tsunami"),
    "weather": lazy_pgettext("console", "Weather"),
    "transport": lazy_pgettext("console", "Transport"),
    "safety_confirmation": lazy_pgettext("console", "Safety confirmation"),
    "shelter": lazy_pgettext("console", "Shelter"),
    "food_water": lazy_pgettext("console", "Food and water"),
    "supplies": lazy_pgettext("console", "Supplies"),
    "hygiene": lazy_pgettext("console", "Hygiene"),
    "lifelines": lazy_pgettext("console", "Lifelines"),
    "medical": lazy_pgettext("console", "Medical care"),
    "procedures": lazy_pgettext("console", "Procedures"),
    "housing": lazy_pgettext("console", "Housing"),
    "residence": lazy_pgettext("console", "Residence status"),
    "safety": lazy_pgettext("console", "Safety and crime"),
    "consultation": lazy_pgettext("console", "Consultation"),
    "volunteers": lazy_pgettext("console", "Volunteers"),
    "other": lazy_pgettext("console", "Other"),
}
SEVERITIES = {
    "Extreme": lazy_pgettext("console", "Extreme"),
    "Severe": lazy_pgettext("console", "Severe"),
    "Moderate": lazy_pgettext("console", "Moderate"),
    "Minor": lazy_pgettext("console", "Minor"),
    "Unknown": lazy_pgettext("console", "Unknown"),
}
URGENCIES = {
    "Immediate": lazy_pgettext("console", "Immediate"),
    "Expected": lazy_pgettext("console", "Expected"),
    "Future": lazy_pgettext("console", "Future"),
    "Past": lazy_pgettext("console", "Past"),
    "Unknown": lazy_pgettext("console", "Unknown"),
}
CERTAINTIES = {
    "Observed": lazy_pgettext("console", "Observed"),
    "Likely": lazy_pgettext("console", "Likely"),
    "Possible": lazy_pgettext("console", "Possible"),
    "Unlikely": lazy_pgettext("console", "Unlikely"),
    "Unknown": lazy_pgettext("console", "Unknown"),
}
STATUSES = {
    # announcements
    "active": lazy_pgettext("console", "active"),
    "retracted": lazy_pgettext("console", "retracted"),
    # languages and replies
    "done": lazy_pgettext("console", "done"),
    "pending": lazy_pgettext("console", "pending"),
    "translating": lazy_pgettext("console", "translating"),
    "queued": lazy_pgettext("console", "queued"),
    # inquiries
    "open": lazy_pgettext("console", "open"),
    "in_progress": lazy_pgettext("console", "in progress"),
    "answered": lazy_pgettext("console", "answered"),
    "closed": lazy_pgettext("console", "closed"),
    "referred": lazy_pgettext("console", "referred"),
    "waiting": lazy_pgettext("console", "waiting for translation"),
}
METHODS = {
    "phrasebook": lazy_pgettext("console", "phrasebook"),
    "memory": lazy_pgettext("console", "translation memory"),
    "machine": lazy_pgettext("console", "machine translation"),
    "human": lazy_pgettext("console", "human translation"),
}
ROLES = {
    "admin": lazy_pgettext("console", "admin"),
    "operator": lazy_pgettext("console", "operator"),
    "reviewer": lazy_pgettext("console", "reviewer"),
    "director": lazy_pgettext("console", "center director"),
    "evaluator": lazy_pgettext("console", "drill evaluator"),
    "requester": lazy_pgettext("console", "requester (municipal staff)"),
    "remote": lazy_pgettext("console", "remote translator"),
}
SLOTS = {  # the phrasebook's slot names, as the composer labels their inputs
    "place": lazy_pgettext("console", "place"),
    "place_to": lazy_pgettext("console", "destination"),
    "time": lazy_pgettext("console", "time"),
    "time_end": lazy_pgettext("console", "until (time)"),
    "date": lazy_pgettext("console", "date"),
    "phone": lazy_pgettext("console", "phone number"),
    "number": lazy_pgettext("console", "number"),
    "name": lazy_pgettext("console", "name"),
}
CHANNELS = {
    "web": lazy_pgettext("console", "web form"),
    "api": lazy_pgettext("console", "API"),
    "phone": lazy_pgettext("console", "phone"),
    "walk_in": lazy_pgettext("console", "walk-in"),
}


def _label(table: dict[str, Any], key: str | None) -> str:
    return str(table.get(key, key or "")) if key is not None else ""


def inquiry_category(code: str | None) -> str:
    """An inquiry category in the console's language, from the manual."""
    english = str(get_locale()) == "en"
    for item in manuals.load_inquiry_categories():
        if item["code"] == code:
            return str(item["title"]["en"] if english else item["title"]["ja"])
    return code or ""


@bp.app_template_filter("center_time")
def center_time(moment: datetime | str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored time (or its ISO text) in the center's zone, with the zone: ``… 20:15 JST``."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment) if moment else None
    return clock.format_local(moment, fmt)


def live_labels() -> dict[str, Any]:
    """What console.js writes into the live language table, in the console's language."""
    return {
        "status": {k: str(v) for k, v in STATUSES.items()},
        "method": {k: str(v) for k, v in METHODS.items()},
        "reviewed": gettext("reviewed"),
        "not_reviewed": gettext("not reviewed"),
        "live": "● " + gettext("live"),
        "reconnecting": "○ " + gettext("reconnecting…"),
    }


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {
        "labelled": lambda rows, label: [(label(k), n) for k, n in rows],
        "live_labels": live_labels,
        "category_label": lambda k: _label(CATEGORIES, k),
        "severity_label": lambda k: _label(SEVERITIES, k),
        "urgency_label": lambda k: _label(URGENCIES, k),
        "certainty_label": lambda k: _label(CERTAINTIES, k),
        "status_label": lambda k: _label(STATUSES, k),
        "method_label": lambda k: _label(METHODS, k),
        "role_label": lambda k: _label(ROLES, k),
        "channel_label": lambda k: _label(CHANNELS, k),
        "slot_label": lambda k: _label(SLOTS, k),
        "inquiry_category_label": inquiry_category,
        "center_zone": clock.zone_name(),
    }
