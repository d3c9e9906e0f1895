"""closure: checklist marks per activation, closure lessons, request notification log

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 14:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

TIME = sa.DateTime(timezone=True)
# SQLite's batch mode reflects the unnamed unique constraint of 0006 under this name.
SQLITE_NAMES = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _item_unique() -> str:
    if op.get_bind().dialect.name == "postgresql":
        return "checklist_marks_item_id_key"
    return "uq_checklist_marks_item_id"


def upgrade() -> None:
    with op.batch_alter_table("checklist_marks", naming_convention=SQLITE_NAMES) as batch_op:
        batch_op.drop_constraint(_item_unique(), type_="unique")
        batch_op.add_column(sa.Column("activation_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_checklist_marks_activation_id"), ["activation_id"], unique=False
        )
        batch_op.create_foreign_key(
            "fk_checklist_marks_activation_id", "center_phase_changes", ["activation_id"], ["id"]
        )
        batch_op.create_unique_constraint(
            "uq_checklist_marks_activation_item", ["activation_id", "item_id"]
        )
    # Marks made so far belong to the activation that was running when they were made.
    op.execute(
        "UPDATE checklist_marks SET activation_id = (SELECT max(c.id) FROM "
        "center_phase_changes c WHERE c.drill_id IS NULL AND c.from_phase IN ('standby', "
        "'closed') AND c.to_phase NOT IN ('standby', 'closed') "
        "AND c.created_at <= checklist_marks.marked_at)"
    )
    op.create_table(
        "closure_lessons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activation_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", TIME, nullable=False),
        sa.ForeignKeyConstraint(["activation_id"], ["center_phase_changes.id"]),
        sa.ForeignKeyConstraint(["updated_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("activation_id"),
    )
    op.create_table(
        "request_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("piece_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("sent_at", TIME, nullable=True),
        sa.ForeignKeyConstraint(["request_id"], ["translation_requests.id"]),
        sa.ForeignKeyConstraint(["piece_id"], ["request_pieces.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["roster_people.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("request_notices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_request_notices_request_id"), ["request_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("request_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_notices_request_id"))
    op.drop_table("request_notices")
    op.drop_table("closure_lessons")
    # Only one mark per item fits the old shape: keep the latest activation's.
    op.execute(
        "DELETE FROM checklist_marks WHERE id NOT IN (SELECT max(id) FROM checklist_marks "
        "GROUP BY item_id)"
    )
    with op.batch_alter_table("checklist_marks", naming_convention=SQLITE_NAMES) as batch_op:
        batch_op.drop_constraint("uq_checklist_marks_activation_item", type_="unique")
        batch_op.drop_constraint("fk_checklist_marks_activation_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_checklist_marks_activation_id"))
        batch_op.drop_column("activation_id")
        batch_op.create_unique_constraint(_item_unique(), ["item_id"])
