"""Inquiries without a worker: validation, desk actions, audit, purge, export, resident pages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select

from server.core.extensions import db
from server.inquiries import service as inquiries
from server.models import AuditLog, Inquiry, InquiryEvent
from server.people import accounts


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def count() -> int:
    return db.session.scalar(select(func.count(Inquiry.id))) or 0


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def test_api_intake_validates_and_returns_a_private_link(client: Any, operator_token: str) -> None:
    r = client.post(
        "/api/v1/inquiries",
        headers=auth(operator_token),
        json={
            "message": "Tôi bị thương ở chân, cần bác sĩ.",
            "lang": "vi",
            "category": "medical",
            "channel": "api",
            "name": "Nguyen",
            "contact": "090-0000-0000",
        },
    )
    assert r.status_code == 201, r.get_data(as_text=True)
    body = r.get_json()
    token = body["status_url"].rsplit("/", 1)[1]
    assert re.fullmatch(r"[A-Za-z0-9_-]{32,}", token)  # 192 random bits, not derived from the id
    assert body["priority"] is True and "bị thương" in body["priority_reason"]
    stored = db.session.get(Inquiry, body["id"])
    assert stored.token_hash != token  # only a hash is kept
    for bad, field in (
        ({"message": ""}, "message"),
        ({"message": "x" * 2001}, "message"),
        ({"message": "x", "lang": "xx"}, "lang"),
        ({"message": "x", "category": "gossip"}, "category"),
        ({"message": "x", "shelter_id": 99}, "shelter_id"),
        ({"message": "x", "channel": "pigeon"}, "channel"),
    ):
        before = count()
        r = client.post("/api/v1/inquiries", headers=auth(operator_token), json=bad)
        assert r.status_code in (400, 404, 413) and r.get_json()["error"]["field"] == field
        assert count() == before


def make(**extra: Any) -> Inquiry:
    fields = inquiries.parse(
        {
            "message": "Cần nước uống",
            "lang": "vi",
            "category": "food_water",
            "consent": True,
            "name": "Lan",
            "contact": "lan@example.org",
            **extra,
        },
        "web",
    )
    return inquiries.create(fields, "web")[0]


def test_desk_updates_are_recorded_in_the_history(client: Any, operator_token: str) -> None:
    item = make()
    helper, _ = accounts.create_user("vi-volunteer", "operator", "volunteer-password")
    r = client.patch(
        f"/api/v1/inquiries/{item.id}",
        headers=auth(operator_token),
        json={"assignee_id": helper.id},
    )
    assert r.get_json()["status"] == "in_progress"
    r = client.patch(
        f"/api/v1/inquiries/{item.id}", headers=auth(operator_token), json={"status": "referred"}
    )
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "referred_to"
    r = client.patch(
        f"/api/v1/inquiries/{item.id}",
        headers=auth(operator_token),
        json={"status": "referred", "referred_to": "入管 仙台", "priority": True},
    )
    assert (r.get_json()["status"], r.get_json()["priority"]) == ("referred", True)
    actions = [
        e.action
        for e in db.session.scalars(select(InquiryEvent).where(InquiryEvent.inquiry_id == item.id))
    ]
    assert actions == ["created", "assigned", "status", "status", "priority"]


def test_every_staff_view_is_audited_and_lists_hide_personal_data(
    client: Any, operator_token: str
) -> None:
    item = make()
    listed = client.get("/api/v1/inquiries", headers=auth(operator_token)).get_json()
    assert listed[0]["id"] == item.id and "message" not in listed[0] and "name" not in listed[0]
    personal = AuditLog.object_type != "user"  # account changes are audited too
    assert db.session.scalar(select(func.count(AuditLog.id)).where(personal)) == 0
    detail = client.get(f"/api/v1/inquiries/{item.id}", headers=auth(operator_token)).get_json()
    assert detail["name"] == "Lan"
    log = db.session.scalar(select(AuditLog).where(personal))
    assert (log.action, log.object_type, log.object_id) == ("view", "inquiry", item.id)


def test_script_in_a_message_is_shown_to_staff_as_text(client: Any) -> None:
    item = make(message='<script>alert("x")</script><img src=x onerror=alert(1)>')
    accounts.create_user("op", "operator", "operator-password")
    client.post("/login", data={"username": "op", "password": "operator-password"})
    page = client.get(f"/inquiries/{item.id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(" in page and "<script>alert" not in page
    assert "<img src=x" not in page


def test_purge_removes_personal_data_and_keeps_counts(app: Any, client: Any) -> None:
    old, recent = make(), make()
    from datetime import timedelta

    from server.models import utcnow

    old.created_at = utcnow() - timedelta(days=100)
    db.session.commit()
    assert inquiries.purge(90) == 1
    db.session.expire_all()
    gone = db.session.get(Inquiry, old.id)
    assert (gone.message, gone.name, gone.contact, gone.place) == (None, None, None, None)
    assert gone.category == "food_water" and gone.lang == "vi" and gone.purged_at
    assert db.session.get(Inquiry, recent.id).message == "Cần nước uống"
    assert inquiries.purge(90) == 0
    from server.core.clock import center_tz
    from server.inquiries.reports import daily

    # The report's day is Japan's: after 15:00 UTC the UTC date is the day before.
    assert daily(gone.created_at.astimezone(center_tz()).date())["total"] >= 1  # still counted


def test_exports_leave_personal_fields_out_unless_an_admin_asks(client: Any) -> None:
    make()
    accounts.create_user("op", "operator", "operator-password")
    client.post("/login", data={"username": "op", "password": "operator-password"})
    plain = client.get("/reports/inquiries.csv").get_data(as_text=True)
    assert "lan@example.org" not in plain and "Cần nước uống" not in plain
    assert client.get("/reports/inquiries.csv?personal=1").status_code == 403
    client.post("/logout")
    accounts.create_user("boss", "admin", "admin-password")
    client.post("/login", data={"username": "boss", "password": "admin-password"})
    full = client.get("/reports/inquiries.csv?personal=1").get_data(as_text=True)
    assert "lan@example.org" in full
    exported = select(AuditLog.action).where(AuditLog.object_type != "user")
    assert db.session.scalar(exported) == "export_personal"
    page = client.get("/reports").get_data(as_text=True)
    assert "<svg" in page and "食料・水" in page and "food_water" not in page  # labels, not keys


def test_reviewer_only_page_is_refused_to_an_operator(client: Any) -> None:
    accounts.create_user("op", "operator", "operator-password")
    client.post("/login", data={"username": "op", "password": "operator-password"})
    assert client.get("/review").status_code == 403


def test_resident_form_language_csrf_honeypot_and_unguessable_links(app: Any) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    page = client.get("/help", headers={"Accept-Language": "vi-VN,vi;q=0.9,en;q=0.5"})
    assert page.status_code == 200 and 'lang="vi"' in page.get_data(as_text=True)
    token = csrf(page.get_data(as_text=True))
    form = {
        "csrf_token": token,
        "message": "Cần nước uống",
        "category": "food_water",
        "consent": "on",
        "lang": "vi",
    }
    assert client.post("/help", data={**form, "csrf_token": ""}).status_code == 400
    assert client.post("/help", data={**form, "website": "http://spam"}).status_code == 400
    assert client.post("/help", data={**form, "consent": ""}).status_code == 400
    assert count() == 0
    done = client.post("/help", data=form)
    assert done.status_code == 302
    link = done.headers["Location"]
    status = client.get(link)
    assert status.status_code == 200 and "Cần nước uống" in status.get_data(as_text=True)
    assert client.get(link[:-1] + ("A" if link[-1] != "A" else "B")).status_code == 404
    assert client.get("/help/s/1").status_code == 404
    item = db.session.scalar(select(Inquiry))
    assert (item.lang, item.channel, item.consent) == ("vi", "web", True)


def test_resident_rate_limit_answers_429_in_the_residents_language(app: Any) -> None:
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    form = {"message": "Cần nước", "category": "food_water", "consent": "on", "lang": "vi"}
    codes = [client.post("/help?lang=vi", data=form).status_code for _ in range(7)]
    assert codes[:5] == [302] * 5 and codes[-1] == 429
    assert count() == 5


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Tôi cần nước uống và thuốc.", "vi"),
        ("我需要飲用水和藥。", "zh-Hant"),
        ("मलाई पानी चाहिन्छ", "ne"),
    ],
)
def test_language_is_detected_offline(text: str, lang: str) -> None:
    from translations.detect import detect

    code, confidence = detect(text)
    assert code == lang and confidence >= 0.5
