"""Trigger suggestions: a trigger template published in standby asks directors to consider
activating the center; nothing changes without a person."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from manuals import loader
from server.core.extensions import db
from server.operations import phases
from server.operations.models import ActivityEntry
from translations import phrasebook

SUGGESTION = "センターの設置を検討してください"


def _publish(client: Any, headers: dict[str, str], template: str, **extra: Any) -> int:
    r = client.post(
        "/api/v1/announcements",
        headers=headers,
        json={"template_id": template, "slots": {"place": "沿岸部"}, **extra},
    )
    assert r.status_code == 201, r.get_json()
    return int(r.get_json()["id"])


def test_the_trigger_templates_name_the_manuals_entry_criteria() -> None:
    tags = phrasebook.triggers()
    assert {
        "tsunami.major_warning",
        "tsunami.warning",
        "evacuation.order_level4",
        "evacuation.emergency_level5",
        "situation.earthquake_occurred",
    } <= set(tags)
    criteria = {c["id"] for p in loader.load_phases() for c in p["entry_criteria"]}
    assert set(tags.values()) <= criteria
    assert "tsunami.advisory" not in tags  # an advisory is not a reason to open the center


def test_the_loader_refuses_a_malformed_trigger(tmp_path: Path) -> None:
    text = {lang: "x" for lang in phrasebook.LANGUAGES}
    lines = ["category: other", "templates:", "  - id: other.x", "    trigger: [1]", "    text:"]
    lines += [f'      {lang}: "{t}"' for lang, t in text.items()]
    (tmp_path / "other.yaml").write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(phrasebook.PhrasebookError, match="trigger"):
        phrasebook.load(tmp_path)


def test_directors_see_the_suggestion_and_nothing_changes_by_itself(
    client: Any, token_for: Any, sign_in: Any
) -> None:
    director = token_for("chief", "director")
    op = token_for("op", "operator")
    _publish(client, op, "tsunami.advisory")  # not a trigger
    _publish(client, op, "tsunami.major_warning", drill=True)  # a drill never triggers
    assert not [
        t for t in client.get("/api/v1/now", headers=director).get_json() if t["kind"] == "trigger"
    ]
    aid = _publish(client, op, "tsunami.major_warning")
    todo = client.get("/api/v1/now", headers=director).get_json()
    assert todo[0]["kind"] == "trigger" and todo[0]["announcement_id"] == aid
    assert todo[0]["criterion"] == "activated.major_tsunami_warning"
    assert "大津波警報" in todo[0]["criterion_text"]["ja"]
    assert not [
        t for t in client.get("/api/v1/now", headers=op).get_json() if t["kind"] == "trigger"
    ]
    assert phases.current() == "standby"  # a suggestion only
    sign_in("desk", "operator")
    assert SUGGESTION not in client.get("/").get_data(as_text=True)
    client.post("/logout")
    sign_in("boss", "director")
    page = client.get("/").get_data(as_text=True)
    assert SUGGESTION in page and 'href="/center"' in page
    # Changing the phase answers the suggestion.
    r = client.post(
        "/api/v1/center/phase",
        headers=director,
        json={"phase": "activated", "reason": "大津波警報"},
    )
    assert r.status_code == 200
    assert SUGGESTION not in client.get("/").get_data(as_text=True)


def test_a_director_dismisses_it_and_the_log_keeps_it(
    client: Any, token_for: Any, sign_in: Any
) -> None:
    director = token_for("chief", "director")
    op = token_for("op", "operator")
    aid = _publish(client, op, "evacuation.order_level4")
    url = f"/api/v1/center/triggers/{aid}/dismiss"
    r = client.post(url, headers=op, json={})
    assert r.status_code == 403
    r = client.post(url, headers=director, json={"reason": "対象は市外の一部地区のみ"})
    assert r.status_code == 200 and r.get_json() == []
    entry = db.session.scalar(
        select(ActivityEntry).where(ActivityEntry.kind == "trigger.dismissed")
    )
    assert entry is not None and entry.ref == f"announcement:{aid}"
    assert "対象は市外" in entry.summary
    r = client.post(url, headers=director, json={})
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "no_suggestion"
    # The console form does the same for the next one.
    other = _publish(client, op, "situation.earthquake_occurred", slots={"time": "14:46"})
    sign_in("boss", "director")
    assert SUGGESTION in client.get("/").get_data(as_text=True)
    r = client.post(f"/center/triggers/{other}/dismiss", data={"reason": ""})
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert SUGGESTION not in page
