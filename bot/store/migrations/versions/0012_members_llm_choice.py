"""members.llm_allowed, llm_since and llm_told_at: whether the member lets their check-ins go
to the LLM the team configured (yes unless they said no), since when (a member who turned it
back on: nothing from before goes), and when they were told it does

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("llm_allowed", sa.Boolean(), server_default="1", nullable=False)
        )
        batch_op.add_column(sa.Column("llm_since", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("llm_told_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("llm_told_at")
        batch_op.drop_column("llm_since")
        batch_op.drop_column("llm_allowed")
