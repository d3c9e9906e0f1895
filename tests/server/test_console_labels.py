"""The console shows catalog labels, never internal keys, in Japanese and English."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from server.inquiries import service as inquiries
from server.people import accounts


def sign_in(client: Any) -> None:
    accounts.create_user("op", "operator", "operator-password")
    client.post("/login", data={"username": "op", "password": "operator-password"})


def publish(client: Any, operator_token: str) -> int:
    r = client.post(
        "/api/v1/announcements",
        json={
            "text": "本日15時に給水車が来ます。",
            "category": "food_water",
            "severity": "Severe",
            "urgency": "Expected",
        },
        headers={"Authorization": f"Bearer {operator_token}"},
    )
    assert r.status_code == 201
    return int(r.get_json()["id"])


def visible(page: str) -> str:
    """The page's text without tags and attributes."""
    return re.sub(r"<[^>]+>", " ", page)


def test_announcement_pages_use_labels(client: Any, operator_token: str) -> None:
    announcement_id = publish(client, operator_token)
    sign_in(client)
    page = client.get(f"/announcements/{announcement_id}").get_data(as_text=True)
    text = visible(page)
    assert "食料・水" in text and "重大" in text and "まもなく" in text and "待機中" in text
    for key in ("food_water", "Severe", "queued"):
        assert key not in text, key
    labels = json.loads(html.unescape(re.search(r'data-labels="([^"]+)"', page).group(1)))  # type: ignore[union-attr]
    assert labels["status"]["done"] == "完了" and labels["method"]["machine"] == "機械翻訳"
    english = visible(
        client.get(f"/announcements/{announcement_id}?lang=en").get_data(as_text=True)
    )
    assert "Food and water" in english and "Severe" in english and "queued" in english
    dashboard = visible(client.get("/?lang=ja").get_data(as_text=True))
    assert "重大" in dashboard and "掲示中" in dashboard and "food_water" not in dashboard


def test_compose_options_show_labels_and_send_keys(client: Any) -> None:
    sign_in(client)
    page = client.get("/announcements/new").get_data(as_text=True)
    assert '<option value="food_water" >食料・水</option>' in page
    assert '<option value="Extreme" >極めて重大</option>' in page
    assert '<option value="Immediate" >直ちに</option>' in page


def test_desk_pages_show_manual_categories_and_statuses(client: Any) -> None:
    fields = inquiries.parse(
        {"message": "Cần nước uống", "lang": "vi", "category": "food_water", "consent": True},
        "web",
    )
    item = inquiries.create(fields, "web")[0]
    sign_in(client)
    listing = visible(client.get("/inquiries").get_data(as_text=True))
    assert "食料・水" in listing and "受付" in listing and "ウェブフォーム" in listing
    assert "food_water" not in listing
    # Never the resident pages' やさしい日本語 (「うけつけました」, 「こたえが あります」).
    assert "うけつけました" not in listing
    detail = visible(client.get(f"/inquiries/{item.id}").get_data(as_text=True))
    assert "食料・水" in detail and "おくる" not in detail
    report = visible(client.get("/reports").get_data(as_text=True))
    assert "こたえが あります" not in report and "回答済み" in report
    english = visible(client.get("/inquiries?lang=en").get_data(as_text=True))
    assert "Food and water" in english and "open" in english
