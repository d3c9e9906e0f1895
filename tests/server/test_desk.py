"""The desk: answered once the resident has the reply in their language; what needs a person."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from server.core.extensions import db
from server.inquiries import desk, translate
from server.inquiries import service as inquiries
from server.models import AuditLog, Inquiry, InquiryEvent, User
from server.people import accounts
from translations import phrasebook


def ask(message: str, lang: str = "vi", **extra: Any) -> Inquiry:
    fields = inquiries.parse(
        {"message": message, "lang": lang, "category": "food_water", "consent": True, **extra},
        "web",
    )
    return inquiries.create(fields, "web")[0]


def desk_user() -> User:
    user, _pw = accounts.create_user("op", "operator", "operator-password")
    return user


def statuses(inquiry: Inquiry) -> list[str | None]:
    rows = db.session.scalars(
        select(InquiryEvent).where(
            InquiryEvent.inquiry_id == inquiry.id, InquiryEvent.action == "status"
        )
    )
    return [r.detail for r in rows]


def test_no_engine_reply_waits_and_is_listed_until_a_person_translates(app: Any) -> None:
    user = desk_user()
    inquiry = ask("Tôi cần nước uống")
    translate.process(inquiry.id)  # no model installed: the Japanese cannot be made
    assert [i.id for i in desk.untranslated_messages()] == [inquiry.id]
    reply = inquiries.reply(inquiry, {"text": "給水車は15時に来ます。"}, user)
    assert db.session.get(Inquiry, inquiry.id).status == "waiting"
    translate.translate_reply(reply.id)
    db.session.expire_all()
    assert db.session.get(Inquiry, inquiry.id).status == "waiting"
    assert [(r.id, i.id) for r, i in desk.untranslated_replies()] == [(reply.id, inquiry.id)]
    # An interpreter writes the Vietnamese: now the resident has it.
    inquiries.correct_reply(reply, "Xe nước đến lúc 15 giờ.", user)
    db.session.expire_all()
    assert db.session.get(Inquiry, inquiry.id).status == "answered"
    assert desk.untranslated_replies() == []
    assert statuses(inquiry) == ["open → waiting", "waiting → answered"]


def test_a_phrasebook_reply_is_answered_when_the_worker_stores_it(app: Any) -> None:
    user = desk_user()
    inquiry = ask("Tôi cần nước uống")
    template = next(
        t for t in phrasebook.load().values() if t.category == "food_water" and not t.slots
    )
    reply = inquiries.reply(inquiry, {"template_id": template.id}, user)
    assert db.session.get(Inquiry, inquiry.id).status == "waiting"
    translate.translate_reply(reply.id)
    db.session.expire_all()
    assert db.session.get(Inquiry, inquiry.id).status == "answered"
    # A second reply sends it back to waiting until that one is translated too.
    second = inquiries.reply(db.session.get(Inquiry, inquiry.id), {"text": "水です。"}, user)
    assert db.session.get(Inquiry, inquiry.id).status == "waiting"
    translate.translate_reply(second.id)  # no engine for ja→vi: stays waiting
    db.session.expire_all()
    assert db.session.get(Inquiry, inquiry.id).status == "waiting"


def test_desk_list_shows_snippet_shelter_language_and_the_alert(client: Any) -> None:
    shelter = accounts.create_shelter("第一小学校")
    user = desk_user()
    waiting = ask("Tôi cần nước uống cho con tôi", shelter_id=shelter.id)
    translate.process(waiting.id)
    inquiries.reply(db.session.get(Inquiry, waiting.id), {"text": "お待ちください。"}, user)
    reply_id = db.session.get(Inquiry, waiting.id).replies[0].id
    translate.translate_reply(reply_id)
    japanese = ask("水がほしいです", lang="ja")
    translate.process(japanese.id)
    client.post("/login", data={"username": "op", "password": "operator-password"})
    before = db.session.scalar(
        select(AuditLog).where(AuditLog.object_type == "inquiry_list").limit(1)
    )
    assert before is None
    page = client.get("/inquiries").get_data(as_text=True)
    assert 'id="desk-alert"' in page and "通訳が必要です" in page
    alert = page.split('id="desk-alert"')[1].split("</section>")[0]
    assert f"#{waiting.id}" in alert and "住民への回答" in alert and "相談内容" in alert
    assert f"#{japanese.id}" not in alert
    assert "Tôi cần nước uống cho con tôi" in page  # snippet (no Japanese yet)
    assert "水がほしいです" in page and "第一小学校" in page and "Tiếng Việt" in page
    assert 'class="badge waiting">翻訳待ち' in page and "waiting" in page
    log = db.session.scalar(select(AuditLog).where(AuditLog.object_type == "inquiry_list"))
    assert log is not None and log.user_id == user.id and log.action == "view_list"
