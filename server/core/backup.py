"""Back up a center and restore it elsewhere: the database, and the key its board links use.

A backup is one ``tagengo-<UTC time>.tar.gz`` holding ``manifest.json``, the database
(``tagengo.db`` made with SQLite's online backup API, safe while the center runs, or
``tagengo.pgdump`` from ``pg_dump --format=custom``) and ``secret_key`` when the data folder
has one (without it, restored board links would no longer open). Restoring refuses to
overwrite a database unless told to, upgrades the schema and then asks the app's own
``/health`` whether the restored database answers.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

PREFIX = "tagengo-"
SUFFIX = ".tar.gz"
MEMBERS = ("manifest.json", "tagengo.db", "tagengo.pgdump", "secret_key")


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why in one line."""


def backup_dir(config: Mapping[str, Any]) -> Path:
    """Where backups go: TAGENGO_BACKUP_DIR, else ``<DATA_DIR>/backups``."""
    return Path(config.get("BACKUP_DIR") or Path(config["DATA_DIR"]) / "backups")


def _kind(url: str) -> str:
    backend = make_url(url).get_backend_name()
    if backend in ("sqlite", "postgresql"):
        return backend
    raise BackupError(f"backups support SQLite and PostgreSQL, not {backend}")


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError(f"{url} is not a database file")
    return Path(database)


def _libpq_url(url: str) -> str:
    """The URL pg_dump understands (no ``+psycopg`` driver part)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _run(argv: list[str]) -> None:
    if shutil.which(argv[0]) is None:
        raise BackupError(f"{argv[0]} is not installed; install the PostgreSQL client tools")
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise BackupError(f"{argv[0]} failed: {reason}")


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy a live SQLite database page by page under one read lock (a consistent snapshot)."""
    if not source.is_file():
        raise BackupError(f"no database at {source}; has this center ever started?")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # pages=-1: everything in one step, so writers cannot tear it
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        _check_sqlite(dst, target)
    finally:
        dst.close()
        src.close()


def _check_sqlite(conn: sqlite3.Connection, path: Path) -> None:
    result = conn.execute("PRAGMA integrity_check").fetchone()
    if not result or result[0] != "ok":
        raise BackupError(f"{path} fails SQLite's integrity check: {result}")


def create(config: Mapping[str, Any], folder: Path | None = None) -> Path:
    """Write a backup archive of the center into ``folder``; return its path."""
    url = str(config["DATABASE_URL"])
    kind = _kind(url)
    folder = Path(folder) if folder else backup_dir(config)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    archive = folder / f"{PREFIX}{stamp}{SUFFIX}"
    with tempfile.TemporaryDirectory(dir=folder, prefix=".backup-") as tmp:
        work = Path(tmp)
        if kind == "sqlite":
            _sqlite_copy(_sqlite_path(url), work / "tagengo.db")
        else:
            _run(
                ["pg_dump", "--format=custom", f"--file={work / 'tagengo.pgdump'}", _libpq_url(url)]
            )
        key = Path(config["DATA_DIR"]) / "secret_key"
        if key.is_file():
            shutil.copyfile(key, work / "secret_key")
        manifest = {"format": 1, "database": kind, "created_at": datetime.now(UTC).isoformat()}
        (work / "manifest.json").write_text(json.dumps(manifest))
        partial = work / "archive.partial"
        with tarfile.open(partial, "w:gz") as tar:
            for name in MEMBERS:
                if (work / name).exists():
                    tar.add(work / name, arcname=name)
        partial.chmod(0o600)  # it holds residents' data and the signing key
        os.replace(partial, archive)  # never a half-written archive under the final name
    return archive


def _members(archive: Path) -> dict[str, bytes]:
    """Read the known members of a backup; never extract paths from the archive itself."""
    if not archive.is_file():
        raise BackupError(f"{archive}: no such file")
    try:
        with tarfile.open(archive, "r:gz") as tar:
            found: dict[str, bytes] = {}
            for member in tar.getmembers():
                if member.name in MEMBERS and member.isfile():
                    handle = tar.extractfile(member)
                    if handle is not None:
                        found[member.name] = handle.read()
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"{archive}: not a Tagengo backup ({exc})") from None
    if "manifest.json" not in found:
        raise BackupError(f"{archive}: not a Tagengo backup (no manifest.json)")
    return found


def _has_tables(url: str) -> bool:
    from sqlalchemy import create_engine, inspect

    engine = create_engine(url)
    try:
        return bool(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def restore(archive: Path, config: Mapping[str, Any], *, force: bool = False) -> dict[str, Any]:
    """Restore ``archive`` into the configured database; return the health check's answer."""
    members = _members(Path(archive))
    manifest = json.loads(members["manifest.json"])
    url = str(config["DATABASE_URL"])
    kind = _kind(url)
    if manifest.get("database") != kind:
        raise BackupError(
            f"this backup holds a {manifest.get('database')} database; "
            f"TAGENGO_DATABASE_URL points at {kind}"
        )
    if kind == "sqlite":
        target = _sqlite_path(url)
        if target.exists() and target.stat().st_size and not force:
            raise BackupError(
                f"{target} already exists; stop the center and pass --force to replace it"
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        staged = target.with_name(target.name + ".restoring")
        staged.write_bytes(members["tagengo.db"])
        conn = sqlite3.connect(staged)
        try:
            _check_sqlite(conn, staged)
        finally:
            conn.close()
        for stale in (
            target.with_name(target.name + "-wal"),
            target.with_name(target.name + "-shm"),
        ):
            stale.unlink(missing_ok=True)
        os.replace(staged, target)
    else:
        if _has_tables(url) and not force:
            raise BackupError("the PostgreSQL database is not empty; pass --force to replace it")
        with tempfile.NamedTemporaryFile(suffix=".pgdump") as dump:
            dump.write(members["tagengo.pgdump"])
            dump.flush()
            _run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    f"--dbname={_libpq_url(url)}",
                    dump.name,
                ]
            )
    key = Path(config["DATA_DIR"]) / "secret_key"
    if "secret_key" in members and (force or not key.exists()):
        key.parent.mkdir(parents=True, exist_ok=True)
        key.write_bytes(members["secret_key"])
        key.chmod(0o600)
    return verify(config)


def verify(config: Mapping[str, Any]) -> dict[str, Any]:
    """Upgrade the schema, then ask the app's own /health about the database; raise if sick."""
    from server import create_app
    from server.core import database

    database.upgrade(str(config["DATABASE_URL"]))
    overrides = {"DATABASE_URL": config["DATABASE_URL"], "DATA_DIR": config["DATA_DIR"]}
    # Redis is no part of a restore: the check is about the database only.
    app = create_app(
        {**overrides, "REDIS_URL": "", "SECRET_KEY": config.get("SECRET_KEY") or "verify"},
        role="cli",
    )
    with app.app_context():
        response = app.test_client().get("/health")
        body: dict[str, Any] = response.get_json()
        from server.core.extensions import db

        counts = _counts(db.session)
        db.engine.dispose()
    if response.status_code != 200 or body["checks"]["database"] != "ok":
        raise BackupError(f"the restored database fails the health check: {body['checks']}")
    return {"health": body["checks"], **counts}


def _counts(session: Any) -> dict[str, int]:
    from sqlalchemy import func, select

    from server.models import Announcement, Inquiry, MemoryEntry

    return {
        name: int(session.scalar(select(func.count()).select_from(model)) or 0)
        for name, model in (
            ("announcements", Announcement),
            ("inquiries", Inquiry),
            ("memory", MemoryEntry),
        )
    }


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups in ``folder``; return what was deleted."""
    archives = sorted(folder.glob(f"{PREFIX}*{SUFFIX}"))  # the UTC stamp sorts by time
    doomed = archives[: max(len(archives) - keep, 0)]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def periodic(config: Mapping[str, Any]) -> Path:
    """Make a backup and apply the retention (the beat job)."""
    archive = create(config)
    removed = prune(archive.parent, int(config["BACKUP_KEEP"]))
    log.info("backup written to %s; %d old backup(s) removed", archive, len(removed))
    return archive
