"""The migrations build exactly the schema the models describe, and a step down and up works."""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text

from server.core import database
from server.core.extensions import db
from server.models import MachineJob, Outbox


def _differences() -> list[Any]:
    with db.engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn), db.metadata))


def test_the_migrated_schema_matches_the_models(app: Any) -> None:
    assert _differences() == []


def test_0004_moves_open_outbox_rows_and_waiting_languages(app: Any) -> None:
    url = app.config["DATABASE_URL"]
    cfg = database.alembic_config(url)
    db.session.remove()
    db.engine.dispose()
    command.downgrade(cfg, "0003")
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO announcements (id, source_lang, category, severity, urgency, "
                "certainty, target_all, shelter_ids, drill, status, revision, created_at, "
                "updated_at) VALUES (7, 'es', 'other', 'Severe', 'Expected', 'Observed', "
                "true, '[]', false, 'active', 1, '2026-12-01', '2026-12-01')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO announcement_revisions (announcement_id, revision, text, slots, "
                "created_at) VALUES (7, 1, 'agua.', '{}', '2026-12-01')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO translations (announcement_id, revision, lang, status, reviewed, "
                "attempts, created_at) VALUES (7, 1, 'en', 'translating', false, 0, '2026-12-01')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO outbox (task, announcement_id, revision, created_at, "
                "dispatch_count) VALUES ('workers.tasks.translate_announcement', 7, 1, "
                "'2026-12-01', 1)"
            )
        )
    database.upgrade(url)
    db.engine.dispose()
    row = db.session.scalar(select(Outbox))
    assert (row.args, row.ref, row.processed_at) == ([7, 1], "announcement:7:1", None)
    job = db.session.scalar(select(MachineJob))
    assert (job.kind, job.source_lang, job.target_lang, job.text) == (
        "announcement",
        "es",
        "en",
        "agua.",
    )
    assert _differences() == []
