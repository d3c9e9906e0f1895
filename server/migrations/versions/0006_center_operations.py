"""the center's operations: phases, checklists, activity log, shifts and handovers

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "center_phase_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("from_phase", sa.String(length=16), nullable=False),
        sa.Column("to_phase", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("forced", sa.Boolean(), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_center_phase_changes_created_at", "center_phase_changes", ["created_at"])
    op.create_table(
        "checklist_custom_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("team", sa.String(length=32), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "checklist_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=80), nullable=False),
        sa.Column("phase", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("marked_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("item_id"),
    )
    op.create_table(
        "activity_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("team", sa.String(length=32), nullable=True),
        sa.Column("lang", sa.String(length=16), nullable=True),
        sa.Column("ref", sa.String(length=80), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("corrects_id", sa.Integer(), sa.ForeignKey("activity_entries.id"), nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_activity_entries_kind", "activity_entries", ["kind"])
    op.create_index("ix_activity_entries_team", "activity_entries", ["team"])
    op.create_index("ix_activity_entries_created_at", "activity_entries", ["created_at"])
    op.create_table(
        "shifts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("starts_at", TIME, nullable=False),
        sa.Column("ends_at", TIME, nullable=False),
        sa.Column("staff", sa.JSON(), nullable=False),
        sa.Column("volunteers", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_shifts_starts_at", "shifts", ["starts_at"])
    op.create_table(
        "handovers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shift_id", sa.Integer(), sa.ForeignKey("shifts.id"), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("open_items", sa.JSON(), nullable=False),
        sa.Column("written_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("written_at", TIME, nullable=False),
        sa.Column("acknowledged_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("acknowledged_at", TIME, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("shift_id"),
    )


def downgrade() -> None:
    for table in (
        "handovers",
        "shifts",
        "activity_entries",
        "checklist_marks",
        "checklist_custom_items",
        "center_phase_changes",
    ):
        op.drop_table(table)
