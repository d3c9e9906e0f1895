"""Rating injects: who may, what is refused (nothing stored), the log line, the scoped account."""

from __future__ import annotations

from typing import Any

import pytest

from server.core.extensions import db
from server.drills.models import DrillEvaluation
from server.models import User
from server.operations.models import ActivityEntry
from server.people import accounts
from tests.server.drills.eval_data import answered_drill, empty_drill, sign_in, user


def _headers(username: str, role: str) -> dict[str, str]:
    user(username, role)
    return {"Authorization": f"Bearer {accounts.create_token(username)}"}


def _count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(DrillEvaluation)) or 0


def test_an_evaluator_rates_over_the_api_and_the_log_says_so(client: Any) -> None:
    drill = answered_drill()
    headers = _headers("eva", "evaluator")
    url = f"/api/v1/drills/{drill.id}/injects/n1/evaluations"
    r = client.post(
        url, headers=headers, json={"rating": "partly", "note": "英語は早い、ベトナム語が遅い"}
    )
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["rating"] == "partly" and r.get_json()["inject"] == "n1"
    r = client.post(url, headers=headers, json={"rating": "met"})
    assert r.status_code == 201
    entries = db.session.scalars(
        db.select(ActivityEntry).where(ActivityEntry.kind == "drill.evaluated")
    ).all()
    assert [e.drill_id for e in entries] == [drill.id, drill.id]
    assert "inject n1 rated partly" in entries[0].summary
    report = client.get(f"/api/v1/drills/{drill.id}/report", headers=headers).get_json()
    n1 = next(row for row in report["injects"] if row["inject"] == "n1")
    assert [x["rating"] for x in n1["ratings"]] == ["met"]  # the newest per evaluator counts
    assert [x["rating"] for x in n1["history"]] == ["met", "partly"]  # nothing is overwritten


@pytest.mark.parametrize(
    ("body", "key", "status", "code"),
    [
        ({"rating": "excellent"}, "n1", 400, "invalid"),
        ({"rating": None}, "n1", 400, "invalid"),
        ({"rating": "met", "note": "x" * 2001}, "n1", 413, "too_long"),
        ({"rating": "met", "note": 7}, "n1", 400, "invalid"),
        ({"rating": "met"}, "zz", 404, "unknown_inject"),
        ({"rating": "met"}, "x1", 409, "not_released"),
    ],
)
def test_bad_ratings_are_refused_and_nothing_is_stored(
    client: Any, body: dict[str, Any], key: str, status: int, code: str
) -> None:
    drill = answered_drill()
    headers = _headers("chief", "director")
    r = client.post(
        f"/api/v1/drills/{drill.id}/injects/{key}/evaluations", headers=headers, json=body
    )
    assert (r.status_code, r.get_json()["error"]["code"]) == (status, code)
    assert _count() == 0
    assert (
        db.session.scalar(db.select(db.func.count()).where(ActivityEntry.kind == "drill.evaluated"))
        == 0
    )


def test_an_inject_of_another_drill_and_a_drill_never_started_are_refused(client: Any) -> None:
    other = empty_drill("別の訓練")
    other.injects[0].inject_key = "only_in_other"
    db.session.commit()
    drill = answered_drill()
    never = empty_drill("始まらなかった訓練", released=False)
    headers = _headers("admin1", "admin")
    r = client.post(
        f"/api/v1/drills/{drill.id}/injects/only_in_other/evaluations",
        headers=headers,
        json={"rating": "met"},
    )
    assert r.status_code == 404 and r.get_json()["error"]["field"] == "inject"
    r = client.post(
        f"/api/v1/drills/{never.id}/injects/n1/evaluations", headers=headers, json={"rating": "met"}
    )
    assert (r.status_code, r.get_json()["error"]["code"]) == (409, "drill_not_started")
    r = client.post(
        "/api/v1/drills/999/injects/n1/evaluations", headers=headers, json={"rating": "met"}
    )
    assert r.status_code == 404
    assert _count() == 0


def test_an_operator_may_read_the_report_but_not_rate(client: Any) -> None:
    drill = answered_drill()
    headers = _headers("op", "operator")
    assert client.get(f"/api/v1/drills/{drill.id}/report", headers=headers).status_code == 200
    r = client.post(
        f"/api/v1/drills/{drill.id}/injects/n1/evaluations", headers=headers, json={"rating": "met"}
    )
    assert r.status_code == 403 and _count() == 0


def test_the_evaluate_page_rates_in_the_console(client: Any) -> None:
    drill = answered_drill()
    sign_in(client, "eva", "evaluator")
    # English labels: the Japanese catalog is compiled when the branch is merged.
    page = client.get(f"/drills/{drill.id}/evaluate?lang=en").get_data(as_text=True)
    assert 'id="inject-n1"' in page and 'id="inject-x1"' not in page  # released only
    assert "n1 の期待される対応を行う" in page and "Do what n1 expects" in page
    assert "situation.earthquake_occurred" in page and "over target" in page
    r = client.post(
        f"/drills/{drill.id}/evaluate",
        data={"inject": "q1", "rating": "not_met", "note": "<b>遅い</b>"},
    )
    assert r.status_code == 302
    page = client.get(f"/drills/{drill.id}/evaluate").get_data(as_text=True)
    assert "&lt;b&gt;遅い&lt;/b&gt;" in page and "<b>遅い" not in page  # notes are text
    r = client.post(f"/drills/{drill.id}/evaluate", data={"inject": "q1", "rating": "great"})
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Choose met, partly met or not met." in page
    assert [e.rating for e in db.session.scalars(db.select(DrillEvaluation))] == ["not_met"]


def test_an_evaluator_sees_drill_pages_only(client: Any) -> None:
    drill = answered_drill()
    inquiry_id = drill.injects[3].created["inquiry"]
    sign_in(client, "eva", "evaluator")
    for url in (f"/drills/{drill.id}/evaluate", f"/drills/{drill.id}/report"):
        assert client.get(url).status_code == 200, url
    assert client.get(f"/drills/{drill.id}/report.csv").status_code == 200
    for url in (
        f"/inquiries/{inquiry_id}",
        "/inquiries",
        "/compose",
        "/center",
        "/users",
        "/reports/situation",
    ):
        assert client.get(url).status_code in (403, 404), url
    headers = _headers("eva2", "evaluator")
    assert client.get(f"/api/v1/inquiries/{inquiry_id}", headers=headers).status_code == 403
    assert client.get(f"/api/v1/drills/{drill.id}/report", headers=headers).status_code == 200


def test_operators_cannot_open_the_evaluate_page(client: Any) -> None:
    drill = answered_drill()
    sign_in(client, "op", "operator")
    assert client.get(f"/drills/{drill.id}/evaluate").status_code == 403
    assert client.get(f"/drills/{drill.id}/report").status_code == 200
    r = client.post(f"/drills/{drill.id}/evaluate", data={"inject": "n1", "rating": "met"})
    assert r.status_code == 403 and _count() == 0


def test_an_admin_creates_an_evaluator_account(client: Any) -> None:
    sign_in(client, "root", "admin")
    page = client.get("/users?lang=en").get_data(as_text=True)
    assert '<option value="evaluator"' in page and "drill evaluator" in page
    r = client.post(
        "/users",
        data={"username": "eva", "role": "evaluator", "password": "a-long-password-2"},
    )
    assert r.status_code in (200, 302)
    created = db.session.scalar(db.select(User).where(User.username == "eva"))
    assert created is not None and created.role == "evaluator"
