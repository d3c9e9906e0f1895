"""drill run: a drill's paused time; shelters a drill makes for its reports carry its id

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 14:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("drills", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("paused_seconds", sa.Float(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("shelters", schema=None) as batch_op:
        batch_op.add_column(sa.Column("drill_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_shelters_drill_id"), ["drill_id"], unique=False)
        batch_op.create_foreign_key("fk_shelters_drill_id", "drills", ["drill_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("shelters", schema=None) as batch_op:
        batch_op.drop_constraint("fk_shelters_drill_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_shelters_drill_id"))
        batch_op.drop_column("drill_id")
    with op.batch_alter_table("drills", schema=None) as batch_op:
        batch_op.drop_column("paused_seconds")
