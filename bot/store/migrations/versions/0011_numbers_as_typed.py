"""Numbers as the member typed them (``0.50``, not ``0.5``): a text column next to each number
a member types (a goal's baseline, target and best so far, a check-in's value, each recorded
value). Rows from before keep NULL and are shown from their value.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-14
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = {
    "goals": ("baseline_text", "target_text", "current_best_text"),
    "checkins": ("metric_value_text",),
    "metric_points": ("value_text",),
}


# Plain ALTER TABLE, not a batch: SQLite would rebuild ``goals`` for a dropped column, and
# dropping the old table with foreign keys on deletes the goal's recorded values with it.
def upgrade() -> None:
    for table, names in COLUMNS.items():
        for name in names:
            op.add_column(table, sa.Column(name, sa.String(length=40), nullable=True))


def downgrade() -> None:
    for table, names in COLUMNS.items():
        for name in reversed(names):
            op.drop_column(table, name)  # SQLite 3.35 and later drop a column in place
