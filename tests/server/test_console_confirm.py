"""Retracting an announcement and replacing a board link ask first, without JavaScript."""

from __future__ import annotations

from typing import Any

from server.core.extensions import db
from server.models import Announcement, Board
from server.people import accounts


def test_retract_asks_before_it_acts(client: Any, operator_token: str) -> None:
    r = client.post(
        "/api/v1/announcements",
        json={"text": "体育館は22時に消灯します。", "category": "shelter"},
        headers={"Authorization": f"Bearer {operator_token}"},
    )
    announcement_id = r.get_json()["id"]
    accounts.create_user("op", "operator", "operator-password")
    client.post("/login", data={"username": "op", "password": "operator-password"})
    page = client.get(f"/announcements/{announcement_id}").get_data(as_text=True)
    assert f'method="get" action="/announcements/{announcement_id}/retract"' in page
    for asked in (
        client.get(f"/announcements/{announcement_id}/retract"),
        client.post(f"/announcements/{announcement_id}/retract"),  # no confirmation
        client.post(f"/announcements/{announcement_id}/retract", data={"confirm": "no"}),
    ):
        text = asked.get_data(as_text=True)
        assert asked.status_code == 200
        assert "すべてのボードから取り消しますか" in text and "体育館は22時に消灯します。" in text
        db.session.expire_all()
        assert db.session.get(Announcement, announcement_id).status == "active"
    done = client.post(f"/announcements/{announcement_id}/retract", data={"confirm": "yes"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Announcement, announcement_id).status == "retracted"


def test_board_link_replacement_asks_first(client: Any) -> None:
    accounts.create_user("boss", "admin", "admin-password")
    shelter = accounts.create_shelter("市民センター")
    board = accounts.create_board(shelter.id, "ロビー")
    client.post("/login", data={"username": "boss", "password": "admin-password"})
    asked = client.get(f"/boards/{board.id}/new-link?lang=en")
    text = asked.get_data(as_text=True)
    assert "Replace the link of this board?" in text and "ロビー" in text and "市民センター" in text
    db.session.expire_all()
    assert db.session.get(Board, board.id).token_version == 1
    client.post(f"/boards/{board.id}/new-link", data={"confirm": "yes"})
    db.session.expire_all()
    assert db.session.get(Board, board.id).token_version == 2
