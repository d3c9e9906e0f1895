"""drill evaluation: the measures snapshot a run keeps through its reset

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 14:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("drills", schema=None) as batch_op:
        batch_op.add_column(sa.Column("measures", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("measured_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("drills", schema=None) as batch_op:
        batch_op.drop_column("measured_at")
        batch_op.drop_column("measures")
