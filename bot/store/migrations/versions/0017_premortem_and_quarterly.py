"""goals.premortem, premortem_at: what the member imagined would make the goal fail, written
when they set it, and when; members.quarterly_review, next_quarterly_at: whether they want the
quarterly look at their best five works (yes unless they said no), and when it falls next

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("goals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("premortem", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("premortem_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("quarterly_review", sa.Boolean(), server_default="1", nullable=False)
        )
        batch_op.add_column(
            sa.Column("next_quarterly_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_members_next_quarterly_at"), ["next_quarterly_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_members_next_quarterly_at"))
        batch_op.drop_column("next_quarterly_at")
        batch_op.drop_column("quarterly_review")
    with op.batch_alter_table("goals", schema=None) as batch_op:
        batch_op.drop_column("premortem_at")
        batch_op.drop_column("premortem")
