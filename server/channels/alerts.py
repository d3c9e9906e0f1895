"""Turn stored announcements into CAP 1.2 messages: one ``<info>`` per language with a text."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from flask import current_app
from sqlalchemy import select

from server.channels import cap
from server.core.extensions import db
from server.live import events
from server.models import Announcement, AnnouncementRevision, BoardEvent, Shelter, Translation
from server.shelters import places
from translations import languages

EVENTS_FILE = Path(languages.__file__).resolve().parent / "data" / "cap_events.yaml"

# Our announcement categories (the CLAIR manual's) as CAP 1.2 categories.
CATEGORY = {
    "situation": "Safety",
    "evacuation": "Safety",
    "tsunami": "Geo",
    "weather": "Met",
    "transport": "Transport",
    "safety_confirmation": "Rescue",
    "shelter": "Safety",
    "food_water": "Infra",
    "supplies": "Other",
    "hygiene": "Health",
    "lifelines": "Infra",
    "medical": "Health",
    "procedures": "Other",
    "housing": "Other",
    "residence": "Other",
    "safety": "Safety",
    "consultation": "Other",
    "volunteers": "Other",
    "other": "Other",
}
# CAP allows "Unknown"; relays such as Google Public Alerts refuse it. These are sent instead
# (the message's <note> says so): the form's default severity, "expected", "possible".
INSTEAD_OF_UNKNOWN = {"urgency": "Expected", "severity": "Moderate", "certainty": "Possible"}
HEADLINE_CHARS = 140


@functools.lru_cache(maxsize=1)
def event_names(path: Path = EVENTS_FILE) -> Mapping[str, Mapping[str, str]]:
    """Load the CAP event name of each category in each language."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {
        str(k): {str(lang): str(v) for lang, v in names.items()}
        for k, names in doc["events"].items()
    }


def event_name(category: str, lang: str) -> str:
    """Name the kind of alert in ``lang``, in English where no name was written for it."""
    names = event_names().get(category) or event_names()["other"]
    return names.get(lang) or names["en"]


def _headline(text: str) -> str | None:
    """Take the first sentence as the headline when it is short enough for relays."""
    for mark in ("。", ". ", "! ", "? ", "।", "။"):
        if mark in text:
            first = text.split(mark, 1)[0] + mark.strip()
            return first if len(first) <= HEADLINE_CHARS else None
    return text if len(text) <= HEADLINE_CHARS else None


def identifier(announcement: Announcement, part: str) -> str:
    """Name one message of an announcement, unique across database resets and centers."""
    sender = current_app.config["CAP_SENDER"]
    created = announcement.created_at.strftime("%Y%m%dT%H%M%S")
    return f"urn:tagengo:{sender}:announcement:{announcement.id}:{created}:{part}"


def texts(announcement: Announcement, revision: AnnouncementRevision) -> dict[str, str]:
    """Return each language's text of one revision, source first, in the center's order."""
    found: dict[str, str] = {announcement.source_lang: revision.text}
    if revision.easy_text:
        found["ja-x-easy"] = revision.easy_text
    rows = db.session.scalars(
        select(Translation).where(
            Translation.announcement_id == announcement.id,
            Translation.revision == revision.revision,
            Translation.status == "done",
        )
    )
    for row in rows:
        if row.text and row.lang not in found:
            found[row.lang] = row.text
    order = [announcement.source_lang, "ja", "ja-x-easy", *current_app.config["TARGET_LANGUAGES"]]
    rank = {lang: i for i, lang in enumerate(dict.fromkeys(order))}
    return dict(sorted(found.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0])))


def methods(announcement: Announcement, revision: int) -> dict[str, tuple[str, bool]]:
    """Return how each language was made and whether a person reviewed it."""
    rows = db.session.scalars(
        select(Translation).where(
            Translation.announcement_id == announcement.id, Translation.revision == revision
        )
    )
    return {r.lang: (r.method or "machine", r.reviewed) for r in rows if r.status == "done"}


def _shelters(announcement: Announcement) -> list[Shelter]:
    query = select(Shelter).order_by(Shelter.id)
    if announcement.target_all:
        query = query.where(Shelter.is_open.is_(True))
    else:
        query = query.where(Shelter.id.in_(announcement.shelter_ids or [-1]))
    return list(db.session.scalars(query))


def _coordinates(shelter: Shelter) -> tuple[float, float] | None:
    # The shelter registry may not store coordinates (yet); use them only when it does.
    lat: Any = getattr(shelter, "latitude", None)
    lon: Any = getattr(shelter, "longitude", None)
    if lat is None or lon is None:
        return None
    return float(lat), float(lon)


def areas(announcement: Announcement, lang: str) -> tuple[cap.Area, ...]:
    """Describe where the announcement applies: its shelters, or the center's whole area."""
    config = current_app.config
    shelters = _shelters(announcement)
    if announcement.target_all:
        separator = "、" if lang in ("ja", "ja-x-easy") else "; "
        desc = config["CAP_AREA_DESC"] or separator.join(places.name(s, lang) for s in shelters)
        return (cap.Area(desc or config["CAP_SENDER_NAME"]),)
    result = []
    for s in shelters:
        name = places.name(s, lang)
        desc = f"{name} {s.address}".strip() if s.address else name
        point = _coordinates(s)
        circles = (cap.circle(*point, config["CAP_CIRCLE_KM"]),) if point else ()
        result.append(cap.Area(desc, circles))
    return tuple(result) or (cap.Area(config["CAP_SENDER_NAME"]),)


def _values(announcement: Announcement) -> tuple[dict[str, str], str | None]:
    values = {
        "urgency": announcement.urgency,
        "severity": announcement.severity,
        "certainty": announcement.certainty,
    }
    replaced = [k for k, v in values.items() if v == "Unknown"]
    for key in replaced:
        values[key] = INSTEAD_OF_UNKNOWN[key]
    note = (
        "Given as Unknown by the center, sent as " + ", ".join(f"{k} {values[k]}" for k in replaced)
        if replaced
        else None
    )
    return values, note


def expires(announcement: Announcement, sent: datetime) -> datetime:
    """Return when the alert stops applying: its own expiry, else a configured time after it."""
    if announcement.expires_at is not None:
        return announcement.expires_at
    return sent + timedelta(hours=current_app.config["CAP_EXPIRES_HOURS"])


def infos(
    announcement: Announcement,
    revision: AnnouncementRevision,
    only: str | None = None,
) -> tuple[tuple[cap.Info, ...], str | None]:
    """Build one info per language with a text (or just ``only``), and the message's note."""
    config = current_app.config
    values, note = _values(announcement)
    made = methods(announcement, revision.revision)
    result = []
    for lang, text in texts(announcement, revision).items():
        if only is not None and lang != only:
            continue
        method, reviewed = made.get(lang, ("human", True))
        result.append(
            cap.Info(
                language=lang,
                category=CATEGORY.get(announcement.category, "Other"),
                event=event_name(announcement.category, lang),
                urgency=values["urgency"],
                severity=values["severity"],
                certainty=values["certainty"],
                expires=expires(announcement, revision.created_at),
                sender_name=config["CAP_SENDER_NAME"],
                headline=_headline(text),
                description=text,
                areas=areas(announcement, lang),
                parameters=(
                    ("tagengo:translation", method),
                    ("tagengo:reviewed", "true" if reviewed else "false"),
                ),
            )
        )
    return tuple(result), note


def versions(announcement: Announcement) -> list[BoardEvent]:
    """List the events after which the alert's content changed, oldest first.

    A CAP message is never changed under the same identifier, yet languages arrive one by one
    after publishing (and reviewers correct them). So each such event makes a new message: the
    published or updated text, and every language stored as done for the current revision.
    Board events are persisted with their time, so the history needs no table of its own.
    """
    rows = db.session.scalars(
        select(BoardEvent)
        .where(
            BoardEvent.announcement_id == announcement.id,
            BoardEvent.type.in_((events.PUBLISHED, events.UPDATED, events.TRANSLATED)),
        )
        .order_by(BoardEvent.seq)
    )
    kept: list[BoardEvent] = []
    revision = 0
    for event in rows:
        event_revision = int(event.payload.get("revision") or 0)
        # A pending language adds nothing; a late language of an older revision is stale.
        stale = event.payload.get("status") != "done" or event_revision < revision
        if event.type == events.TRANSLATED and stale:
            continue
        revision = max(revision, event_revision)
        kept.append(event)
    return kept


def current(announcement: Announcement, only: str | None = None) -> cap.Alert:
    """Return the message that stands now: the latest Alert or Update, or the Cancel.

    ``only`` keeps one language; such a message has identifiers of its own (suffix ``:<lang>``)
    because it differs from the all-language one.
    """
    config = current_app.config
    suffix = f":{only}" if only else ""
    revision = announcement.revisions[-1]
    history = [
        (identifier(announcement, f"r{e.payload.get('revision')}-s{e.seq}") + suffix, e.created_at)
        for e in versions(announcement)
    ] or [(identifier(announcement, f"r{revision.revision}") + suffix, revision.created_at)]
    references = [f"{config['CAP_SENDER']},{ident},{cap.timestamp(t)}" for ident, t in history]
    status = "Exercise" if announcement.drill else "Actual"
    if announcement.status == "retracted" and announcement.retracted_at is not None:
        # No <info>: a withdrawn text (often withdrawn because it was wrong) is not served
        # again; relays find the alert to take down through <references>.
        return cap.Alert(
            identifier=identifier(announcement, "cancel") + suffix,
            sender=config["CAP_SENDER"],
            sent=announcement.retracted_at,
            status=status,
            msg_type="Cancel",
            infos=(),
            references=tuple(references),
            note="Withdrawn by the center.",
        )
    info_blocks, note = infos(announcement, revision, only)
    ident, sent = history[-1]
    return cap.Alert(
        identifier=ident,
        sender=config["CAP_SENDER"],
        sent=sent,
        status=status,
        msg_type="Update" if len(history) > 1 else "Alert",
        infos=info_blocks,
        references=tuple(references[:-1]),
        note=note,
    )
