"""evacuee registration cards; purge mark on shelter rounds

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-03 11:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registration_cards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("shelter_id", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(length=16), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("match_name", sa.String(length=64), nullable=True),
        sa.Column("match_phone", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["shelter_id"], ["shelters.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("client_id"),
    )
    with op.batch_alter_table("registration_cards", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_registration_cards_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_registration_cards_match_name"), ["match_name"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_registration_cards_match_phone"), ["match_phone"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_registration_cards_shelter_id"), ["shelter_id"], unique=False
        )
    with op.batch_alter_table("shelter_rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("shelter_rounds", schema=None) as batch_op:
        batch_op.drop_column("purged_at")
    with op.batch_alter_table("registration_cards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registration_cards_shelter_id"))
        batch_op.drop_index(batch_op.f("ix_registration_cards_match_phone"))
        batch_op.drop_index(batch_op.f("ix_registration_cards_match_name"))
        batch_op.drop_index(batch_op.f("ix_registration_cards_created_at"))
    op.drop_table("registration_cards")
