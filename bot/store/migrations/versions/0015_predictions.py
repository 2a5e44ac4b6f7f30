"""predictions: what a member expected of an experiment before running it (a number in a range
at a stated confidence, or a yes/no at a probability), and how it turned out

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "predictions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=True),
        sa.Column("ref", sa.Integer(), nullable=False),
        sa.Column("experiment", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("point", sa.Float(), nullable=True),
        sa.Column("point_text", sa.String(length=40), nullable=True),
        sa.Column("low", sa.Float(), nullable=True),
        sa.Column("low_text", sa.String(length=40), nullable=True),
        sa.Column("high", sa.Float(), nullable=True),
        sa.Column("high_text", sa.String(length=40), nullable=True),
        sa.Column("direction", sa.String(length=4), nullable=True),
        sa.Column("answer", sa.Boolean(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("actual", sa.Float(), nullable=True),
        sa.Column("actual_text", sa.String(length=40), nullable=True),
        sa.Column("happened", sa.Boolean(), nullable=True),
        sa.Column("resolved_by", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["goal_id"],
            ["goals.id"],
            name=op.f("fk_predictions_goal_id_goals"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_predictions_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_predictions_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_predictions")),
        sa.UniqueConstraint("member_id", "ref", name=op.f("uq_predictions_member_id")),
    )
    with op.batch_alter_table("predictions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_predictions_goal_id"), ["goal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_predictions_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_predictions_tenant_id"), ["tenant_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("predictions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_predictions_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_predictions_member_id"))
        batch_op.drop_index(batch_op.f("ix_predictions_goal_id"))
    op.drop_table("predictions")
