"""The announcements API: creation, listing, revisions, retraction and every kind of bad input."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from server.core.extensions import db
from server.models import Announcement, AnnouncementRevision, BoardEvent, Outbox, Shelter


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def counts() -> tuple[int, int, int, int]:
    return tuple(  # type: ignore[return-value]
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Announcement, AnnouncementRevision, Outbox, BoardEvent)
    )


def assert_error(response: Any, status: int, code: str, field: str | None = None) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "field"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert body["error"]["field"] == field


def test_create_stores_revision_outbox_and_published_event(
    client: Any, operator_token: str
) -> None:
    r = client.post(
        "/api/v1/announcements",
        headers=auth(operator_token),
        json={
            "text": "本日15時に給水車が来ます。",
            "easy_text": "きょう 15時に 水の 車が 来ます。",
            "category": "food_water",
            "severity": "severe",
            "drill": True,
        },
    )
    assert r.status_code == 201, r.get_data(as_text=True)
    body = r.get_json()
    assert body["text"] == "本日15時に給水車が来ます。"
    assert body["severity"] == "Severe"  # CAP spelling, whatever the case sent
    assert body["drill"] is True
    assert body["shelter_ids"] is None
    assert {t["lang"] for t in body["translations"]} == {
        "ja-x-easy",
        "en",
        "zh-Hans",
        "zh-Hant",
        "ko",
        "pt-BR",
        "es",
        "vi",
        "tl",
        "ne",
        "id",
        "th",
        "my",
    }
    assert all(t["status"] == "queued" for t in body["translations"])
    event = db.session.scalar(select(BoardEvent))
    assert event.type == "announcement.published"
    assert event.payload["text"] == "本日15時に給水車が来ます。"
    assert event.payload["lang"] == "ja"
    outbox = db.session.scalar(select(Outbox))
    assert (outbox.task, outbox.args, outbox.processed_at) == (
        "workers.tasks.translate_announcement",
        [body["id"], 1],
        None,
    )
    assert outbox.ref == f"announcement:{body['id']}:1"


def test_any_registry_language_can_be_the_source(client: Any, operator_token: str) -> None:
    r = client.post(
        "/api/v1/announcements",
        headers=auth(operator_token),
        json={"text": "Water truck at 15:00.", "source_lang": "EN"},
    )
    assert r.status_code == 201
    assert r.get_json()["source_lang"] == "en"
    assert "en" not in {t["lang"] for t in r.get_json()["translations"]}


def test_update_makes_a_new_revision_and_retract_withdraws(
    client: Any, operator_token: str
) -> None:
    created = client.post(
        "/api/v1/announcements", headers=auth(operator_token), json={"text": "給水は15時です。"}
    ).get_json()
    r = client.patch(
        f"/api/v1/announcements/{created['id']}",
        headers=auth(operator_token),
        json={"text": "給水は16時に変更になりました。"},
    )
    assert r.status_code == 200
    assert (r.get_json()["revision"], r.get_json()["text"]) == (2, "給水は16時に変更になりました。")
    r = client.post(f"/api/v1/announcements/{created['id']}/retract", headers=auth(operator_token))
    assert r.get_json()["status"] == "retracted"
    types = [e.type for e in db.session.scalars(select(BoardEvent).order_by(BoardEvent.seq))]
    assert types == ["announcement.published", "announcement.updated", "announcement.retracted"]
    assert_error(
        client.post(f"/api/v1/announcements/{created['id']}/retract", headers=auth(operator_token)),
        409,
        "retracted",
    )
    assert_error(
        client.patch(
            f"/api/v1/announcements/{created['id']}",
            headers=auth(operator_token),
            json={"text": "x"},
        ),
        409,
        "retracted",
    )


def test_sequence_numbers_increase_without_gaps(client: Any, operator_token: str) -> None:
    for i in range(5):
        client.post(
            "/api/v1/announcements", headers=auth(operator_token), json={"text": f"第{i}報"}
        )
    seqs = list(db.session.scalars(select(BoardEvent.seq).order_by(BoardEvent.seq)))
    assert seqs == [1, 2, 3, 4, 5]


def test_targeted_announcement_needs_known_shelters(client: Any, operator_token: str) -> None:
    shelter = Shelter(name_ja="第一小学校")
    db.session.add(shelter)
    db.session.commit()
    r = client.post(
        "/api/v1/announcements",
        headers=auth(operator_token),
        json={"text": "体育館は満員です。", "shelter_ids": [shelter.id]},
    )
    assert r.status_code == 201
    assert r.get_json()["shelter_ids"] == [shelter.id]


BAD_BODIES = [
    ({}, 400, "required", "text"),
    ({"text": "   "}, 400, "required", "text"),
    ({"text": "a" * 100_000}, 413, "too_long", "text"),  # 100 kB
    ({"text": 12}, 400, "invalid", "text"),
    ({"text": "ok", "source_lang": "xx-unknown"}, 400, "invalid", "source_lang"),
    ({"text": "ok", "source_lang": "ja-x-easy"}, 400, "invalid", "source_lang"),
    ({"text": "ok", "shelter_ids": [999]}, 404, "unknown_shelter", "shelter_ids"),
    ({"text": "ok", "shelter_ids": []}, 400, "invalid", "shelter_ids"),
    ({"text": "ok", "shelter_ids": ["1"]}, 400, "invalid", "shelter_ids"),
    ({"text": "ok", "severity": "Apocalyptic"}, 400, "invalid", "severity"),
    ({"text": "ok", "urgency": "now"}, 400, "invalid", "urgency"),
    ({"text": "ok", "certainty": 3}, 400, "invalid", "certainty"),
    ({"text": "ok", "category": "gossip"}, 400, "invalid", "category"),
    ({"text": "ok", "drill": "yes"}, 400, "invalid", "drill"),
    ({"text": "ok", "expires_at": "tomorrow"}, 400, "invalid", "expires_at"),
    ({"text": "ok", "expires_at": "2001-01-01T00:00:00+09:00"}, 400, "invalid", "expires_at"),
    ({"text": "ok", "easy_text": "あ" * 6000}, 413, "too_long", "easy_text"),
    ({"template_id": "no.such_template"}, 400, "invalid", "template_id"),
]


@pytest.mark.parametrize(("body", "status", "code", "field"), BAD_BODIES)
def test_bad_input_is_refused_and_changes_nothing(
    client: Any, operator_token: str, body: Any, status: int, code: str, field: str
) -> None:
    before = counts()
    assert_error(
        client.post("/api/v1/announcements", headers=auth(operator_token), json=body),
        status,
        code,
        field,
    )
    assert counts() == before


def test_malformed_json_and_wrong_content_type(client: Any, operator_token: str) -> None:
    before = counts()
    assert_error(
        client.post(
            "/api/v1/announcements",
            headers=auth(operator_token),
            data="{not json",
            content_type="application/json",
        ),
        400,
        "malformed_json",
    )
    assert_error(
        client.post("/api/v1/announcements", headers=auth(operator_token), json=["a", "list"]),
        400,
        "malformed_json",
    )
    assert_error(
        client.post(
            "/api/v1/announcements",
            headers=auth(operator_token),
            data="text=hello",
            content_type="application/x-www-form-urlencoded",
        ),
        415,
        "unsupported_media_type",
    )
    assert counts() == before


def test_oversized_body_is_refused(client: Any, operator_token: str) -> None:
    before = counts()
    r = client.post(
        "/api/v1/announcements",
        headers=auth(operator_token),
        data=b'{"text": "' + b"a" * 300_000 + b'"}',
        content_type="application/json",
    )
    assert_error(r, 413, "request_entity_too_large")
    assert counts() == before


def test_tokens_and_roles(client: Any, operator_token: str) -> None:
    from server.people import accounts

    assert_error(client.post("/api/v1/announcements", json={"text": "x"}), 401, "unauthorized")
    assert_error(
        client.post("/api/v1/announcements", headers=auth("tg_wrong"), json={"text": "x"}),
        401,
        "unauthorized",
    )
    accounts.create_user("reviewer1", "reviewer", "reviewer-password")
    reviewer = accounts.create_token("reviewer1")
    assert_error(
        client.post("/api/v1/announcements", headers=auth(reviewer), json={"text": "x"}),
        403,
        "forbidden",
    )
    assert client.get("/api/v1/announcements", headers=auth(reviewer)).status_code == 200


def test_unknown_announcement_and_route(client: Any, operator_token: str) -> None:
    assert_error(
        client.get("/api/v1/announcements/999", headers=auth(operator_token)), 404, "not_found"
    )
    assert_error(client.get("/api/v1/nothing-here", headers=auth(operator_token)), 404, "not_found")


def test_list_filters_and_validates(client: Any, operator_token: str) -> None:
    for text in ("一報", "二報"):
        client.post("/api/v1/announcements", headers=auth(operator_token), json={"text": text})
    body = client.get("/api/v1/announcements?limit=1", headers=auth(operator_token)).get_json()
    assert [a["text"] for a in body["announcements"]] == ["二報"]
    assert_error(
        client.get("/api/v1/announcements?status=lost", headers=auth(operator_token)),
        400,
        "invalid",
        "status",
    )


def test_token_use_is_recorded_to_the_nearest_few_minutes(client: Any, operator_token: str) -> None:
    from datetime import timedelta

    from server.core.auth import LAST_USED_PRECISION
    from server.models import ApiToken, utcnow

    def last_used() -> Any:
        db.session.expire_all()
        return db.session.scalars(select(ApiToken)).one().last_used_at

    assert last_used() is None
    assert client.get("/api/v1/announcements", headers=auth(operator_token)).status_code == 200
    first = last_used()
    assert first is not None
    client.get("/api/v1/announcements", headers=auth(operator_token))
    assert last_used() == first  # no commit (and no disk sync) on every request
    row = db.session.scalars(select(ApiToken)).one()
    row.last_used_at = utcnow() - LAST_USED_PRECISION - timedelta(seconds=1)
    db.session.commit()
    client.get("/api/v1/announcements", headers=auth(operator_token))
    assert last_used() > first
