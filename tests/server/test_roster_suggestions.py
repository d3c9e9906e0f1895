"""The roster in assignment: the desk sees who speaks the inquiry's language and is free now,
and the round form suggests team members for the shelter's census languages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from server.core.extensions import db
from server.models import Inquiry, InquiryEvent, utcnow
from server.people import accounts
from server.roster import service as roster
from server.roster.models import Availability
from server.shelters import census
from server.shelters.words import CensusKind


def _person(name: str, langs: str, *, hours: float = 4, **extra: Any) -> int:
    person = roster.create_person(
        {"name": name, "kind": "interpreter", "languages": roster.parse_languages(langs), **extra}
    )
    now = utcnow()
    db.session.add(
        Availability(
            person_id=person.id,
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(hours=hours),
        )
    )
    db.session.commit()
    return int(person.id)


def test_the_desk_suggests_and_assigns_rostered_speakers(client: Any) -> None:
    accounts.create_user("op", "operator", "operator-password")
    desk, _ = accounts.create_user("maya", "operator", "maya-password-long")
    _person("Maya Gurung", "ne:native,ja:working", user_id=desk.id)
    ram = _person("Ram", "ne:working")
    _person("Off", "ne:native", status="off")
    _person("Later", "ne:native", hours=0.25)  # leaves within the hour
    _person("Lan", "vi:native")
    token = accounts.create_token("op")
    r = client.post(
        "/api/v1/inquiries",
        json={"message": "पानी कहाँ छ?", "lang": "ne", "category": "food_water"},
        headers={"Authorization": f"Bearer {token}"},
    )
    iid = r.get_json()["id"]
    assert [(p.name, lv) for p, lv in roster.free_now("ne")] == [
        ("Maya Gurung", "native"),
        ("Ram", "working"),
    ]
    client.post("/login", data={"username": "op", "password": "operator-password"})
    page = client.get(f"/inquiries/{iid}").get_data(as_text=True)
    section = page[page.index('class="rostered"') :]
    assert "Maya Gurung" in section and "Ram" in section and "母語" in section
    assert "Off" not in section and "Later" not in section and "Lan" not in section
    assert f'<option value="{desk.id}">maya · Maya Gurung' in page  # a linked account
    # Assign the linked account; ask Ram (no account) to interpret.
    client.post(f"/inquiries/{iid}/update", data={"assignee_id": str(desk.id)})
    client.post(f"/inquiries/{iid}/update", data={"interpreter_person_id": str(ram)})
    inquiry = db.session.get(Inquiry, iid)
    assert inquiry.assignee_id == desk.id and inquiry.interpreter == "Ram"
    events = db.session.scalars(
        select(InquiryEvent.detail).where(InquiryEvent.action == "interpreter")
    ).all()
    assert events == [f"roster person {ram}"]
    client.post(f"/inquiries/{iid}/update", data={"interpreter_person_id": "999"})
    assert db.session.get(Inquiry, iid).interpreter == "Ram"  # no such person: unchanged


def test_the_round_form_suggests_a_team_for_the_shelters_languages(client: Any) -> None:
    accounts.create_user("op", "operator", "operator-password")
    shelter = accounts.create_shelter("第一小学校", "Daiichi")
    census.replace(shelter, {CensusKind.LANGUAGE: {"vi": 6, "ne": 3, "ja": 40}})
    db.session.commit()
    _person("Lan", "vi:native")
    _person("Ram", "ne:working", hours=1)  # back before a round is over
    client.post("/login", data={"username": "op", "password": "operator-password"})
    page = client.get(f"/rounds/new?shelter={shelter.id}").get_data(as_text=True)
    team = page[page.index('id="team-suggestions"') : page.index("</section>")]
    assert "Lan" in team and "Ram" not in team
    assert team.index("Tiếng Việt") < team.index("नेपाली")  # most speakers first
    assert "日本語" not in team
    assert 'id="team-suggestions"' not in client.get("/rounds/new").get_data(as_text=True)
