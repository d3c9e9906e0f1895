"""Spoken announcements: real espeak-ng files per language, served to boards, the PA script."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import time
import wave
from typing import Any

import pytest
import requests

from server.channels import broadcast, speech
from server.channels.voices import VOICES, Quality
from server.core.security import board_token
from server.people import accounts
from server.translation import planning
from translations.languages import CENTER_LANGUAGES

needs_espeak = pytest.mark.skipif(
    shutil.which("espeak-ng") is None,
    reason="espeak-ng is not installed (apt-get install espeak-ng)",
)
KANJI = re.compile(r"[\u4e00-\u9fff]")


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def publish(client: Any, token: str, **body: Any) -> dict[str, Any]:
    r = client.post("/api/v1/announcements", json=body, headers=auth(token))
    assert r.status_code == 201, r.get_json()
    return dict(r.get_json())


def water_truck(client: Any, token: str) -> int:
    created = publish(
        client,
        token,
        template_id="food_water.water_truck",
        slots={"place": "第一小学校", "time": "15:00"},
        category="food_water",
    )
    planning.translate_revision(created["id"], 1)  # the phrasebook gives every language
    return int(created["id"])


def test_every_center_language_says_whether_it_has_a_voice() -> None:
    assert set(CENTER_LANGUAGES) <= set(VOICES)
    assert VOICES["tl"].voice is None and VOICES["tl"].quality == Quality.NONE
    assert VOICES["ja-x-easy"].voice == "ja"
    assert not VOICES["my"].on_boards and not VOICES["th"].on_boards
    assert VOICES["en"].on_boards


@needs_espeak
def test_every_named_voice_exists_in_espeak_ng() -> None:
    listed = subprocess.run(
        ["espeak-ng", "--voices"], capture_output=True, text=True, check=True
    ).stdout
    names = {line.split()[1] for line in listed.splitlines()[1:] if line.strip()}
    for voice in VOICES.values():
        if voice.voice is not None:
            assert voice.voice in names, voice
    # No Tagalog/Filipino voice: checked, not assumed.
    assert not names & {"tl", "fil"}


@needs_espeak
def test_a_worker_makes_one_playable_file_per_voiced_language(
    app: Any, client: Any, operator_token: str
) -> None:
    aid = water_truck(client, operator_token)
    before = client.get(f"/api/v1/speech/{aid}.json", headers=auth(operator_token)).get_json()
    statuses = {e["lang"]: e["status"] for e in before["languages"]}
    assert statuses["tl"] == "no_voice"
    assert statuses["en"] == "making" and statuses["ja"] == "making"

    assert speech.make(aid, 1) == sum(1 for s in statuses.values() if s == "making")
    assert speech.make(aid, 1) == 0  # idempotent: a redelivered task makes nothing again

    doc = client.get(f"/api/v1/speech/{aid}.json", headers=auth(operator_token)).get_json()
    entries = {e["lang"]: e for e in doc["languages"]}
    assert entries["tl"]["status"] == "no_voice" and entries["tl"]["url"] is None
    # Japanese is spoken from the やさしい日本語 text: the same words, the same sound.
    assert entries["ja"]["digest"] == entries["ja-x-easy"]["digest"]
    for lang in ("ja", "en", "vi", "ko", "zh-Hans", "ne", "es"):
        assert entries[lang]["status"] == "ready", lang
        r = client.get(entries[lang]["url"], headers=auth(operator_token))
        assert r.status_code == 200 and r.mimetype == "audio/wav"
        with wave.open(io.BytesIO(r.data)) as w:
            assert w.getnchannels() == 1 and w.getnframes() / w.getframerate() > 1.0, lang


@needs_espeak
def test_japanese_is_spoken_in_kana_because_the_voice_skips_kanji(
    app: Any, client: Any, operator_token: str
) -> None:
    aid = water_truck(client, operator_token)
    from server.core.extensions import db
    from server.models import Announcement

    plan = {s.lang: s for s in speech.plan(db.session.get(Announcement, aid))}
    assert plan["ja"].text and not KANJI.search(plan["ja"].text)
    assert "きゅうすいしゃ" in plan["ja"].text


@needs_espeak
def test_boards_fetch_sound_with_their_token_and_strangers_cannot(
    app: Any, client: Any, operator_token: str
) -> None:
    aid = water_truck(client, operator_token)
    speech.make(aid, 1)
    shelter = accounts.create_shelter("第一小学校")
    board = accounts.create_board(shelter.id, "体育館TV")
    token = board_token(app.config["SECRET_KEY"], board.id, board.token_version)
    assert client.get(f"/api/v1/speech/{aid}.json").status_code == 401
    doc = client.get(f"/api/v1/speech/{aid}.json?token={token}").get_json()
    url = next(e["url"] for e in doc["languages"] if e["lang"] == "en")
    assert token in url
    assert client.get(url).status_code == 200
    assert client.get(url.split("?")[0]).status_code == 401
    bad = client.get(f"/api/v1/speech/{aid}/r1/en-0000000000000000.wav?token={token}")
    assert bad.status_code == 404 and bad.get_json()["error"]["code"] == "not_ready"


@needs_espeak
def test_a_corrected_translation_gets_a_new_file(
    app: Any, client: Any, operator_token: str
) -> None:
    aid = water_truck(client, operator_token)
    speech.make(aid, 1)
    from server.core.extensions import db
    from server.models import Announcement, Translation

    old = {s.lang: s.digest for s in speech.plan(db.session.get(Announcement, aid))}
    row = db.session.query(Translation).filter_by(announcement_id=aid, lang="en").one()
    row.text = "The water truck comes to the school at three."
    db.session.commit()
    fresh = {s.lang: s for s in speech.plan(db.session.get(Announcement, aid))}
    assert fresh["en"].digest != old["en"] and fresh["en"].status == "making"
    assert fresh["vi"].digest == old["vi"] and fresh["vi"].status == "ready"


def test_pa_script_cuts_whole_sentences_to_the_slot() -> None:
    text = " ".join(
        f"Sentence number {i} tells residents where the water is today." for i in range(12)
    )
    cut = broadcast.script("en", text, 30)
    assert not cut.fits and cut.left_out > 0
    assert cut.seconds <= 30 and cut.text.endswith(".")
    assert broadcast.script("en", text, 60).left_out < cut.left_out
    short = broadcast.script("ja", "給水車が来ます。", 30)
    assert short.fits and short.left_out == 0 and short.text == "給水車が来ます。"
    # Scripts without spaces are timed by characters, not by (one) "word".
    assert broadcast.estimate_seconds("ja", "あ" * 90) == pytest.approx(20.0)
    assert broadcast.estimate_seconds("ko", "가" * 40) == pytest.approx(10.0)


def test_console_shows_pa_script_and_sound_preview(
    app: Any, client: Any, operator_token: str
) -> None:
    accounts.create_user("op", "operator", "operator-password")
    client.post("/login", data={"username": "op", "password": "operator-password"})
    aid = water_truck(client, operator_token)
    if shutil.which("espeak-ng"):
        speech.make(aid, 1)
    page = client.get(f"/announcements/{aid}").get_data(as_text=True)
    assert "PA" in page or "放送" in page
    if shutil.which("espeak-ng"):
        assert '<audio controls preload="none" src="/api/v1/speech/' in page
    assert "Tagalog" in page or "tl" in page
    script = client.get(f"/announcements/{aid}/broadcast?slot=60")
    assert script.status_code == 200
    body = script.get_data(as_text=True)
    assert "放送原稿" in body and "給水車" in body and 'lang="vi"' in body
    assert client.get(f"/announcements/{aid}/broadcast?slot=45").status_code == 400


@needs_espeak
def test_live_worker_makes_the_sound_a_board_asks_for(center: Any) -> None:
    with center.app.app_context():
        accounts.create_user("speaker", "operator", "operator-password")
        token = accounts.create_token("speaker")
        shelter = accounts.create_shelter("市民会館")
        board = accounts.create_board(shelter.id, "ホールTV")
        btoken = board_token(center.app.config["SECRET_KEY"], board.id, board.token_version)
    r = center.api(
        "POST",
        "/api/v1/announcements",
        token,
        json={"text": "今日は雨です。", "easy_text": "きょうは あめです。", "category": "weather"},
    )
    assert r.status_code == 201, r.text
    aid = r.json()["id"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        doc = requests.get(
            f"{center.url}/api/v1/speech/{aid}.json", params={"token": btoken}, timeout=10
        ).json()
        ja = next(e for e in doc["languages"] if e["lang"] == "ja")
        if ja["status"] == "ready":
            break
        time.sleep(0.5)
    assert ja["status"] == "ready", doc
    sound = requests.get(center.url + ja["url"], timeout=10)
    assert sound.status_code == 200 and sound.content[:4] == b"RIFF"
