"""Retention of the shelter domain's personal data: cards and round sheets, and CSV export.

After the retention period the purge removes the fields the forms mark personal (names,
phone, address, health notes, team members) and keeps everything counted: the census, the
card's language and its non-personal answers, the round's counts and needs.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import select

from manuals.records import Form
from server.core.extensions import db
from server.models import utcnow
from server.shelters import cards, rounds
from server.shelters.models import RegistrationCard, Round


def _strip(answers: dict[str, object], personal: tuple[str, ...]) -> dict[str, object]:
    return {key: value for key, value in answers.items() if key not in personal}


def purge_cards(older_than_days: int) -> int:
    """Empty the personal fields and match keys of cards older than N days (commits)."""
    cutoff = utcnow() - timedelta(days=older_than_days)
    personal = cards.personal_fields(cards.form())
    count = 0
    for card in db.session.scalars(
        select(RegistrationCard).where(
            RegistrationCard.created_at < cutoff, RegistrationCard.purged_at.is_(None)
        )
    ):
        card.answers = _strip(dict(card.answers), personal)
        card.match_name = card.match_phone = None
        card.purged_at = utcnow()
        count += 1
    db.session.commit()
    return count


def purge_rounds(older_than_days: int) -> int:
    """Empty the personal fields (team members, health notes) of old round sheets (commits)."""
    cutoff = utcnow() - timedelta(days=older_than_days)
    personal = tuple(f["id"] for f in rounds.fields(rounds.sheet()) if f["personal"])
    count = 0
    for item in db.session.scalars(
        select(Round).where(Round.created_at < cutoff, Round.purged_at.is_(None))
    ):
        item.answers = _strip(dict(item.answers), personal)
        item.purged_at = utcnow()
        count += 1
    db.session.commit()
    return count


def purge(older_than_days: int) -> tuple[int, int]:
    """Purge cards and round sheets past the retention period; return how many of each."""
    return purge_cards(older_than_days), purge_rounds(older_than_days)


def _cell(value: object, field_id: str, card: Form) -> str:
    field = next(f for f in rounds.fields(card) if f["id"] == field_id)
    text = cards.japanese_value(value, field) if value is not None else ""
    # A resident's text that starts like a formula must stay text in a spreadsheet.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def cards_csv(personal: bool) -> str:
    """Every card as CSV under Japanese headings; personal fields only when ``personal``."""
    card = cards.form()
    hidden = () if personal else cards.personal_fields(card)
    columns = [f for f in rounds.fields(card) if f["id"] not in hidden]
    duplicates = cards.with_duplicates() if personal else set()
    out = io.StringIO()
    writer = csv.writer(out)
    head = ["id", "shelter_id", "lang", "created_at", "purged"]
    writer.writerow(
        head + (["possible_duplicate"] if personal else []) + [f["label"]["ja"] for f in columns]
    )
    for row in db.session.scalars(select(RegistrationCard).order_by(RegistrationCard.id)):
        values = [
            row.id,
            row.shelter_id,
            row.lang,
            row.created_at.isoformat(),
            int(row.purged_at is not None),
        ]
        if personal:
            values.append(int(row.id in duplicates))
        values += [_cell(row.answers.get(f["id"]), f["id"], card) for f in columns]
        writer.writerow(values)
    return out.getvalue()
