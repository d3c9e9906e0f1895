"""Shelter registry, census, rounds and needs through the JSON API (SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from server.core.extensions import db
from server.models import Shelter
from server.shelters.models import CensusCount, Need, Round, ShelterStatusChange


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def answers(**changes: Any) -> dict[str, Any]:
    """A complete, valid round sheet."""
    base: dict[str, Any] = {
        "visit_date": "2026-12-03",
        "visit_time": "14:30",
        "visitors": "情報班 A, B",
        "total_evacuees": 120,
        "foreign_evacuees": 14,
        "foreign_by_language": {"vi": 8, "ne": 4, "en": 2},
        "interpreter_needed": True,
        "interpreter_by_language": {"vi": 3, "ne": 2},
        "diet_needs": ["halal", "allergies"],
        "medical_needs": False,
        "pregnant_or_infants": 2,
        "multilingual_notices_posted": False,
        "issues_found": "案内が日本語だけ",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def need(**changes: Any) -> dict[str, Any]:
    return {
        "category": "food_water",
        "lang": "vi",
        "urgency": "high",
        "count": 8,
        "note": "給水の時間が分からない water truck",
    } | changes


@pytest.fixture
def shelter_id(client: Any, operator_token: str) -> int:
    r = client.post(
        "/api/v1/shelters",
        headers=auth(operator_token),
        json={
            "name_ja": "第一小学校",
            "name_romaji": "Daiichi Shogakko",
            "kind": "designated",
            "capacity": 300,
            "address": "中央区本町1-2-3",
            "address_romaji": "1-2-3 Honmachi, Chuo-ku",
            "lat": 35.68,
            "lon": 139.76,
            "contact": "校長室 03-1234-5678",
        },
    )
    assert r.status_code == 201, r.get_json()
    return int(r.get_json()["id"])


def counts() -> tuple[int, int, int]:
    return (
        db.session.scalar(select(func.count(Round.id))) or 0,
        db.session.scalar(select(func.count(Need.id))) or 0,
        db.session.scalar(select(func.count(CensusCount.id))) or 0,
    )


def test_registry_entry_status_history_and_census(
    client: Any, operator_token: str, shelter_id: int
) -> None:
    h = auth(operator_token)
    got = client.get(f"/api/v1/shelters/{shelter_id}", headers=h).get_json()
    assert got["kind"] == "designated" and got["status"] == "open" and got["capacity"] == 300
    assert got["lat"] == 35.68 and got["address_romaji"].startswith("1-2-3")
    r = client.patch(f"/api/v1/shelters/{shelter_id}", headers=h, json={"status": "full"})
    assert r.status_code == 200 and r.get_json()["status"] == "full"
    assert [c["status"] for c in r.get_json()["status_history"]] == ["full", "open"]
    r = client.put(
        f"/api/v1/shelters/{shelter_id}/census",
        headers=h,
        json={"languages": {"vi": 5, "my": 1}, "diet": {"halal": 3}, "foreign_count": 6},
    )
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["census"] == {"languages": {"my": 1, "vi": 5}, "diet": {"halal": 3}, "care": {}}
    assert body["foreign_count"] == 6
    where = client.get("/api/v1/census/languages", headers=h).get_json()
    assert where["vi"] == [{"shelter_id": shelter_id, "name_ja": "第一小学校", "count": 5}]
    r = client.patch(f"/api/v1/shelters/{shelter_id}", headers=h, json={"status": "closed"})
    assert db.session.get(Shelter, shelter_id).is_open is False  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "castle"}, "kind"),
        ({"status": "half-open"}, "status"),
        ({"capacity": -1}, "capacity"),
        ({"capacity": "300"}, "capacity"),
        ({"lat": 91, "lon": 0}, "lat"),
        ({"lat": 35.0}, "lat"),
        ({"contact": "x" * 201}, "contact"),
    ],
)
def test_bad_registry_input_changes_nothing(
    client: Any, operator_token: str, shelter_id: int, body: dict[str, Any], field: str
) -> None:
    before = client.get(f"/api/v1/shelters/{shelter_id}", headers=auth(operator_token)).get_json()
    r = client.patch(f"/api/v1/shelters/{shelter_id}", headers=auth(operator_token), json=body)
    assert r.status_code in (400, 413)
    assert r.get_json()["error"]["field"] == field
    after = client.get(f"/api/v1/shelters/{shelter_id}", headers=auth(operator_token)).get_json()
    assert after == before


def test_bad_census_is_refused(client: Any, operator_token: str, shelter_id: int) -> None:
    for body, field in (
        ({"languages": {"xx": 1}}, "languages.xx"),
        ({"languages": {"vi": -2}}, "languages.vi"),
        ({"diet": {"halal": "3"}}, "diet.halal"),
        ({"care": []}, "care"),
    ):
        r = client.put(
            f"/api/v1/shelters/{shelter_id}/census", headers=auth(operator_token), json=body
        )
        assert r.status_code == 400 and r.get_json()["error"]["field"] == field, body
    assert counts() == (0, 0, 0)


def test_a_round_updates_the_census_and_records_needs_once(
    client: Any, operator_token: str, shelter_id: int
) -> None:
    body = {"client_id": str(uuid.uuid4()), "answers": answers(), "needs": [need()]}
    first = client.post(
        f"/api/v1/shelters/{shelter_id}/rounds", headers=auth(operator_token), json=body
    )
    assert first.status_code == 201, first.get_json()
    again = client.post(
        f"/api/v1/shelters/{shelter_id}/rounds", headers=auth(operator_token), json=body
    )
    assert again.status_code == 200
    assert (
        again.get_json()["duplicate"] is True and again.get_json()["id"] == first.get_json()["id"]
    )
    assert counts()[:2] == (1, 1)
    got = client.get(f"/api/v1/shelters/{shelter_id}", headers=auth(operator_token)).get_json()
    assert got["headcount"] == 120 and got["foreign_count"] == 14
    assert got["census"]["languages"] == {"en": 2, "ne": 4, "vi": 8}
    assert got["census"]["care"] == {"interpreter": 5, "pregnant_or_infants": 2}
    stored = db.session.scalar(select(Round))
    assert stored is not None and stored.answers["shelter_name"] == "第一小学校"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"answers": answers(total_evacuees="many")}, 400, "total_evacuees"),
        ({"answers": answers(interpreter_needed="yes")}, 400, "interpreter_needed"),
        ({"answers": answers(diet_needs=["halal", "kosher"])}, 400, "diet_needs"),
        ({"answers": answers(visit_date="3 Dec")}, 400, "visit_date"),
        ({"answers": answers(visitors=None)}, 400, "visitors"),
        ({"answers": answers(issues_found="x" * 1001)}, 400, "issues_found"),
        ({"answers": answers(foreign_by_language={"klingon": 2})}, 400, "foreign_by_language"),
        ({"answers": answers(foreign_evacuees=500)}, 400, "foreign_evacuees"),
        ({"answers": answers(favourite_colour="blue")}, 400, "favourite_colour"),
        ({"answers": answers(), "needs": [need(category="unicorns")]}, 400, "needs[0].category"),
        ({"answers": answers(), "needs": [need(note="x" * 1001)]}, 400, "needs[0].note"),
        ({"answers": answers(), "needs": [need(count=0)]}, 400, "needs[0].count"),
        ({"answers": answers(), "client_id": "not-a-uuid"}, 400, "client_id"),
    ],
)
def test_a_bad_round_is_refused_and_stores_nothing(
    client: Any, operator_token: str, shelter_id: int, body: dict[str, Any], status: int, field: str
) -> None:
    body = {"client_id": str(uuid.uuid4()), **body}
    r = client.post(
        f"/api/v1/shelters/{shelter_id}/rounds", headers=auth(operator_token), json=body
    )
    assert r.status_code == status, r.get_json()
    error = r.get_json()["error"]
    assert error["field"] == field and error["message"]
    assert counts() == (0, 0, 0)
    assert db.session.get(Shelter, shelter_id).headcount == 0  # type: ignore[union-attr]


def test_a_round_for_an_unknown_shelter_is_404(client: Any, operator_token: str) -> None:
    body = {"client_id": str(uuid.uuid4()), "answers": answers()}
    r = client.post("/api/v1/shelters/999/rounds", headers=auth(operator_token), json=body)
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "unknown_shelter"
    assert counts() == (0, 0, 0)


def test_need_lifecycle_records_who_and_when(
    client: Any, operator_token: str, shelter_id: int
) -> None:
    h = auth(operator_token)
    r = client.post(f"/api/v1/shelters/{shelter_id}/needs", headers=h, json=need())
    assert r.status_code == 201
    nid = r.get_json()["id"]
    for status in ("in_progress", "addressed", "closed"):
        r = client.patch(f"/api/v1/needs/{nid}", headers=h, json={"status": status})
        assert r.status_code == 200 and r.get_json()["status"] == status
    r = client.patch(f"/api/v1/needs/{nid}", headers=h, json={"status": "open"})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "invalid_transition"
    history = client.get(f"/api/v1/needs/{nid}", headers=h).get_json()["history"]
    assert [e["action"] for e in history] == ["open", "in_progress", "addressed", "closed"]
    assert all(e["user_id"] and e["at"] for e in history)
    assert client.get("/api/v1/needs", headers=h).get_json() == []
    assert len(client.get("/api/v1/needs?status=closed", headers=h).get_json()) == 1


def test_suggestions_rank_the_needs_category_and_words(
    client: Any, operator_token: str, shelter_id: int
) -> None:
    h = auth(operator_token)
    nid = client.post(f"/api/v1/shelters/{shelter_id}/needs", headers=h, json=need()).get_json()[
        "id"
    ]
    got = client.get(f"/api/v1/needs/{nid}", headers=h).get_json()["suggestions"]
    assert got, "a food and water need gets phrasebook suggestions"
    assert got[0]["template_id"] == "food_water.water_truck"  # its keyword is in the note
    assert all(s["category"] in ("food_water", "supplies") for s in got)
    assert all(s["text"] for s in got)  # each has the need's language (vi)
    medical = client.post(
        f"/api/v1/shelters/{shelter_id}/needs", headers=h, json=need(category="medical", note="")
    ).get_json()["id"]
    med = client.get(f"/api/v1/needs/{medical}", headers=h).get_json()["suggestions"]
    assert med and all(s["category"] in ("medical", "hygiene") for s in med)


def test_status_changes_keep_history_rows(
    client: Any, operator_token: str, shelter_id: int
) -> None:
    h = auth(operator_token)
    client.patch(f"/api/v1/shelters/{shelter_id}", headers=h, json={"status": "closing"})
    client.patch(f"/api/v1/shelters/{shelter_id}", headers=h, json={"capacity": 250})
    rows = db.session.scalars(select(ShelterStatusChange.status).order_by(ShelterStatusChange.id))
    assert list(rows) == ["open", "closing"]
