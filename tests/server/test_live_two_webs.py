"""Two web processes and a worker behind one Redis: a board anywhere gets every event."""

from __future__ import annotations

from typing import Any

import pytest

from server.core import embedded
from server.core.security import board_token
from server.people import accounts

pytestmark = pytest.mark.slow


def test_board_on_one_process_gets_what_the_other_and_the_worker_emit(
    center: Any, board_client: Any
) -> None:
    port = embedded.free_port()
    env = {**center.env, "TAGENGO_PORT": str(port)}
    second = center.stack.start("web2", embedded.web_argv(), env, center.logs / "web2.log")
    embedded.wait_for_health(f"http://127.0.0.1:{port}", 60, second)
    with center.app.app_context():
        accounts.create_user("desk", "operator", "operator-password")
        token = accounts.create_token("desk")
        board_id = accounts.create_board(accounts.create_shelter("体育館").id, "TV").id
        secret = center.app.config["SECRET_KEY"]
    client = board_client(center, board_id, board_token(secret, board_id, 1))  # on process 1
    client.connect()
    center.url, first_url = f"http://127.0.0.1:{port}", center.url
    try:
        r = center.api(
            "POST",
            "/api/v1/announcements",
            token,
            json={"text": "二つ目のプロセスからです。", "easy_text": "ふたつめ です。"},
        )
    finally:
        center.url = first_url
    aid = r.json()["id"]
    events = client.wait_for(lambda ev: sum(1 for e in ev if e["announcement_id"] == aid) == 14)
    mine = [e for e in events if e["announcement_id"] == aid]
    assert mine[0]["type"] == "announcement.published"  # emitted by process 2
    assert {e["lang"] for e in mine if e["type"] == "announcement.translated"} >= {"ja-x-easy"}
    assert len({e["seq"] for e in mine}) == 14
