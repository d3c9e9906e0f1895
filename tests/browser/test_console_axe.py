"""axe-core on the main console pages, signed in at desk size: nothing serious or critical.

The pages hold real data (an announcement, an inquiry, a shelter with a round and a need, a
translation request), so the check sees tables, forms and badges, not empty states.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

from server.people import accounts
from tests.browser.conftest import ARTIFACTS, AXE, run_axe, signed_in

pytestmark = pytest.mark.slow


def data(center: Any) -> dict[str, int]:
    """Fill the center through its API as a desk would; return the ids the pages need."""
    with center.app.app_context():
        accounts.create_user("axe-desk", "operator", "operator-password")
        token = accounts.create_token("axe-desk")

    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        r = center.api("POST", path, token, json=body)
        assert r.status_code in (200, 201), f"{path}: {r.status_code} {r.text}"
        return dict(r.json())

    shelter = post("/api/v1/shelters", {"name_ja": "川辺小学校", "capacity": 200})["id"]
    announcement = post(
        "/api/v1/announcements",
        {
            "template_id": "food_water.water_truck",
            "slots": {"place": "川辺小学校", "time": "15:00"},
            "category": "food_water",
            "severity": "Severe",
            "urgency": "Expected",
            "shelter_ids": [shelter],
        },
    )["id"]
    post("/api/v1/announcements", {"text": "停電は夕方まで続きます。", "category": "lifelines"})
    inquiry = post(
        "/api/v1/inquiries",
        {"message": "Tôi cần nước uống", "lang": "vi", "shelter_id": shelter, "consent": True},
    )["id"]
    post(
        f"/api/v1/shelters/{shelter}/needs",
        {"category": "food_water", "lang": "vi", "urgency": "high", "count": 4, "note": "給水"},
    )
    post("/api/v1/requests", {"text": "避難所の受付は8時からです。", "targets": ["en", "vi"]})
    return {"shelter": shelter, "announcement": announcement, "inquiry": inquiry}


def test_axe_finds_nothing_serious_on_the_main_console_pages(browser: Any, center: Any) -> None:
    if not os.path.exists(AXE):
        pytest.skip("axe-core is missing: npm install --prefix tests/browser (see .ci/run)")
    ids = data(center)
    pages = {
        "home": "/",
        "compose": "/announcements/new?template=food_water.water_truck",
        "announcement": f"/announcements/{ids['announcement']}",
        "desk": "/inquiries",
        "inquiry": f"/inquiries/{ids['inquiry']}",
        "review": "/review",
        "shelters": "/shelters",
        "shelter": f"/shelters/{ids['shelter']}",
        "needs": "/needs",
        "round": f"/rounds/new?shelter={ids['shelter']}",
        "requests": "/requests/queue",
        "reports": "/reports",
        "activity": "/activity",
        "users": "/users",
    }
    tab = signed_in(browser, center, "axe-admin", "admin", axe=True)
    found: dict[str, list[str]] = {}
    try:
        ARTIFACTS.mkdir(exist_ok=True)
        for name, path in pages.items():
            response = tab.goto(center.url + path)
            assert response is not None and response.status == 200, (path, response)
            tab.wait_for_load_state("load")
            found[name] = run_axe(tab)
            tab.screenshot(path=str(ARTIFACTS / f"console-axe-{name}.png"), full_page=True)
        assert not tab.errors, tab.errors  # type: ignore[attr-defined]
    finally:
        tab.context.close()
    serious = {k: v for k, v in found.items() if v}
    (ARTIFACTS / "console-axe.json").write_text(json.dumps(serious, ensure_ascii=False, indent=1))
    assert not serious, "\n".join(f"{k}: {line}" for k, v in serious.items() for line in v)
