"""A resident asks in Vietnamese from a phone; the desk answers; the worker translates both ways."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from typing import Any

import pytest
import requests

from server.people import accounts
from translations import phrasebook
from translations.mt.tiny import build_tiny_package

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def desk(center: Any, tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("models")
    packages = [
        build_tiny_package(folder, "vi", "ja", {"nước": "水", "thuốc": "薬"}),
        build_tiny_package(folder, "ja", "vi", {"水": "nước", "薬": "thuốc"}),
    ]
    done = subprocess.run(
        [sys.executable, "-m", "server.cli", "models", "install", *map(str, packages)],
        env=center.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    with center.app.app_context():
        accounts.create_user("desk", "operator", "operator-password")
        return accounts.create_token("desk")


def wait(check: Any, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_resident_to_desk_and_back(center: Any, desk: str) -> None:
    phone = requests.Session()
    page = phone.get(center.url + "/help", headers={"Accept-Language": "vi"}, timeout=10)
    assert 'lang="vi"' in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    sent = phone.post(
        center.url + "/help",
        timeout=10,
        data={
            "csrf_token": token,
            "lang": "vi",
            "category": "food_water",
            "consent": "on",
            "message": "nước thuốc",
            "name": "Lan",
        },
    )
    assert sent.status_code == 200 and "/help/s/" in sent.url
    status_url = sent.url

    listed = center.api("GET", "/api/v1/inquiries", desk).json()
    inquiry_id = listed[0]["id"]
    detail = wait(
        lambda: (
            (d := center.api("GET", f"/api/v1/inquiries/{inquiry_id}", desk).json())[
                "message_ja_method"
            ]
            != "pending"
            and d
        )
    )
    assert (detail["message_ja"], detail["message_ja_method"]) == ("水薬", "machine")
    assert detail["lang_detected"] == "vi" and detail["lang_confidence"] > 0

    template = next(
        t for t in phrasebook.load().values() if t.category == "food_water" and not t.slots
    )
    r = center.api(
        "POST", f"/api/v1/inquiries/{inquiry_id}/replies", desk, json={"template_id": template.id}
    )
    assert r.status_code == 201, r.text
    r = center.api("POST", f"/api/v1/inquiries/{inquiry_id}/replies", desk, json={"text": "水 薬"})
    assert r.status_code == 201
    page = wait(
        lambda: (
            (p := phone.get(status_url, timeout=10).text).count('class="reply"') == 2
            and template.text["vi"] in p
            and '<p lang="ja">' not in p
            and p
        )
    )
    assert "status-answered" in page
    detail = center.api("GET", f"/api/v1/inquiries/{inquiry_id}", desk).json()
    assert [(r["method"], r["text"]) for r in detail["replies"]] == [
        ("phrasebook", template.text["vi"]),
        ("machine", "nước thuốc"),
    ]
    assert page.count("nước thuốc") == 2  # the resident's own words and the machine answer
