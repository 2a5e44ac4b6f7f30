"""schedule

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=32), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_deliveries_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_deliveries_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint(
            "tenant_id", "target", "kind", "period", name=op.f("uq_deliveries_tenant_id")
        ),
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deliveries_member_id"), ["member_id"], unique=False)
        batch_op.create_index("ix_deliveries_outbox", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_deliveries_tenant_id"), ["tenant_id"], unique=False)

    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("own_schedule", sa.Boolean(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("weekly_dm", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("next_checkin_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_members_next_checkin_at"), ["next_checkin_at"], unique=False
        )

    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("timezone", sa.String(length=64), server_default="UTC", nullable=False)
        )
        batch_op.add_column(
            sa.Column("checkin_day", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("checkin_time", sa.String(length=5), server_default="10:00", nullable=False)
        )
        batch_op.add_column(
            sa.Column("work_days", sa.String(length=13), server_default="0,1,2,3,4", nullable=False)
        )
        batch_op.add_column(sa.Column("holidays", sa.JSON(), server_default="[]", nullable=False))
        batch_op.add_column(
            sa.Column("digest_day", sa.Integer(), server_default="4", nullable=True)
        )
        batch_op.add_column(
            sa.Column("digest_time", sa.String(length=5), server_default="16:00", nullable=False)
        )
        batch_op.add_column(
            sa.Column("nudge_every_weeks", sa.Integer(), server_default="1", nullable=False)
        )
        batch_op.add_column(
            sa.Column("reminders", sa.Boolean(), server_default="1", nullable=False)
        )
        batch_op.add_column(
            sa.Column("reminder_after_hours", sa.Integer(), server_default="24", nullable=False)
        )
        batch_op.add_column(
            sa.Column("tag_nonresponders", sa.Boolean(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("admins", sa.JSON(), server_default="[]", nullable=False))
        batch_op.add_column(sa.Column("next_digest_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("next_nudge_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_tenants_next_digest_at"), ["next_digest_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_tenants_next_nudge_at"), ["next_nudge_at"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tenants_next_nudge_at"))
        batch_op.drop_index(batch_op.f("ix_tenants_next_digest_at"))
        batch_op.drop_column("next_nudge_at")
        batch_op.drop_column("next_digest_at")
        batch_op.drop_column("admins")
        batch_op.drop_column("tag_nonresponders")
        batch_op.drop_column("reminder_after_hours")
        batch_op.drop_column("reminders")
        batch_op.drop_column("nudge_every_weeks")
        batch_op.drop_column("digest_time")
        batch_op.drop_column("digest_day")
        batch_op.drop_column("holidays")
        batch_op.drop_column("work_days")
        batch_op.drop_column("checkin_time")
        batch_op.drop_column("checkin_day")
        batch_op.drop_column("timezone")

    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_members_next_checkin_at"))
        batch_op.drop_column("next_checkin_at")
        batch_op.drop_column("weekly_dm")
        batch_op.drop_column("own_schedule")

    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deliveries_tenant_id"))
        batch_op.drop_index("ix_deliveries_outbox")
        batch_op.drop_index(batch_op.f("ix_deliveries_member_id"))

    op.drop_table("deliveries")
