"""one outbox for every kind of deferred work; machine jobs in a table of their own, with
the shared English pivot and the quality gate

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 11:20:00
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "machine_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=True),
        sa.Column("ref_key", sa.String(length=80), nullable=True),
        sa.Column("source_lang", sa.String(length=16), nullable=False),
        sa.Column("target_lang", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("after_id", sa.Integer(), nullable=True),
        sa.Column("claim_token", sa.String(length=32), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_machine_jobs_pair", "machine_jobs", ["source_lang", "target_lang"])
    op.create_index("ix_machine_jobs_claim_token", "machine_jobs", ["claim_token"])
    op.create_index("ix_machine_jobs_after_id", "machine_jobs", ["after_id"])
    # Languages still waiting for a model become jobs; their lease starts afresh.
    op.execute(
        "INSERT INTO machine_jobs (kind, ref_id, source_lang, target_lang, text, priority, "
        "attempts, created_at) "
        "SELECT 'announcement', t.id, a.source_lang, t.lang, r.text, 0, 0, t.created_at "
        "FROM translations t JOIN announcements a ON a.id = t.announcement_id "
        "JOIN announcement_revisions r ON r.announcement_id = t.announcement_id "
        "AND r.revision = t.revision WHERE t.status = 'translating'"
    )
    with op.batch_alter_table("translations") as batch_op:
        batch_op.add_column(sa.Column("pivot_lang", sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column("check_first", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("check_reasons", sa.JSON(), nullable=True))
        batch_op.drop_index("ix_translations_claim_token")
        batch_op.drop_column("attempts")
        batch_op.drop_column("claimed_until")
        batch_op.drop_column("claim_token")

    with op.batch_alter_table("outbox") as batch_op:
        batch_op.add_column(sa.Column("args", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("ref", sa.String(length=80), nullable=True))
    outbox = sa.table(
        "outbox",
        sa.column("id", sa.Integer()),
        sa.column("announcement_id", sa.Integer()),
        sa.column("revision", sa.Integer()),
        sa.column("args", sa.JSON()),
        sa.column("ref", sa.String()),
    )
    conn = op.get_bind()
    for row_id, announcement_id, rev in conn.execute(
        sa.select(outbox.c.id, outbox.c.announcement_id, outbox.c.revision)
    ):
        conn.execute(
            outbox.update()
            .where(outbox.c.id == row_id)
            .values(args=[announcement_id, rev], ref=f"announcement:{announcement_id}:{rev}")
        )
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.alter_column("args", existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column("ref", existing_type=sa.String(length=80), nullable=False)
        batch_op.create_index("ix_outbox_ref", ["ref"])
        batch_op.drop_index("ix_outbox_announcement_id")  # the column's foreign key goes with it
        batch_op.drop_column("announcement_id")
        batch_op.drop_column("revision")


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.add_column(sa.Column("announcement_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("revision", sa.Integer(), nullable=True))
    op.execute("DELETE FROM outbox WHERE ref NOT LIKE 'announcement:%'")
    conn = op.get_bind()
    for row_id, args in conn.execute(sa.text("SELECT id, args FROM outbox")):
        values = args if isinstance(args, list) else json.loads(args)
        conn.execute(
            sa.text("UPDATE outbox SET announcement_id = :a, revision = :r WHERE id = :i"),
            {"a": values[0], "r": values[1], "i": row_id},
        )
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_index("ix_outbox_ref")
        batch_op.drop_column("ref")
        batch_op.drop_column("args")
        batch_op.create_index("ix_outbox_announcement_id", ["announcement_id"])
    with op.batch_alter_table("translations") as batch_op:
        batch_op.drop_column("check_reasons")
        batch_op.drop_column("check_first")
        batch_op.drop_column("pivot_lang")
        batch_op.add_column(sa.Column("claim_token", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
        batch_op.create_index("ix_translations_claim_token", ["claim_token"])
    op.drop_index("ix_machine_jobs_after_id", table_name="machine_jobs")
    op.drop_index("ix_machine_jobs_claim_token", table_name="machine_jobs")
    op.drop_index("ix_machine_jobs_pair", table_name="machine_jobs")
    op.drop_table("machine_jobs")
