"""Shelter names residents can read: the romaji suggestion, names per language, where they land."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree
from sqlalchemy import select

from server.core.extensions import db
from server.models import Shelter, Translation
from server.people import accounts
from server.translation import machine_jobs, planning
from server.web.console.shelters import board_url


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def create(client: Any, token: str, **body: Any) -> Any:
    return client.post("/api/v1/shelters", headers=auth(token), json=body)


def patch(client: Any, token: str, shelter_id: int, **body: Any) -> Any:
    return client.patch(f"/api/v1/shelters/{shelter_id}", headers=auth(token), json=body)


def test_the_api_suggests_the_romaji_when_none_is_given_until_staff_edit_it(
    client: Any, operator_token: str
) -> None:
    r = create(client, operator_token, name_ja="川辺市立第一中学校", address="川辺市本町1-2-3")
    assert r.status_code == 201, r.get_data(as_text=True)
    body = r.get_json()
    assert body["name_romaji"] == "Kawabe Shiritsu Daiichi Chugakko"
    assert body["name_romaji_suggested"] is True
    assert body["address_romaji"] == "Kawabe-shi Honcho 1-2-3"
    sid = body["id"]
    # A new Japanese name while the romaji is still a suggestion: the suggestion follows it.
    r = patch(client, operator_token, sid, name_ja="市民体育館")
    assert r.get_json()["name_romaji"] == "Shimin Taiikukan"
    r = patch(client, operator_token, sid, name_romaji="Shimin Gymnasium")
    assert (r.get_json()["name_romaji"], r.get_json()["name_romaji_suggested"]) == (
        "Shimin Gymnasium",
        False,
    )
    # Checked by a person: a later change of the Japanese name leaves it alone.
    r = patch(client, operator_token, sid, name_ja="市民体育館 別館")
    assert r.get_json()["name_romaji"] == "Shimin Gymnasium"
    typed = create(
        client, operator_token, name_ja="まちなか交流センター", name_romaji="Machinaka Center"
    )
    assert typed.get_json()["name_romaji_suggested"] is False


@pytest.mark.parametrize(
    ("names", "field"),
    [
        ({"xx": "Somewhere"}, "names.xx"),
        ({"ja": "別名"}, "names.ja"),
        ({"en": "x" * 201}, "names.en"),
        ({"vi": "Trường\x07 Kawabe"}, "names.vi"),
        ({"vi": "line one\nline two"}, "names.vi"),
        ({"vi": 5}, "names.vi"),
        (["vi", "Trường"], "names"),
    ],
)
def test_bad_names_are_refused_and_nothing_is_stored(
    client: Any, operator_token: str, names: Any, field: str
) -> None:
    r = create(client, operator_token, name_ja="川辺小学校", names=names)
    assert r.status_code == 400, r.get_data(as_text=True)
    assert r.get_json()["error"]["field"] == field
    assert db.session.scalar(select(Shelter)) is None


def test_a_phrasebook_announcement_names_the_shelter_for_each_language(
    client: Any, operator_token: str
) -> None:
    shelter = create(
        client,
        operator_token,
        name_ja="川辺小学校",
        names={"ko": "가와베 초등학교", "tl": "Paaralang Kawabe"},
    ).get_json()
    assert shelter["names"] == {"ko": "가와베 초등학교", "tl": "Paaralang Kawabe"}
    r = client.post(
        "/api/v1/announcements",
        headers=auth(operator_token),
        json={
            "template_id": "food_water.water_truck",
            "slots": {"place": "川辺小学校", "time": "15:00"},
            "category": "food_water",
            "shelter_ids": [shelter["id"]],
        },
    )
    assert r.status_code == 201, r.get_data(as_text=True)
    planning.translate_revision(r.get_json()["id"], 1)
    texts = {t.lang: t.text or "" for t in db.session.scalars(select(Translation))}
    assert "Kawabe Shogakko (川辺小学校)" in texts["en"]
    assert "Kawabe Shogakko (川辺小学校)" in texts["vi"]
    assert "Paaralang Kawabe" in texts["tl"] and "川辺小学校" not in texts["tl"]
    assert "가와베 초등학교" in texts["ko"]
    assert "川辺小学校 (Kawabe Shogakko)" in texts["th"]
    assert "川辺小学校" in texts["zh-Hans"] and "Kawabe" not in texts["zh-Hans"]
    # The CAP alert's area names the shelter by the same rule.
    xml = client.get(f"/api/v1/cap/alerts/{r.get_json()['id']}.xml").data
    cap = "{urn:oasis:names:tc:emergency:cap:1.2}"
    areas = {
        info.findtext(cap + "language"): info.findtext(f"{cap}area/{cap}areaDesc")
        for info in etree.fromstring(xml).findall(cap + "info")
    }
    assert areas["en"] == "Kawabe Shogakko (川辺小学校)"
    assert (areas["tl"], areas["ko"], areas["ja"]) == (
        "Paaralang Kawabe",
        "가와베 초등학교",
        "川辺小学校",
    )
    assert areas["th"] == "川辺小学校 (Kawabe Shogakko)"
    # A place that is no shelter is romanised for Latin-script readers, Japanese kept.
    r = client.post(
        "/api/v1/announcements",
        headers=auth(operator_token),
        json={
            "template_id": "food_water.water_truck",
            "slots": {"place": "市民体育館", "time": "15:00"},
            "category": "food_water",
        },
    )
    planning.translate_revision(r.get_json()["id"], 1)
    english = db.session.scalar(
        select(Translation.text).where(
            Translation.announcement_id == r.get_json()["id"], Translation.lang == "en"
        )
    )
    assert english is not None and "Shimin Taiikukan (市民体育館)" in english


def test_machine_translation_puts_back_each_languages_name(app: Any) -> None:
    shelter = accounts.create_shelter("川辺小学校", "Kawabe Shogakko")
    shelter.names = {"vi": "Trường Kawabe"}
    db.session.commit()
    assert machine_jobs._places("en") == [("川辺小学校", "Kawabe Shogakko (川辺小学校)")]
    assert machine_jobs._places("vi") == [("川辺小学校", "Trường Kawabe")]
    assert machine_jobs._places("zh-Hans") == [("川辺小学校", "川辺小学校")]
    assert machine_jobs._places("my") == [("川辺小学校", "川辺小学校 (Kawabe Shogakko)")]


@pytest.fixture
def operator(client: Any) -> None:
    accounts.create_user("op", "operator", "operator-password")
    client.post("/login", data={"username": "op", "password": "operator-password"})


def test_the_console_suggests_and_edits_names(client: Any, operator: None) -> None:
    r = client.post("/shelters", data={"name_ja": "市民体育館", "name_romaji": ""})
    assert r.status_code == 302
    shelter = db.session.scalar(select(Shelter))
    assert shelter is not None
    assert (shelter.name_romaji, shelter.name_romaji_suggested) == ("Shimin Taiikukan", True)
    page = client.get(f"/shelters/{shelter.id}?lang=en").get_data(as_text=True)
    assert 'id="romaji-suggested"' in page and 'name="names.vi"' in page
    form = {"name_ja": "市民体育館", "name_romaji": "Shimin Taiikukan"}
    # Saved as shown: still the computer's suggestion, still marked.
    client.post(f"/shelters/{shelter.id}/registry", data=form)
    db.session.expire_all()
    assert db.session.get(Shelter, shelter.id).name_romaji_suggested is True  # type: ignore[union-attr]
    form |= {"name_romaji": "Shimin Gym", "names.vi": "Nhà thi đấu Shimin", "names.ko": ""}
    client.post(f"/shelters/{shelter.id}/registry", data=form)
    db.session.expire_all()
    saved = db.session.get(Shelter, shelter.id)
    assert saved is not None and saved.names == {"vi": "Nhà thi đấu Shimin"}
    assert (saved.name_romaji, saved.name_romaji_suggested) == ("Shimin Gym", False)
    r = client.post(f"/shelters/{shelter.id}/registry", data=form | {"names.xx": "?"})
    db.session.expire_all()
    assert db.session.get(Shelter, shelter.id).names == {"vi": "Nhà thi đấu Shimin"}  # type: ignore[union-attr]
    page = client.get(f"/shelters/{shelter.id}?lang=en").get_data(as_text=True)
    assert 'id="romaji-suggested"' not in page and 'value="Nhà thi đấu Shimin"' in page


def test_the_demo_shelters_get_the_suggested_romaji_and_boards_show_the_names(
    app: Any, client: Any
) -> None:
    from server.cli import demo_data

    list(demo_data.seed())
    first, second = db.session.scalars(select(Shelter).order_by(Shelter.id)).all()
    assert first.name_romaji == "Daiichi Shogakko Taiikukan" and first.name_romaji_suggested
    assert second.name_romaji == "Shimin Senta"
    board = second.boards[0]
    page = client.get(board_url(board).split("8080", 1)[-1]).get_data(as_text=True)
    assert '<bdi lang="ja-Latn" class="place-latn">Shimin Senta</bdi>' in page
    assert 'lang="ko" dir="auto" class="place-latn">시민센터</bdi>' in page
    assert page.count("市民中心") == 1  # zh-Hans and zh-Hant share it: shown once
