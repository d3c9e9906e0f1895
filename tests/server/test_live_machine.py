"""Machine translation across processes: models installed with the CLI, used by the worker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from server.core.security import board_token
from server.people import accounts
from translations.mt.tiny import build_tiny_package

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def setup(center: Any) -> dict[str, Any]:
    with center.app.app_context():
        accounts.create_user("desk", "operator", "operator-password")
        token = accounts.create_token("desk")
        shelter = accounts.create_shelter("第一小学校")
        board = accounts.create_board(shelter.id, "TV")
        secret = center.app.config["SECRET_KEY"]
        return {"token": token, "board": (board.id, board_token(secret, board.id, 1))}


def tagengo(center: Any, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        env=center.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def translations_of(events: list[dict[str, Any]], aid: int) -> dict[str, dict[str, Any]]:
    return {
        e["lang"]: e
        for e in events
        if e["type"] == "announcement.translated" and e["announcement_id"] == aid
    }


def test_installed_models_translate_directly_and_through_english(
    center: Any, setup: dict[str, Any], board_client: Any, tmp_path: Path
) -> None:
    es_en = build_tiny_package(tmp_path, "es", "en", {"agua": "water", "refugio": "shelter"})
    en_vi = build_tiny_package(tmp_path, "en", "vi", {"water": "nước", "shelter": "trú"})
    result = tagengo(center, "models", "install", str(es_en), str(en_vi))
    assert result.returncode == 0, result.stderr
    listing = tagengo(center, "models", "list").stdout
    assert "es→en" in listing and "en→vi" in listing

    board = board_client(center, *setup["board"])
    board.connect()
    r = center.api(
        "POST",
        "/api/v1/announcements",
        setup["token"],
        json={"text": "agua refugio.", "source_lang": "es"},
    )
    assert r.status_code == 201, r.text
    aid = r.json()["id"]
    # Spanish is the source, so the other 12 center languages follow.
    events = board.wait_for(lambda ev: len(translations_of(ev, aid)) == 12)
    langs = translations_of(events, aid)
    assert (langs["en"]["status"], langs["en"]["method"], langs["en"]["text"]) == (
        "done",
        "machine",
        "water shelter.",
    )
    assert langs["en"]["reviewed"] is False
    assert (langs["vi"]["method"], langs["vi"]["text"]) == ("machine", "nước trú.")
    assert langs["ko"]["status"] == "pending"
    assert "no model installed for es→ko" in langs["ko"]["reason"]
    detail = center.api("GET", f"/api/v1/announcements/{aid}", setup["token"]).json()
    vi = next(t for t in detail["translations"] if t["lang"] == "vi")
    # Through English: made from the revision's English (the shared pivot), not a second es→en.
    assert (vi["engine"], vi["model"], vi["pivot_lang"]) == ("argos", "en→vi 1.0", "en")

    assert tagengo(center, "models", "remove", "en-vi").returncode == 0
    assert tagengo(center, "models", "remove", "es-en").returncode == 0
    missing = tagengo(center, "models", "remove", "es-en")
    assert missing.returncode != 0 and "es" in missing.stderr


@pytest.mark.skipif(
    not os.environ.get("TAGENGO_TEST_ARGOS_MODEL"),
    reason="set TAGENGO_TEST_ARGOS_MODEL to a real zh→en .argosmodel",
)
def test_chinese_announcement_reaches_the_board_in_english(
    center: Any, setup: dict[str, Any], board_client: Any
) -> None:
    result = tagengo(center, "models", "install", os.environ["TAGENGO_TEST_ARGOS_MODEL"])
    assert result.returncode == 0, result.stderr
    try:
        board = board_client(center, *setup["board"])
        board.connect()
        r = center.api(
            "POST",
            "/api/v1/announcements",
            setup["token"],
            json={"text": "地震发生后，请立即前往避难所。", "source_lang": "zh-Hans"},
        )
        aid = r.json()["id"]
        events = board.wait_for(lambda ev: len(translations_of(ev, aid)) == 12, timeout=120)
        english = translations_of(events, aid)["en"]
        assert english["method"] == "machine" and english["status"] == "done"
        assert "earthquake" in english["text"].lower()
        assert "shelter" in english["text"].lower()
    finally:
        tagengo(center, "models", "remove", "zh-en")


def test_libretranslate_shaped_endpoint(center: Any, setup: dict[str, Any], tmp_path: Path) -> None:
    package = build_tiny_package(tmp_path, "es", "en", {"agua": "water", "refugio": "shelter"})
    assert tagengo(center, "models", "install", str(package)).returncode == 0
    try:
        r = center.api(
            "POST",
            "/api/v1/translate",
            setup["token"],
            json={"q": "agua refugio.", "source": "es", "target": "en"},
        )
        assert r.status_code == 200, r.text
        assert r.json()["translatedText"] == "water shelter."
        assert r.json()["provenance"]["method"] == "machine"
        r = center.api(
            "POST",
            "/api/v1/translate",
            setup["token"],
            json={"q": ["agua.", "refugio."], "source": "es", "target": "en", "format": "text"},
        )
        assert r.json()["translatedText"] == ["water.", "shelter."]
        bad = [
            ({"q": "x", "source": "auto", "target": "en"}, "source"),
            ({"q": "x", "source": "es", "target": "xx"}, "target"),
            ({"q": [], "source": "es", "target": "en"}, "q"),
            ({"q": "agua", "source": "es", "target": "ko"}, "target"),
        ]
        for body, field in bad:
            r = center.api("POST", "/api/v1/translate", setup["token"], json=body)
            assert r.status_code == 400 and r.json()["error"]["field"] == field, r.text
        assert (
            center.api(
                "POST",
                "/api/v1/translate",
                "tg_nobody",
                json={"q": "x", "source": "es", "target": "en"},
            ).status_code
            == 401
        )
        langs = center.api("GET", "/api/v1/languages", setup["token"]).json()
        assert {"code": "zh-Hant", "argos": "zt"}.items() <= next(
            x for x in langs if x["code"] == "zh-Hant"
        ).items()
    finally:
        tagengo(center, "models", "remove", "es-en")


def test_a_stock_libretranslate_client_works_against_a_live_center(
    center: Any, setup: dict[str, Any], tmp_path: Path
) -> None:
    from urllib.error import HTTPError

    import requests
    from libretranslatepy import LibreTranslateAPI

    package = build_tiny_package(tmp_path, "es", "en", {"agua": "water", "refugio": "shelter"})
    assert tagengo(center, "models", "install", str(package)).returncode == 0
    try:
        client = LibreTranslateAPI(f"{center.url}/libretranslate/", api_key=setup["token"])
        assert client.translate("agua refugio.", "es", "en") == "water shelter."  # a form body
        assert client.detect("Hola, ¿dónde está el refugio?")[0]["language"] == "es"
        targets = {item["code"]: item["targets"] for item in client.languages()}
        assert "en" in targets["es"] and "en" not in targets["vi"]
        with pytest.raises(HTTPError) as refused:
            LibreTranslateAPI(f"{center.url}/libretranslate/", api_key="tg_nobody").translate(
                "agua", "es", "en"
            )
        assert refused.value.code == 403
        assert "error" in json.loads(refused.value.read())
        r = requests.post(
            f"{center.url}/libretranslate/translate",
            json={
                "q": ['<p title="agua">agua <b>refugio</b></p>', "refugio."],
                "source": "auto",
                "target": "en",
                "format": "html",
                "api_key": setup["token"],
            },
            timeout=60,
        )
        assert r.status_code == 200, r.text
        assert r.json()["translatedText"] == [
            '<p title="agua">water <b>shelter</b></p>',
            "shelter.",
        ]
        assert [d["language"] for d in r.json()["detectedLanguage"]] == ["es", "es"]
    finally:
        tagengo(center, "models", "remove", "es-en")


def test_a_worker_of_two_threads_runs_one_drain_and_keeps_one_to_plan(center: Any) -> None:
    # The test center's worker is started with -c 2 (every queue), and the default is two
    # drains per worker: two drains would take both threads, and a surge's announcements
    # would be planned only between drains. The worker says what it does at start.
    assert center.app.config["MT_DRAINS_PER_WORKER"] == 2
    log = (center.logs / "worker.log").read_text(encoding="utf-8")
    assert "2 thread(s); up to 1 machine drain(s) at once" in log
