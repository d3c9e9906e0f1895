"""Operations across processes: health, metrics, and revoking a board's link."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
import requests
import socketio

from server.core import logs
from server.core.security import board_token
from server.live import sockets
from server.people import accounts

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def setup(center: Any) -> dict[str, Any]:
    with center.app.app_context():
        accounts.create_user("ops", "admin", "admin-password")
        token = accounts.create_token("ops")
        board = accounts.create_board(accounts.create_shelter("市民会館").id, "TV")
        return {
            "token": token,
            "board": board.id,
            "board_token": board_token(center.app.config["SECRET_KEY"], board.id, 1),
        }


def test_health_reports_database_redis_workers_and_models(center: Any) -> None:
    body = requests.get(center.url + "/health", timeout=10).json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "redis": "ok", "workers": "ok"}, body
    assert body["workers"] and body["workers"][0].startswith("worker")
    assert body["models"] == {"installed": [], "machine_reachable_from_source": []}


def test_metrics_need_a_token_and_count_boards_and_events(
    center: Any, setup: dict[str, Any], board_client: Any
) -> None:
    assert requests.get(center.url + "/metrics", timeout=10).status_code == 401
    board = board_client(center, setup["board"], setup["board_token"])
    board.connect()
    r = center.api("POST", "/api/v1/announcements", setup["token"], json={"text": "計測用です。"})
    aid = r.json()["id"]
    board.wait_for(lambda ev: sum(1 for e in ev if e["announcement_id"] == aid) == 14)
    text = center.api("GET", "/metrics", setup["token"]).text
    assert "tagengo_boards_connected 1" in text
    assert 'tagengo_queue_depth{queue="translate"}' in text
    assert 'tagengo_translations_total{method="human",status="done"}' not in text  # no easy text
    assert 'tagengo_translations_total{method="none",status="pending"} 13' in text
    assert "tagengo_board_events_total 14" in text


def test_a_revoked_board_is_disconnected_at_once(
    center: Any, setup: dict[str, Any], board_client: Any
) -> None:
    board = board_client(center, setup["board"], setup["board_token"])
    revoked: list[Any] = []
    board.sio.on("revoked", revoked.append, namespace="/live")
    board.connect()
    with center.app.app_context():
        from server.core.extensions import db
        from server.models import Board

        row = db.session.get(Board, setup["board"])
        row.token_version += 1
        db.session.commit()
        sockets.revoke_board(row.id)
    deadline = time.monotonic() + 10
    while board.sio.connected and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not board.sio.connected
    assert revoked == [{"board_id": setup["board"]}]
    again = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        again.connect(
            center.url,
            namespaces=["/live"],
            auth={"board_token": setup["board_token"]},
            transports=["websocket"],
            wait_timeout=5,
        )
    feed = requests.get(
        f"{center.url}/api/v1/boards/{setup['board']}/feed",
        headers={"Authorization": f"Bearer {setup['board_token']}"},
        timeout=10,
    )
    assert feed.status_code == 401


def test_json_logs_carry_the_task_id(capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure("worker", "INFO", "json")
    logging.getLogger("tagengo.test").info("hello %s", "world")
    line = capsys.readouterr().err.strip().splitlines()[-1]
    import json

    record = json.loads(line)
    assert (record["message"], record["process"], record["task_id"]) == (
        "hello world",
        "worker",
        "-",
    )
    logging.getLogger().handlers.clear()
