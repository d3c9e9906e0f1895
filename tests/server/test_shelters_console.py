"""Console pages of shelters, rounds and needs: the sheet from the form data, no-JS posts."""

from __future__ import annotations

import html
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from server.core.extensions import db
from server.models import Announcement, AuditLog, Shelter
from server.people import accounts
from server.shelters import census, needs
from server.shelters.models import Need, Round
from server.shelters.words import CensusKind


@pytest.fixture
def site(client: Any) -> dict[str, int]:
    accounts.create_user("op", "operator", "operator-password")
    first = accounts.create_shelter("第一小学校", "Daiichi")
    second = accounts.create_shelter("市民センター", "Shimin")
    client.post("/login", data={"username": "op", "password": "operator-password"})
    return {"first": first.id, "second": second.id}


def sheet(shelter: int, **changes: Any) -> dict[str, Any]:
    """The round sheet as a phone posts it without JavaScript."""
    base: dict[str, Any] = {
        "client_id": str(uuid.uuid4()),
        "shelter_id": str(shelter),
        "visit_date": "2026-12-03",
        "visit_time": "10:15",
        "visitors": "情報班",
        "total_evacuees": "80",
        "foreign_evacuees": "9",
        "foreign_by_language.vi": "6",
        "foreign_by_language.ne": "3",
        "interpreter_needed": "yes",
        "diet_needs": ["halal", "vegetarian"],
        "medical_needs": "no",
        "multilingual_notices_posted": "no",
        "foreign_by_nationality": "ベトナム 6\nネパール 3",
        "need-0-category": "food_water",
        "need-0-lang": "vi",
        "need-0-urgency": "high",
        "need-0-count": "6",
        "need-0-note": "給水車の時間を知りたい",
    }
    base.update(changes)
    return base


def rows() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count(Round.id))) or 0,
        db.session.scalar(select(func.count(Need.id))) or 0,
    )


def test_the_sheet_is_rendered_from_the_form_data(client: Any, site: dict[str, int]) -> None:
    page = client.get(f"/rounds/new?shelter={site['first']}&lang=en").get_data(as_text=True)
    assert "Shelter-round sheet" in page and "Foreign evacuees by main language" in page
    assert 'name="total_evacuees" type="number"' in page
    assert 'name="visit_date" type="date"' in page
    assert 'value="halal"' in page and 'name="foreign_by_language.ne"' in page
    assert page.count('class="req"') >= 9  # every required field of the sheet is marked
    assert 'name="client_id" value="' in page and "rounds.js" in page
    ja = client.get("/rounds/new?lang=ja").get_data(as_text=True)
    assert "避難所巡回シート" in ja and "外国人避難者の数" in ja


def test_a_plain_post_records_the_round_once_and_updates_the_census(
    client: Any, site: dict[str, int]
) -> None:
    body = sheet(site["first"])
    r = client.post("/rounds", data=body)
    assert r.status_code == 303
    again = client.post("/rounds", data=body)  # the phone sent it twice (reload, double tap)
    assert again.status_code == 303 and again.headers["Location"] == r.headers["Location"]
    assert rows() == (1, 1)
    shelter = db.session.get(Shelter, site["first"])
    assert shelter is not None and shelter.headcount == 80 and shelter.foreign_count == 9
    assert census.of(shelter).languages == {"ne": 3, "vi": 6}
    stored = db.session.scalar(select(Round))
    assert stored is not None
    assert stored.answers["foreign_by_nationality"] == {"ベトナム": 6, "ネパール": 3}
    detail = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "halal" in detail.lower() or "ハラール" in detail
    audited = db.session.scalar(select(AuditLog).where(AuditLog.object_type == "shelter_round"))
    assert audited is not None and audited.object_id == stored.id


@pytest.mark.parametrize(
    ("changes", "en", "ja"),
    [
        (
            {"total_evacuees": "lots"},
            "'Total evacuees' must be a whole number",
            "「避難者の総数」は0から",
        ),
        (
            {"visitors": ""},
            "'Visited by (team members)' is required",
            "「巡回者（班員）」は必須です",
        ),
        ({"diet_needs": ["halal", "kosher"]}, "not one of its choices", "選択肢にない値"),
        ({"issues_found": "x" * 1001}, "longer than 1000 characters", "1000文字までです"),
        ({"need-0-note": "y" * 1001}, "'note' is longer than 1000", "メモは1000文字まで"),
        ({"shelter_id": "999"}, "choose a registered shelter", "避難所を選んでください"),
    ],
)
def test_bad_sheets_say_why_in_both_languages_and_store_nothing(
    client: Any, site: dict[str, int], changes: dict[str, Any], en: str, ja: str
) -> None:
    r = client.post("/rounds?lang=en", data=sheet(site["first"], **changes))
    assert r.status_code == 400
    assert en in html.unescape(r.get_data(as_text=True))
    r = client.post("/rounds?lang=ja", data=sheet(site["first"], **changes))
    assert r.status_code == 400 and ja in html.unescape(r.get_data(as_text=True))
    assert rows() == (0, 0)
    assert db.session.get(Shelter, site["first"]).headcount == 0  # type: ignore[union-attr]


def test_a_kept_draft_sent_as_json_is_recorded_once(client: Any, site: dict[str, int]) -> None:
    body = sheet(site["first"])
    head = {"Accept": "application/json"}
    first = client.post("/rounds", data=body, headers=head)
    second = client.post("/rounds", data=body, headers=head)
    assert first.status_code == 201 and second.status_code == 200
    assert second.get_json()["duplicate"] is True
    assert rows() == (1, 1)
    bad = client.post("/rounds", data=sheet(site["first"], total_evacuees="x"), headers=head)
    assert bad.status_code == 400 and bad.get_json()["errors"][0]["field"] == "total_evacuees"


def test_registry_census_and_languages_pages(client: Any, site: dict[str, int]) -> None:
    sid = site["first"]
    r = client.post(
        f"/shelters/{sid}/registry",
        data={
            "kind": "welfare",
            "status": "full",
            "capacity": "150",
            "lat": "35.1",
            "lon": "139.2",
        },
    )
    assert r.status_code == 302
    shelter = db.session.get(Shelter, sid)
    assert shelter is not None and (shelter.kind, shelter.status, shelter.capacity) == (
        "welfare",
        "full",
        150,
    )
    client.post(f"/shelters/{sid}/registry", data={"lat": "95", "lon": "0"})
    db.session.expire_all()
    assert db.session.get(Shelter, sid).lat == 35.1  # type: ignore[union-attr]
    client.post(f"/shelters/{sid}/census", data={"language.my": "4", "diet.halal": "2"})
    census.replace(db.session.get(Shelter, site["second"]), {CensusKind.LANGUAGE: {"my": 1}})  # type: ignore[arg-type]
    db.session.commit()
    page = client.get(f"/shelters/{sid}?lang=en").get_data(as_text=True)
    assert "welfare shelter" in page and "halal 2" in page
    where = client.get("/shelters/languages").get_data(as_text=True)
    assert where.index("第一小学校") < where.index("市民センター")  # 4 speakers before 1
    assert 'id="lang-my"' in where


def test_needs_board_suggestions_and_publishing_to_that_shelter(
    client: Any, site: dict[str, int]
) -> None:
    client.post("/rounds", data=sheet(site["first"]))
    need = db.session.scalar(select(Need))
    assert need is not None
    board = client.get("/needs?lang=en").get_data(as_text=True)
    assert f'data-need="{need.id}"' in board and "By language" in board
    page = client.get(f"/needs/{need.id}").get_data(as_text=True)
    template = needs.suggestions(need)[0].id
    link = f"/announcements/new?template={template}&amp;shelter={site['first']}&amp;need={need.id}"
    assert link in page
    compose = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert (
        f'value="{site["first"]}" checked' in compose
        and f'name="need_id" value="{need.id}"' in compose
    )
    r = client.post(
        "/announcements/new",
        data={
            "action": "publish",
            "template_id": template,
            "slot_place": "第一小学校",
            "slot_time": "15:00",
            "source_lang": "ja",
            "category": "food_water",
            "severity": "Moderate",
            "urgency": "Expected",
            "certainty": "Observed",
            "target": "chosen",
            "shelter_ids": [str(site["first"])],
            "need_id": str(need.id),
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    announcement = db.session.scalar(select(Announcement))
    assert announcement is not None and announcement.shelter_ids == [site["first"]]
    db.session.expire_all()
    need = db.session.get(Need, need.id)
    assert need is not None and need.announcement_id == announcement.id
    assert need.status == "in_progress"
    assert [e.action for e in need.history] == ["open", "announced", "in_progress"]
    client.post(f"/needs/{need.id}/status", data={"status": "addressed"})
    client.post(f"/needs/{need.id}/status", data={"status": "open"})  # backwards: refused
    db.session.expire_all()
    assert db.session.get(Need, need.id).status == "addressed"  # type: ignore[union-attr]


def test_the_demo_seeds_a_census_and_one_round(app: Any) -> None:
    from server.cli import demo_data

    lines = list(demo_data.seed())
    assert any(line.startswith("Round ") for line in lines)
    assert rows() == (1, 2)
    first, second = db.session.scalars(select(Shelter).order_by(Shelter.id)).all()
    assert first.headcount == 180 and census.of(first).languages["vi"] == 9
    assert second.kind == "welfare" and census.of(second).diet == {"halal": 2}
    assert first.lat is not None


def test_a_need_can_be_announced_where_its_language_is_present(
    client: Any, site: dict[str, int]
) -> None:
    for sid in (site["first"], site["second"]):
        shelter = db.session.get(Shelter, sid)
        census.replace(shelter, {CensusKind.LANGUAGE: {"vi": 2}})  # type: ignore[arg-type]
    db.session.commit()
    client.post("/rounds", data=sheet(site["first"]))
    need = db.session.scalar(select(Need))
    assert need is not None
    page = client.get(f"/needs/{need.id}").get_data(as_text=True)
    both = f"shelter={site['first']}&amp;shelter={site['second']}&amp;need={need.id}"
    assert both in page
    link = f"/announcements/new?template={needs.suggestions(need)[0].id}&" + both.replace(
        "&amp;", "&"
    )
    compose = client.get(link).get_data(as_text=True)
    assert f'value="{site["first"]}" checked' in compose
    assert f'value="{site["second"]}" checked' in compose
