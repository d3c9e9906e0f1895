"""Backups: a running center is backed up, restored elsewhere, and answers as before."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from server.core import backup, database, embedded
from server.core.security import board_token as board_token_for
from server.people import accounts

TABLES = {
    "announcements": "SELECT id, status, revision, source_lang, drill FROM announcements",
    "revisions": "SELECT announcement_id, revision, text, easy_text FROM announcement_revisions",
    "inquiries": "SELECT id, message, category, status FROM inquiries",
    "memory": "SELECT source_lang, target_lang, source_text, target_text FROM memory_entries",
}


def tagengo_script() -> str:
    beside = Path(sys.executable).with_name("tagengo")
    found = str(beside) if beside.exists() else shutil.which("tagengo")
    if not found:
        pytest.skip("the `tagengo` console script is not installed (pip install -e .)")
    return found


def snapshot(url: str) -> dict[str, set[tuple[Any, ...]]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                name: {tuple(row) for row in conn.execute(text(sql))}
                for name, sql in TABLES.items()
            }
    finally:
        engine.dispose()


def tmx(pairs: list[tuple[str, str]]) -> bytes:
    units = "".join(
        f'<tu><tuv xml:lang="ja"><seg>{ja}</seg></tuv><tuv xml:lang="en"><seg>{en}</seg></tuv></tu>'
        for ja, en in pairs
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><tmx version="1.4"><header srclang="ja"/>'
        f"<body>{units}</body></tmx>"
    ).encode()


def fill(center: Any, token: str) -> None:
    """Announcements (one revised, one retracted), inquiries and memory through the API."""
    ids = []
    for n in range(4):
        r = center.api(
            "POST",
            "/api/v1/announcements",
            token,
            json={"text": f"第{n}避難所で給水を行います。", "category": "food_water"},
        )
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    assert center.api("PATCH", f"/api/v1/announcements/{ids[0]}", token, json={"text": "改訂版"}).ok
    assert center.api("POST", f"/api/v1/announcements/{ids[1]}/retract", token).ok
    for message in ("水がほしいです", "Where is the shelter?"):
        r = center.api("POST", "/api/v1/inquiries", token, json={"message": message})
        assert r.status_code == 201, r.text
    r = center.api(
        "POST",
        "/api/v1/memory.tmx",
        token,
        data=tmx([("給水車", "water truck"), ("避難所", "evacuation shelter")]),
        headers={"Content-Type": "application/x-tmx+xml"},
    )
    assert r.status_code == 200, r.text


def test_a_running_center_is_backed_up_and_restored_elsewhere(
    center: Any, tmp_path: Path, redis_url: str
) -> None:
    secret = center.env["TAGENGO_SECRET_KEY"]
    # As `tagengo up` does: the key that signs board links lives in the data folder.
    (center.base_dir / "secret_key").write_text(secret)
    with center.app.app_context():
        accounts.create_user("backup-admin", "admin", "admin-password")
        token = accounts.create_token("backup-admin")
        board = accounts.create_board(accounts.create_shelter("北小学校").id, "体育館")
        board_token = board_token_for(secret, board.id, board.token_version)
    fill(center, token)
    before = snapshot(center.db_url)

    # Keep the desk busy while the backup runs: the copy must still be one consistent moment.
    stop = threading.Event()

    def keep_posting() -> None:
        while not stop.is_set():
            center.api("POST", "/api/v1/announcements", token, json={"text": "巡回中のお知らせ"})

    poster = threading.Thread(target=keep_posting, daemon=True)
    poster.start()
    try:
        made = subprocess.run(
            [tagengo_script(), "backup", "--data-dir", str(center.base_dir)],
            env=center.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        stop.set()
        poster.join(timeout=30)
    assert made.returncode == 0, made.stderr
    archives = list((center.base_dir / "backups").glob("tagengo-*.tar.gz"))
    assert len(archives) == 1 and str(archives[0]) in made.stdout
    assert oct(archives[0].stat().st_mode & 0o777) == "0o600"

    # Restore on a "new machine": its own data folder, no secret, no database setting.
    elsewhere = tmp_path / "elsewhere"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAGENGO_")}
    restored = subprocess.run(
        [tagengo_script(), "restore", str(archives[0]), "--data-dir", str(elsewhere)],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert restored.returncode == 0, restored.stderr
    assert "the database is healthy" in restored.stdout
    assert (elsewhere / "secret_key").read_text() == (center.base_dir / "secret_key").read_text()

    after = snapshot(f"sqlite:///{elsewhere / 'tagengo.db'}")
    source_now = snapshot(center.db_url)
    for name in TABLES:
        assert before[name] <= after[name], name  # everything made before the backup is there
        assert after[name] <= source_now[name], name  # and nothing that never existed
    engine = create_engine(f"sqlite:///{elsewhere / 'tagengo.db'}")
    with engine.connect() as conn:
        seqs = [row[0] for row in conn.execute(text("SELECT seq FROM board_events ORDER BY seq"))]
    engine.dispose()
    assert seqs == list(range(1, len(seqs) + 1)), "a torn copy would leave holes in the events"

    # A second restore over it is refused in one line, and changes nothing.
    again = subprocess.run(
        [tagengo_script(), "restore", str(archives[0]), "--data-dir", str(elsewhere)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode != 0 and "--force" in again.stderr
    assert "Traceback" not in again.stderr and len(again.stderr.strip().splitlines()) == 1

    # The restored center runs: its web process is healthy and answers with the same content.
    port = embedded.free_port()
    web_env = {
        **env,
        "TAGENGO_DATA_DIR": str(elsewhere),
        "TAGENGO_REDIS_URL": redis_url,
        "TAGENGO_PORT": str(port),
        "TAGENGO_SOCKETIO_CHANNEL": "tagengo-restored-" + uuid.uuid4().hex[:8],
    }
    stack = embedded.Stack()
    try:
        web = stack.start("web", embedded.web_argv(), web_env, tmp_path / "restored-web.log")
        embedded.wait_for_health(f"http://127.0.0.1:{port}", 60, web)
        health = requests.get(f"http://127.0.0.1:{port}/health", timeout=10).json()
        assert health["checks"]["database"] == "ok"
        listed = requests.get(
            f"http://127.0.0.1:{port}/api/v1/announcements?limit=500",
            headers={"Authorization": f"Bearer {token}"},  # the token came along in the database
            timeout=10,
        )
        assert listed.status_code == 200
        texts = {a["text"] for a in listed.json()["announcements"]}
        assert {"改訂版", "第2避難所で給水を行います。"} <= texts
        # The board's secret link still opens: the signing key came along.
        feed = requests.get(
            f"http://127.0.0.1:{port}/api/v1/boards/{board.id}/feed",
            params={"since": 0, "token": board_token},
            timeout=10,
        )
        assert feed.status_code == 200 and feed.json()["events"]
    finally:
        stack.stop()


def test_the_periodic_backup_runs_on_a_real_worker_and_keeps_the_newest(center: Any) -> None:
    folder = center.base_dir / "backups"
    existing = set(folder.glob("tagengo-*.tar.gz")) if folder.exists() else set()
    center.app.extensions["celery"].send_task("workers.tasks.backup_database")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if set(folder.glob("tagengo-*.tar.gz")) - existing:
            break
        time.sleep(0.2)
    else:
        raise AssertionError("the worker wrote no backup; see " + str(center.logs))
    config = dict(center.app.config)
    made = [backup.create(config) for _ in range(3)]
    removed = backup.prune(folder, 2)
    left = sorted(folder.glob("tagengo-*.tar.gz"))
    assert left == made[1:] and set(removed).isdisjoint(left)
    beat = center.app.extensions["celery"].conf.beat_schedule["backup"]
    assert beat["task"] == "workers.tasks.backup_database"
    assert beat["schedule"] == center.app.config["BACKUP_INTERVAL_HOURS"] * 3600


def test_a_broken_archive_is_refused_in_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "tagengo-bad.tar.gz"
    bad.write_bytes(b"not a tar archive")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAGENGO_")}
    for archive in (bad, tmp_path / "missing.tar.gz"):
        done = subprocess.run(
            [tagengo_script(), "restore", str(archive), "--data-dir", str(tmp_path / "d")],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode != 0 and "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert not (tmp_path / "d" / "tagengo.db").exists()


def test_postgresql_backup_and_restore_with_pg_dump(
    postgres_url: str | None, tmp_path: Path
) -> None:
    if postgres_url is None:
        pytest.skip("PostgreSQL: set TAGENGO_TEST_DATABASE_URL to run this on PostgreSQL")
    if not shutil.which("pg_dump") or not shutil.which("pg_restore"):
        pytest.skip("pg_dump/pg_restore are not installed")
    from server import create_app
    from server.core.extensions import db

    base = make_url(postgres_url)
    source = base.set(database=f"tagengo_bk_{uuid.uuid4().hex[:8]}")
    target = base.set(database=f"tagengo_rs_{uuid.uuid4().hex[:8]}")
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    urls = [u.render_as_string(hide_password=False) for u in (source, target)]
    with admin.connect() as conn:
        for url in (source, target):
            conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    try:
        database.upgrade(urls[0])
        config = {"DATABASE_URL": urls[0], "DATA_DIR": str(tmp_path / "a"), "SECRET_KEY": "k"}
        app = create_app({**config, "REDIS_URL": "", "TESTING": True})
        with app.app_context():
            from server.announcements import drafts
            from server.announcements import service as announcements
            from server.inquiries import service as inquiries
            from server.translation import memory

            announcements.create(drafts.parse_draft({"text": "給水のお知らせ"}), None)
            inquiries.create(inquiries.parse({"message": "水"}, "api"), "api")
            memory.remember("ja", "en", "給水", "water supply", None, origin="import")
            db.session.commit()
            db.engine.dispose()
        before = snapshot(urls[0])
        archive = backup.create(app.config, tmp_path / "backups")
        result = backup.restore(
            archive,
            {"DATABASE_URL": urls[1], "DATA_DIR": str(tmp_path / "b"), "SECRET_KEY": "k"},
        )
        assert result["health"]["database"] == "ok"
        assert (result["announcements"], result["inquiries"], result["memory"]) == (1, 1, 1)
        assert snapshot(urls[1]) == before
        with pytest.raises(backup.BackupError, match="not empty"):
            backup.restore(archive, {"DATABASE_URL": urls[1], "DATA_DIR": str(tmp_path / "b")})
    finally:
        with admin.connect() as conn:
            for url in (source, target):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        admin.dispose()
