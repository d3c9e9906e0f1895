"""shelter registry columns, status history, census counts, rounds and needs

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 10:33:47.067921
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shelter_census",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shelter_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shelter_id"],
            ["shelters.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("shelter_id", "kind", "key"),
    )
    with op.batch_alter_table("shelter_census", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shelter_census_shelter_id"), ["shelter_id"], unique=False
        )

    op.create_table(
        "shelter_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("shelter_id", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shelter_id"],
            ["shelters.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("client_id"),
    )
    with op.batch_alter_table("shelter_rounds", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shelter_rounds_shelter_id"), ["shelter_id"], unique=False
        )

    op.create_table(
        "shelter_status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shelter_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shelter_id"],
            ["shelters.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("shelter_status_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shelter_status_changes_shelter_id"), ["shelter_id"], unique=False
        )

    op.create_table(
        "shelter_needs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shelter_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("lang", sa.String(length=16), nullable=False),
        sa.Column("urgency", sa.String(length=16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("announcement_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["announcement_id"],
            ["announcements.id"],
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["shelter_rounds.id"],
        ),
        sa.ForeignKeyConstraint(
            ["shelter_id"],
            ["shelters.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("shelter_needs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shelter_needs_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_shelter_needs_lang"), ["lang"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_shelter_needs_shelter_id"), ["shelter_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_shelter_needs_status"), ["status"], unique=False)

    op.create_table(
        "shelter_need_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("need_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["need_id"],
            ["shelter_needs.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("shelter_need_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shelter_need_events_need_id"), ["need_id"], unique=False
        )

    with op.batch_alter_table("shelters", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=24), server_default="designated", nullable=False)
        )
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), server_default="open", nullable=False)
        )
        batch_op.add_column(sa.Column("capacity", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("headcount", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("foreign_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("address_romaji", sa.String(length=400), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("lat", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("lon", sa.Float(), nullable=True))
        batch_op.add_column(
            sa.Column("contact", sa.String(length=200), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("census_updated_at", sa.DateTime(timezone=True), nullable=True)
        )
    # A shelter closed before the registry existed keeps its state as a status.
    op.execute(sa.text("UPDATE shelters SET status = 'closed' WHERE NOT is_open"))


def downgrade() -> None:
    with op.batch_alter_table("shelters", schema=None) as batch_op:
        batch_op.drop_column("census_updated_at")
        batch_op.drop_column("contact")
        batch_op.drop_column("lon")
        batch_op.drop_column("lat")
        batch_op.drop_column("address_romaji")
        batch_op.drop_column("foreign_count")
        batch_op.drop_column("headcount")
        batch_op.drop_column("capacity")
        batch_op.drop_column("status")
        batch_op.drop_column("kind")

    with op.batch_alter_table("shelter_need_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shelter_need_events_need_id"))

    op.drop_table("shelter_need_events")
    with op.batch_alter_table("shelter_needs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shelter_needs_status"))
        batch_op.drop_index(batch_op.f("ix_shelter_needs_shelter_id"))
        batch_op.drop_index(batch_op.f("ix_shelter_needs_lang"))
        batch_op.drop_index(batch_op.f("ix_shelter_needs_created_at"))

    op.drop_table("shelter_needs")
    with op.batch_alter_table("shelter_status_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shelter_status_changes_shelter_id"))

    op.drop_table("shelter_status_changes")
    with op.batch_alter_table("shelter_rounds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shelter_rounds_shelter_id"))

    op.drop_table("shelter_rounds")
    with op.batch_alter_table("shelter_census", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shelter_census_shelter_id"))

    op.drop_table("shelter_census")
