"""goal_sources, and where each metric value came from: a goal's number read from a tracker
(MLflow, Weights & Biases) or pushed by a script, each reading recorded once

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "goal_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("secret", sa.Text(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("token_hint", sa.String(length=12), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_poll_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.String(length=40), nullable=True),
        sa.Column("error_told_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_ok_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["goal_id"],
            ["goals.id"],
            name=op.f("fk_goal_sources_goal_id_goals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_goal_sources_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_goal_sources_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal_sources")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_goal_sources_token_hash")),
    )
    with op.batch_alter_table("goal_sources", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_goal_sources_goal_id"), ["goal_id"], unique=True)
        batch_op.create_index(batch_op.f("ix_goal_sources_member_id"), ["member_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_goal_sources_next_poll_at"), ["next_poll_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_goal_sources_tenant_id"), ["tenant_id"], unique=False)

    with op.batch_alter_table("metric_points", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("source", sa.String(length=16), server_default="member", nullable=False)
        )
        batch_op.add_column(sa.Column("run_id", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("step", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("reading_key", sa.String(length=300), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_metric_points_goal_id"), ["goal_id", "reading_key"]
        )
        batch_op.create_index("ix_metric_points_goal_recorded", ["goal_id", "recorded_at"])


def downgrade() -> None:
    with op.batch_alter_table("metric_points", schema=None) as batch_op:
        batch_op.drop_index("ix_metric_points_goal_recorded")
        batch_op.drop_constraint(batch_op.f("uq_metric_points_goal_id"), type_="unique")
        batch_op.drop_column("reading_key")
        batch_op.drop_column("note")
        batch_op.drop_column("step")
        batch_op.drop_column("run_id")
        batch_op.drop_column("source")
    with op.batch_alter_table("goal_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_goal_sources_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_goal_sources_next_poll_at"))
        batch_op.drop_index(batch_op.f("ix_goal_sources_member_id"))
        batch_op.drop_index(batch_op.f("ix_goal_sources_goal_id"))
    op.drop_table("goal_sources")
