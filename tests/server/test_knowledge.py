"""Phrasebook, glossary and manual read APIs, and composing from a template in the console."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select

from server.core.extensions import db
from server.models import Announcement, BoardEvent
from server.people import accounts
from translations import phrasebook


def test_phrasebook_api_filters_and_reports_review_state(client: Any) -> None:
    everything = client.get("/api/v1/phrasebook").get_json()
    assert len(everything) >= 170
    one = everything[0]
    assert set(one) == {"id", "category", "keywords", "slots", "text", "review"}
    assert one["review"]["vi"]["state"] in ("draft", "reviewed")
    water = client.get("/api/v1/phrasebook?category=food_water").get_json()
    assert water and all(t["category"] == "food_water" for t in water)
    by_romaji = {t["id"] for t in client.get("/api/v1/phrasebook?q=kyusui").get_json()}
    by_japanese = {t["id"] for t in client.get("/api/v1/phrasebook?q=給水").get_json()}
    assert by_romaji and by_romaji <= by_japanese | by_romaji
    assert client.get("/api/v1/phrasebook?q=water").get_json()
    r = client.get("/api/v1/phrasebook?category=gossip")
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "category"
    assert client.get("/api/v1/phrasebook/no.such").status_code == 404
    tid = one["id"]
    assert client.get(f"/api/v1/phrasebook/{tid}").get_json()["id"] == tid


def test_glossary_and_manual_apis(client: Any) -> None:
    terms = client.get("/api/v1/glossary").get_json()
    assert len(terms) >= 120
    found = client.get("/api/v1/glossary?q=避難所&lang=ja").get_json()
    assert found[0]["text"]["ja"] == "避難所"
    assert client.get("/api/v1/glossary?q=x&lang=klingon").status_code == 400
    phases = client.get("/api/v1/manuals/phases").get_json()
    assert [p["id"] for p in phases][:2] == ["standby", "activated"]
    codes = {c["code"] for c in client.get("/api/v1/manuals/categories").get_json()}
    assert "safety_confirmation" in codes and "residence_status" in codes
    assert "shelter_round_sheet" in client.get("/api/v1/manuals/forms").get_json()
    assert client.get("/api/v1/manuals/forms/registration_card").status_code == 200
    drills = client.get("/api/v1/manuals/drills").get_json()
    assert client.get(f"/api/v1/manuals/drills/{drills[0]}").get_json()["injects"]
    assert client.get("/api/v1/manuals/drills/../phases").status_code == 404
    assert client.get("/api/v1/manuals/forms/nothing").status_code == 404


def login(client: Any) -> None:
    accounts.create_user("op", "operator", "operator-password")
    client.post("/login", data={"username": "op", "password": "operator-password"})


def time_template() -> phrasebook.Template:
    return next(t for t in phrasebook.load().values() if t.slots == {"time": "time"})


def test_console_searches_previews_and_publishes_a_template(client: Any) -> None:
    login(client)
    page = client.get("/announcements/new?tq=water").get_data(as_text=True)
    assert "?template=" in page
    template = time_template()
    page = client.get(f"/announcements/new?template={template.id}").get_data(as_text=True)
    assert 'name="slot_time" type="time"' in page
    form = {
        "template_id": template.id,
        "slot_time": "21:30",
        "source_lang": "ja",
        "category": template.category,
        "severity": "Minor",
        "urgency": "Expected",
        "certainty": "Observed",
        "target": "all",
    }
    preview = client.post("/announcements/new", data={**form, "action": "preview"})
    text = preview.get_data(as_text=True)
    for lang in ("ja", "vi", "my", "ne"):
        expected = template.render(lang, {"time": "21:30"})
        assert expected.replace("'", "&#39;").replace('"', "&#34;") in text
    assert db.session.scalar(select(func.count(Announcement.id))) == 0  # preview stores nothing
    bad = client.post("/announcements/new", data={**form, "slot_time": "25:99"})
    assert bad.status_code == 400 and "slot" in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Announcement.id))) == 0
    done = client.post("/announcements/new", data={**form, "action": "publish"})
    assert done.status_code == 302
    item = db.session.scalar(select(Announcement))
    assert item.revisions[-1].template_id == template.id
    assert item.revisions[-1].text == template.render("ja", {"time": "21:30"})


def test_easy_japanese_check_in_the_console(client: Any) -> None:
    login(client)
    hard = "直ちに避難所へ避難しなさい。"
    page = client.post(
        "/announcements/new", data={"text": "x", "easy_text": hard, "action": "check"}
    ).get_data(as_text=True)
    assert 'class="findings"' in page
    found = client.post("/easy-check", json={"text": hard}).get_json()
    assert {f["rule"] for f in found} & {"request_form", "hard_word"}
    assert (
        client.post("/easy-check", json={"text": "みずを もって きて ください。"}).get_json() == []
    )


def test_japanese_events_carry_furigana_segments(client: Any, operator_token: str) -> None:
    client.post(
        "/api/v1/announcements",
        headers={"Authorization": f"Bearer {operator_token}"},
        json={"text": "給水車が来ます。"},
    )
    ruby = db.session.scalar(select(BoardEvent)).payload["ruby"]
    assert ["給水車", "きゅうすいしゃ"] in ruby
    assert "".join(base for base, _ in ruby) == "給水車が来ます。"


def test_board_settings_switch_furigana(client: Any, app: Any) -> None:
    accounts.create_user("boss", "admin", "admin-password")
    board = accounts.create_board(accounts.create_shelter("体育館").id, "TV")
    client.post("/login", data={"username": "boss", "password": "admin-password"})
    client.post(f"/boards/{board.id}/settings", data={"layout": "cycle", "furigana": "on"})
    from server.core.security import board_token

    token = board_token(app.config["SECRET_KEY"], board.id, 1)
    page = client.get(f"/board/{board.id}?token={token}").get_data(as_text=True)
    config = re.search(r'data-config="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    assert "&#34;furigana&#34;: true" in config and "&#34;layout&#34;: &#34;cycle&#34;" in config


def test_glossary_is_shown_to_residents_and_on_boards(client: Any, app: Any) -> None:
    page = client.get("/help/glossary?lang=vi&q=避難所").get_data(as_text=True)
    assert "避難所" in page and "ひなんじょ" in page and 'lang="vi"' in page
    from translations import glossary

    shelter = next(t for t in glossary.load_glossary() if t.text["ja"] == "避難所")
    assert shelter.text["vi"] in page
    board = accounts.create_board(accounts.create_shelter("体育館").id, "TV")
    from server.core.security import board_token

    html = client.get(
        f"/board/{board.id}?token={board_token(app.config['SECRET_KEY'], board.id, 1)}"
    )
    config = re.search(r'data-config="([^"]+)"', html.get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    assert "&#34;glossary&#34;: [{&#34;ja&#34;:" in config
    assert 'id="glossary"' in html.get_data(as_text=True)


def test_qr_code_of_the_inquiry_page_is_a_standalone_svg(client: Any) -> None:
    r = client.get("/help/qr.svg")
    assert r.mimetype == "image/svg+xml"
    assert b'xmlns="http://www.w3.org/2000/svg"' in r.data and b"<path" in r.data
