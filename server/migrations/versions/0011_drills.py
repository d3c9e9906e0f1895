"""drills: runs, injects on a schedule, evaluations, improvement plan; drill_id on what they make

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 13:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# Every table whose rows a drill can make: reset deletes the rows carrying the drill's id.
MARKED = (
    "announcements",
    "inquiries",
    "shelter_rounds",
    "shelter_needs",
    "translation_requests",
    "interpreter_requests",
    "center_phase_changes",
    "activity_entries",
)


def upgrade() -> None:
    op.create_table(
        "drills",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("scenario", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("speed", sa.Float(), nullable=False),
        sa.Column("phase", sa.String(length=16), nullable=False),
        sa.Column("controller_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reset_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("strengths", sa.Text(), nullable=False),
        sa.Column("improvements", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["controller_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("drills", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_drills_status"), ["status"], unique=False)
    op.create_table(
        "drill_injects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("drill_id", sa.Integer(), nullable=False),
        sa.Column("inject_key", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("offset_minutes", sa.Integer(), nullable=False),
        sa.Column("target_minutes", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_by", sa.String(length=16), nullable=True),
        sa.Column("lateness_seconds", sa.Float(), nullable=True),
        sa.Column("created", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["drill_id"], ["drills.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("drill_id", "inject_key"),
    )
    with op.batch_alter_table("drill_injects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_drill_injects_drill_id"), ["drill_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_drill_injects_due_at"), ["due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_drill_injects_status"), ["status"], unique=False)
    op.create_table(
        "drill_evaluations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inject_id", sa.Integer(), nullable=False),
        sa.Column("evaluator_id", sa.Integer(), nullable=True),
        sa.Column("rating", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["evaluator_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["inject_id"], ["drill_injects.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("drill_evaluations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_drill_evaluations_inject_id"), ["inject_id"], unique=False
        )
    op.create_table(
        "drill_improvements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("drill_id", sa.Integer(), nullable=False),
        sa.Column("issue", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["drill_id"], ["drills.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("drill_improvements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_drill_improvements_drill_id"), ["drill_id"], unique=False
        )
    for table in MARKED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("drill_id", sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f(f"ix_{table}_drill_id"), ["drill_id"], unique=False)
            batch_op.create_foreign_key(f"fk_{table}_drill_id", "drills", ["drill_id"], ["id"])
    with op.batch_alter_table("announcements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("drill_inject_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_announcements_drill_inject_id", "drill_injects", ["drill_inject_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("announcements", schema=None) as batch_op:
        batch_op.drop_constraint("fk_announcements_drill_inject_id", type_="foreignkey")
        batch_op.drop_column("drill_inject_id")
    for table in reversed(MARKED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"fk_{table}_drill_id", type_="foreignkey")
            batch_op.drop_index(batch_op.f(f"ix_{table}_drill_id"))
            batch_op.drop_column("drill_id")
    op.drop_table("drill_improvements")
    op.drop_table("drill_evaluations")
    op.drop_table("drill_injects")
    op.drop_table("drills")
