"""Review queue, corrections that go live and into memory, and TMX exchange."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from server.announcements import drafts
from server.announcements import service as announcements
from server.core.extensions import db
from server.models import BoardEvent, MemoryEntry, Translation
from server.people import accounts
from server.translation import machine_jobs
from server.translation import planning as translating
from translations.mt import install
from translations.mt.tiny import build_tiny_package


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def machine_translated(app: Any, tmp_path: Path) -> int:
    install(
        build_tiny_package(tmp_path, "es", "en", {"agua": "water", "refugio": "shelter"}),
        Path(app.config["ARGOS_PACKAGES_DIR"]),
    )
    aid = announcements.create(
        drafts.parse_draft({"text": "agua refugio.", "source_lang": "es"}), None
    ).id
    translating.translate_revision(aid, 1)
    machine_jobs.translate_machine("es", "en")
    return aid


@pytest.fixture
def reviewer(app: Any) -> str:
    accounts.create_user("rev", "reviewer", "reviewer-password")
    return accounts.create_token("rev")


def test_correction_goes_live_and_is_reused(
    client: Any, reviewer: str, machine_translated: int
) -> None:
    queue = client.get("/api/v1/review?lang=en", headers=auth(reviewer)).get_json()
    assert [(q["announcement_id"], q["text"]) for q in queue] == [
        (machine_translated, "water shelter.")
    ]
    r = client.post(
        f"/api/v1/translations/{queue[0]['id']}/review",
        headers=auth(reviewer),
        json={"action": "correct", "text": "Water at the shelter."},
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    assert (r.get_json()["method"], r.get_json()["reviewed"]) == ("human", True)
    last = db.session.scalars(select(BoardEvent).order_by(BoardEvent.seq.desc())).first()
    assert (last.payload["lang"], last.payload["text"], last.payload["reviewed"]) == (
        "en",
        "Water at the shelter.",
        True,
    )
    assert client.get("/api/v1/review?lang=en", headers=auth(reviewer)).get_json() == []

    again = announcements.create(
        drafts.parse_draft({"text": "agua  refugio.", "source_lang": "es"}), None
    ).id  # same sentence, other spacing
    translating.translate_revision(again, 1)
    row = db.session.scalar(
        select(Translation).where(Translation.announcement_id == again, Translation.lang == "en")
    )
    assert (row.method, row.text, row.reviewed) == ("memory", "Water at the shelter.", True)


def test_approve_keeps_text_and_marks_reviewed(
    client: Any, reviewer: str, machine_translated: int
) -> None:
    item = client.get("/api/v1/review", headers=auth(reviewer)).get_json()[0]
    r = client.post(
        f"/api/v1/translations/{item['id']}/review",
        headers=auth(reviewer),
        json={"action": "approve"},
    )
    assert (r.get_json()["text"], r.get_json()["method"], r.get_json()["reviewed"]) == (
        "water shelter.",
        "machine",
        True,
    )
    assert db.session.scalar(select(MemoryEntry.target_text)) == "water shelter."


def test_operators_cannot_review_and_bad_input_is_refused(
    client: Any, reviewer: str, operator_token: str, machine_translated: int
) -> None:
    item = client.get("/api/v1/review", headers=auth(reviewer)).get_json()[0]
    url = f"/api/v1/translations/{item['id']}/review"
    assert (
        client.post(url, headers=auth(operator_token), json={"action": "approve"}).status_code
        == 403
    )
    r = client.post(url, headers=auth(reviewer), json={"action": "correct"})
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "text"
    r = client.post(url, headers=auth(reviewer), json={"action": "burn"})
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "action"
    r = client.post(
        "/api/v1/translations/999/review", headers=auth(reviewer), json={"action": "approve"}
    )
    assert r.status_code == 404
    assert db.session.scalar(select(MemoryEntry.id)) is None


def test_tmx_round_trip_and_refusals(client: Any, reviewer: str) -> None:
    tmx = (
        '<?xml version="1.0" encoding="UTF-8"?><tmx version="1.4"><header srclang="ja"/>'
        '<body><tu><tuv xml:lang="ja"><seg>給水車が来ます。</seg></tuv>'
        '<tuv xml:lang="vi"><seg>Xe chở nước sẽ đến.</seg></tuv>'
        '<tuv xml:lang="en"><seg>The water truck is coming.</seg></tuv></tu></body></tmx>'
    )
    headers = {**auth(reviewer), "Content-Type": "application/x-tmx+xml"}
    r = client.post("/api/v1/memory.tmx", headers=headers, data=tmx.encode())
    assert r.get_json() == {"imported": 2}
    exported = client.get("/api/v1/memory.tmx", headers=auth(reviewer)).get_data(as_text=True)
    assert "Xe chở nước sẽ đến." in exported and 'xml:lang="vi"' in exported
    r = client.post("/api/v1/memory.tmx", headers=headers, data=exported.encode())
    assert r.get_json() == {"imported": 2}
    assert db.session.query(MemoryEntry).count() == 2  # re-import replaces, never duplicates
    for bad in (b"<tmx><body><tu>", b'<!DOCTYPE x [<!ENTITY a "b">]><tmx/>', b"<html/>"):
        r = client.post("/api/v1/memory.tmx", headers=headers, data=bad)
        assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid_tmx"
    assert (
        client.post("/api/v1/memory.tmx", headers=auth(reviewer), json={"x": 1}).status_code == 415
    )
