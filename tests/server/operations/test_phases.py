"""The center's phase: directors move it with a reason, one step at a time unless forced."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from server.core.extensions import db
from server.operations.models import ActivityEntry, PhaseChange

# The fixtures create accounts, and account changes are logged too.
NOT_ACCOUNTS = ActivityEntry.kind.not_like("account.%")


def _phase(client: Any, headers: dict[str, str]) -> str:
    return str(client.get("/api/v1/center", headers=headers).get_json()["phase"])


def test_the_center_starts_on_standby_and_a_director_moves_it(client: Any, token_for: Any) -> None:
    director = token_for("chief", "director")
    assert _phase(client, director) == "standby"
    r = client.post(
        "/api/v1/center/phase",
        headers=director,
        json={"phase": "activated", "reason": "震度6弱を観測"},
    )
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["phase"] == "activated" and body["next"] == ["operating", "closing"]
    assert body["history"][0]["reason"] == "震度6弱を観測"
    entry = db.session.scalar(select(ActivityEntry).where(NOT_ACCOUNTS))
    assert entry is not None and entry.kind == "phase.changed"
    assert "standby → activated" in entry.summary and "震度6弱" in entry.summary


def test_an_admin_may_change_the_phase_too(client: Any, token_for: Any) -> None:
    admin = token_for("root", "admin")
    r = client.post(
        "/api/v1/center/phase", headers=admin, json={"phase": "activated", "reason": "drill"}
    )
    assert r.status_code == 200


def test_a_non_director_is_refused_and_nothing_changes(client: Any, token_for: Any) -> None:
    operator = token_for("op", "operator")
    r = client.post(
        "/api/v1/center/phase", headers=operator, json={"phase": "activated", "reason": "x"}
    )
    assert r.status_code == 403
    assert r.get_json()["error"]["code"] == "forbidden"
    assert "director" in r.get_json()["error"]["message"]
    assert _phase(client, operator) == "standby"
    assert db.session.scalar(select(func.count(PhaseChange.id))) == 0
    assert db.session.scalar(select(func.count(ActivityEntry.id)).where(NOT_ACCOUNTS)) == 0


def test_a_reason_is_required(client: Any, token_for: Any) -> None:
    director = token_for("chief", "director")
    r = client.post("/api/v1/center/phase", headers=director, json={"phase": "activated"})
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "reason"
    assert _phase(client, director) == "standby"


def test_skipping_a_phase_is_refused_unless_forced(client: Any, token_for: Any) -> None:
    director = token_for("chief", "director")
    r = client.post(
        "/api/v1/center/phase", headers=director, json={"phase": "operating", "reason": "go"}
    )
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "skips_phase"
    assert _phase(client, director) == "standby"
    r = client.post(
        "/api/v1/center/phase",
        headers=director,
        json={"phase": "operating", "reason": "set up overnight already", "force": True},
    )
    assert r.status_code == 200
    assert r.get_json()["history"][-1]["forced"] is True


def test_unknown_and_same_phase_are_clear_errors(client: Any, token_for: Any) -> None:
    director = token_for("chief", "director")
    r = client.post(
        "/api/v1/center/phase", headers=director, json={"phase": "party", "reason": "x"}
    )
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "phase"
    r = client.post(
        "/api/v1/center/phase", headers=director, json={"phase": "standby", "reason": "x"}
    )
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "same_phase"


def test_the_console_header_shows_the_phase_on_every_page(client: Any, sign_in: Any) -> None:
    sign_in("chief", "director")
    for path in ("/", "/inquiries", "/shelters", "/center"):
        page = client.get(path).get_data(as_text=True)
        assert "平常時（待機）" in page, path
    r = client.post("/center/phase", data={"phase": "activated", "reason": "大津波警報"})
    assert r.status_code == 302
    page = client.get("/inquiries").get_data(as_text=True)
    assert 'class="phase phase-activated"' in page and "設置" in page
    page = client.get("/?lang=en").get_data(as_text=True)
    assert "Activated (setting up)" in page


def test_the_console_refuses_an_operator_readably(client: Any, sign_in: Any) -> None:
    sign_in("op", "operator")
    r = client.post("/center/phase", data={"phase": "activated", "reason": "x"})
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "センター長" in page  # the Japanese message, not the API's English one
    assert 'class="phase phase-standby"' in page
