"""CAP and Atom over real HTTP: a web process, a Celery worker translating, a relay polling."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import requests
from lxml import etree

from server.people import accounts

pytestmark = pytest.mark.slow

CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
NS = {"a": "http://www.w3.org/2005/Atom"}
SCHEMA = Path(__file__).resolve().parent.parent / "data" / "CAP-v1.2.xsd"


@pytest.fixture(scope="module")
def token(center: Any) -> str:
    with center.app.app_context():
        accounts.create_user("relay-desk", "operator", "operator-password")
        return accounts.create_token("relay-desk")


def wait_translated(center: Any, token: str, announcement_id: int, revision: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        body = center.api("GET", f"/api/v1/announcements/{announcement_id}", token).json()
        if body["revision"] == revision and all(
            t["status"] == "done" for t in body["translations"]
        ):
            return
        time.sleep(0.2)
    raise AssertionError(f"announcement {announcement_id} was not translated: {body}")


def test_a_relay_polls_alerts_and_feeds_with_etags(center: Any, token: str) -> None:
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    r = center.api(
        "POST",
        "/api/v1/announcements",
        token,
        json={
            "template_id": "food_water.water_truck",
            "slots": {"place": "第二中学校", "time": "09:30"},
            "category": "food_water",
            "severity": "Severe",
        },
    )
    assert r.status_code == 201, r.text
    announcement_id = r.json()["id"]
    wait_translated(center, token, announcement_id, 1)

    # No token: alerts are public information.
    alert = requests.get(f"{center.url}/api/v1/cap/alerts/{announcement_id}.xml", timeout=10)
    assert alert.status_code == 200
    assert alert.headers["Content-Type"].startswith("application/cap+xml")
    root = etree.fromstring(alert.content)
    schema.assertValid(root)
    assert len(root.findall(CAP + "info")) == 14  # Japanese, やさしい日本語 and 12 languages

    feed_url = f"{center.url}/api/v1/cap/feed.atom"
    first = requests.get(feed_url, timeout=10)
    assert first.status_code == 200
    assert first.headers["Content-Type"].startswith("application/atom+xml")
    etag = first.headers["ETag"]
    entry_ids = etree.fromstring(first.content).xpath("//a:entry/a:id/text()", namespaces=NS)
    assert entry_ids == [root.findtext(CAP + "identifier")]
    unchanged = requests.get(feed_url, headers={"If-None-Match": etag}, timeout=10)
    assert unchanged.status_code == 304 and unchanged.content == b""
    vi_url = f"{center.url}/api/v1/cap/feed/vi.atom"
    vi_etag = requests.get(vi_url, timeout=10).headers["ETag"]
    assert vi_etag != etag
    assert requests.get(vi_url, headers={"If-None-Match": vi_etag}, timeout=10).status_code == 304

    r = center.api(
        "PATCH",
        f"/api/v1/announcements/{announcement_id}",
        token,
        json={"slots": {"place": "第二中学校", "time": "11:00"}},
    )
    assert r.status_code == 200, r.text
    wait_translated(center, token, announcement_id, 2)
    changed = requests.get(feed_url, headers={"If-None-Match": etag}, timeout=10)
    assert changed.status_code == 200
    ids = etree.fromstring(changed.content).xpath("//a:entry/a:id/text()", namespaces=NS)
    assert len(ids) == 1 and ":r2-s" in ids[0]
    update = etree.fromstring(
        requests.get(f"{center.url}/api/v1/cap/alerts/{announcement_id}.xml", timeout=10).content
    )
    schema.assertValid(update)
    assert update.findtext(CAP + "msgType") == "Update"
    assert "11時から" in (update.findtext(f"{CAP}info/{CAP}description") or "")

    r = center.api("POST", f"/api/v1/announcements/{announcement_id}/retract", token)
    assert r.status_code == 200, r.text
    cancelled = etree.fromstring(requests.get(feed_url, timeout=10).content)
    titles = cancelled.xpath("//a:entry/a:title/text()", namespaces=NS)
    assert len(titles) == 1 and titles[0].startswith("[Cancel] ")
