"""Staff and retention side of registration cards: Japanese labels, audited views, duplicates
shown and never merged, exports without personal fields unless an admin asks, and the daily
purge emptying cards' and round sheets' personal fields while the counts stay."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from server.core.extensions import db
from server.models import AuditLog, Shelter, utcnow
from server.people import accounts
from server.shelters import cards, census, rounds
from server.shelters.models import RegistrationCard, Round

NAME = "राम बहादुर थापा"


def answers(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "name": NAME,
        "birth_date": "1990-04-01",
        "phone": "090-1234-5678",
        "address": "熊本市中央区1-2-3",
        "languages_spoken": ["ne"],
        "japanese_level": "none",
        "foods_not_eaten": ["pork"],
        "chronic_illness": "मधुमेह",
        "pregnant": True,
        "consent_to_share": True,
    }
    base.update(changes)
    return base


@pytest.fixture
def shelter(app: Any) -> Shelter:
    return accounts.create_shelter("第一小学校", "Daiichi")


def signed_in(client: Any, role: str) -> Any:
    accounts.create_user(role, role, f"{role}-password-1")
    client.post("/login", data={"username": role, "password": f"{role}-password-1"})
    return client


def audits(action: str) -> int:
    return db.session.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == action)) or 0


def test_staff_see_the_answers_under_japanese_labels_and_every_view_is_audited(
    client: Any, shelter: Shelter
) -> None:
    first, _ = cards.submit(shelter, str(uuid.uuid4()), "ne", answers())
    twin, _ = cards.submit(shelter, str(uuid.uuid4()), "ne", answers(address=""))
    signed_in(client, "operator")

    listing = client.get("/cards?lang=ja").get_data(as_text=True)
    assert f"#{first.id}" in listing and "重複の可能性" in listing
    assert NAME not in listing and "090" not in listing  # no personal data on the list
    assert audits("view") == 0

    page = client.get(f"/cards/{first.id}?lang=ja").get_data(as_text=True)
    assert "氏名" in page and NAME in page and "生年月日" in page
    assert "ほとんど分からない" in page  # a choice by its Japanese label
    assert "豚肉" in page and "妊娠している" in page and "はい" in page
    assert "避難所名" in page and "第一小学校" in page
    assert 'dir="auto"' in page
    assert "氏名と生年月日が同じ" in page and "電話番号が同じ" in page and f"#{twin.id}" in page
    assert audits("view") == 1
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "view")).one()
    assert (entry.object_type, entry.object_id) == ("registration_card", first.id)
    assert db.session.scalar(select(func.count(RegistrationCard.id))) == 2  # never merged


def test_exports_leave_personal_fields_out_unless_an_admin_asks(
    client: Any, shelter: Shelter
) -> None:
    cards.submit(shelter, str(uuid.uuid4()), "ne", answers())
    signed_in(client, "operator")
    plain = client.get("/cards.csv")
    assert plain.status_code == 200
    rows = list(csv.reader(io.StringIO(plain.get_data(as_text=True).lstrip("\ufeff"))))
    assert "日本語の力" in rows[0] and "氏名" not in rows[0] and "電話番号" not in rows[0]
    assert NAME not in plain.get_data(as_text=True)
    assert rows[1][2] == "ne" and "ほとんど分からない" in rows[1]
    assert client.get("/cards.csv?personal=1").status_code == 403
    client.post("/logout")

    signed_in(client, "admin")
    full = client.get("/cards.csv?personal=1")
    assert full.status_code == 200 and NAME in full.get_data(as_text=True)
    assert audits("export_personal") == 1


def test_a_formula_typed_by_a_resident_stays_text_in_the_export(app: Any, shelter: Shelter) -> None:
    from server.shelters import retention

    cards.submit(shelter, str(uuid.uuid4()), "en", answers(name="=HYPERLINK(1)"))
    assert "'=HYPERLINK(1)" in retention.cards_csv(personal=True)


def test_the_purge_empties_personal_fields_of_old_cards_and_rounds_and_keeps_counts(
    app: Any, shelter: Shelter
) -> None:
    import workers.tasks as tasks

    old, _ = cards.submit(shelter, str(uuid.uuid4()), "ne", answers())
    new, _ = cards.submit(shelter, str(uuid.uuid4()), "ne", answers(phone="080-0000-0000"))
    sheet, _ = rounds.record(
        shelter,
        str(uuid.uuid4()),
        {
            "visit_date": "2026-12-01",
            "visit_time": "10:00",
            "visitors": "情報班 山田",
            "total_evacuees": 50,
            "foreign_evacuees": 4,
            "foreign_by_language": {"ne": 4},
            "interpreter_needed": True,
            "medical_needs": True,
            "medical_details": "糖尿病の人が一人",
            "multilingual_notices_posted": False,
        },
        [],
        None,
    )
    old.created_at = sheet.created_at = utcnow() - timedelta(days=100)
    db.session.commit()
    before = census.of(shelter)

    assert tasks.purge_shelter_records.run() == 2  # one card, one sheet; ids only, no args

    db.session.expire_all()
    old_card, new_card = (
        db.session.get(RegistrationCard, old.id),
        db.session.get(RegistrationCard, new.id),
    )
    assert old_card.purged_at is not None and new_card.purged_at is None
    personal = set(cards.personal_fields(cards.form()))
    assert not personal & set(old_card.answers)
    assert old_card.match_name is None and old_card.match_phone is None
    assert old_card.answers["japanese_level"] == "none" and old_card.lang == "ne"
    assert new_card.answers["name"] == NAME
    purged_sheet = db.session.get(Round, sheet.id)
    assert purged_sheet.purged_at is not None
    assert "visitors" not in purged_sheet.answers and "medical_details" not in purged_sheet.answers
    assert purged_sheet.answers["total_evacuees"] == 50
    assert census.of(shelter) == before  # the counts stay
    assert cards.with_duplicates() == set()  # a purged card matches nothing any more
    assert tasks.purge_shelter_records.run() == 0  # a second run finds nothing


def test_the_purge_runs_daily_from_the_beat_and_on_the_maintenance_queue(app: Any) -> None:
    import workers.tasks  # noqa: F401  (registers the tasks)

    celery = app.extensions["celery"]
    entry = celery.conf.beat_schedule["purge-shelter-records"]
    assert entry["task"] == "workers.tasks.purge_shelter_records" and entry["schedule"] == 86400
    assert "args" not in entry  # nothing personal can travel with it
    route = celery.amqp.router.route({}, "workers.tasks.purge_shelter_records")
    assert route["queue"].name == "maintenance"


def test_a_purged_card_page_says_so(client: Any, shelter: Shelter) -> None:
    item, _ = cards.submit(shelter, str(uuid.uuid4()), "ne", answers())
    item.created_at = utcnow() - timedelta(days=100)
    db.session.commit()
    from server.shelters import retention

    retention.purge_cards(90)
    signed_in(client, "operator")
    page = client.get(f"/cards/{item.id}?lang=ja").get_data(as_text=True)
    assert 'id="card-purged"' in page and NAME not in page and "日本語の力" in page
