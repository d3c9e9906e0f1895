""" "What to do now" on the console home: open work of every kind, each linking to its page."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from server.core.extensions import db
from server.inquiries import service as inquiries
from server.models import Inquiry, InquiryReply, Translation, User
from server.words import Method, TranslationStatus


def test_the_dashboard_lists_open_work_with_links(
    client: Any, token_for: Any, sign_in: Any
) -> None:
    director = token_for("chief", "director")
    op = token_for("op", "operator")
    client.post(
        "/api/v1/center/phase", headers=director, json={"phase": "activated", "reason": "震度6強"}
    )
    client.post(
        "/api/v1/checklists/items/activated.decide", headers=director, json={"state": "done"}
    )
    r = client.post(
        "/api/v1/inquiries",
        headers=director,
        json={"message": "Tôi cần nước uống.", "lang": "vi", "category": "food_water"},
    )
    assert r.status_code == 201, r.get_json()
    r = client.post(
        "/api/v1/announcements",
        headers=op,
        json={"text": "本日15時に給水車が来ます。", "category": "food_water"},
    )
    ann = r.get_json()["id"]
    # What a worker leaves after machine-translating into Nepali: done, not yet reviewed.
    db.session.add(
        Translation(
            announcement_id=ann,
            revision=1,
            lang="ne",
            status=TranslationStatus.DONE,
            method=Method.MACHINE,
            reviewed=False,
            text="आज १५ बजे पानीको गाडी आउँछ।",
        )
    )
    db.session.commit()

    todo = client.get("/api/v1/now", headers=director).get_json()
    kinds = [t["kind"] for t in todo]
    checklist = [t["item"] for t in todo if t["kind"] == "checklist"]
    assert "activated.decide" not in checklist and "activated.log" in checklist
    assert all(i.startswith("activated.") for i in checklist)
    assert {"kind": "review", "lang": "ne", "count": 1} in todo
    unanswered = [t for t in todo if t["kind"] == "unanswered"]
    assert [(t["lang"], t["count"]) for t in unanswered] == [("vi", 1)]
    pending = [t for t in todo if t["kind"] == "pending"]
    assert pending[0]["announcement_id"] == ann
    assert "ne" not in pending[0]["langs"] and "en" in pending[0]["langs"]
    assert kinds.index("checklist") < kinds.index("unanswered") < kinds.index("review")

    sign_in("desk", "operator")
    page = client.get("/").get_data(as_text=True)
    assert "今やること" in page
    assert "/center?phase=activated#item-activated.log" in page
    assert "/inquiries?lang=vi" in page and "/review?lang=ne" in page
    assert f"/announcements/{ann}" in page
    # A reply still being translated leaves it on the list; the Vietnamese text takes it off.
    inquiry = db.session.scalar(select(Inquiry))
    r = client.post(
        f"/api/v1/inquiries/{inquiry.id}/replies", headers=op, json={"text": "体育館へ"}
    )
    assert r.status_code == 201
    assert any(t["kind"] == "unanswered" for t in client.get("/api/v1/now", headers=director).json)
    reply = db.session.scalar(select(InquiryReply))
    inquiries.correct_reply(reply, "Hãy đến nhà thể dục.", db.session.get(User, reply.author_id))
    assert not any(
        t["kind"] == "unanswered" for t in client.get("/api/v1/now", headers=director).json
    )
