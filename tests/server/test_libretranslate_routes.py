"""LibreTranslate's routes: keys, form and JSON bodies, its error shape; no worker needed here."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.mark.parametrize(
    ("body", "as_json", "status", "word"),
    [
        ({"q": "agua", "source": "es", "target": "en"}, True, 403, "API key"),
        ({"q": "agua", "source": "es", "target": "en", "api_key": "nope"}, False, 403, "API key"),
        ({"q": "", "source": "es", "target": "en", "api_key": "KEY"}, False, 400, "'q'"),
        ({"q": "agua", "source": "es", "target": "xx", "api_key": "KEY"}, True, 400, "unknown"),
        (
            {"q": "agua", "source": "es", "target": "en", "format": "pdf", "api_key": "KEY"},
            True,
            400,
            "format",
        ),
    ],
)
def test_refusals_use_libretranslates_error_shape(
    client: Any, operator_token: str, body: dict[str, Any], as_json: bool, status: int, word: str
) -> None:
    body = {k: (operator_token if v == "KEY" else v) for k, v in body.items()}
    r = (
        client.post("/libretranslate/translate", json=body)
        if as_json
        else client.post("/libretranslate/translate", data=body)
    )
    assert r.status_code == status, r.text
    assert set(r.json) == {"error"} and word in r.json["error"]


def test_same_language_needs_no_worker_in_form_and_json(client: Any, operator_token: str) -> None:
    r = client.post(
        "/libretranslate/translate",
        data={"q": "agua", "source": "es", "target": "es", "api_key": operator_token},
    )
    assert r.status_code == 200 and r.json == {"translatedText": "agua"}
    r = client.post(
        "/libretranslate/translate",
        json={"q": ["a", "b"], "source": "es", "target": "es"},
        headers={"Authorization": f"Bearer {operator_token}"},
    )
    assert r.json == {"translatedText": ["a", "b"]}


def test_detect_languages_and_settings(client: Any, operator_token: str) -> None:
    r = client.post("/libretranslate/detect", data={"q": "สวัสดีครับ", "api_key": operator_token})
    assert r.status_code == 200 and r.json[0]["language"] == "th"
    assert 0 < r.json[0]["confidence"] <= 100
    langs = client.get("/libretranslate/languages").json
    by_code = {item["code"]: item for item in langs}
    assert by_code["zt"]["name"] == "Chinese (Traditional)" or "Chinese" in by_code["zt"]["name"]
    assert by_code["vi"]["targets"] == ["vi"]  # no model installed: only itself
    settings = client.get("/libretranslate/frontend/settings").json
    assert settings["keyRequired"] is True and settings["charLimit"] > 0
