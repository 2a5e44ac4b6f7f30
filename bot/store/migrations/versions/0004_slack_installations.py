"""Slack installations, bots and OAuth states, in the tables slack_sdk's async SQLAlchemy stores
read and write (the columns are frozen here from slack_sdk 3.47's builders)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S32, S200, S1000 = sa.String(32), sa.String(200), sa.String(1000)


def _bot_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("client_id", S32, nullable=False),
        sa.Column("app_id", S32, nullable=False),
        sa.Column("enterprise_id", S32),
        sa.Column("enterprise_name", S200),
    ]


def upgrade() -> None:
    op.create_table(
        "slack_installations",
        *_bot_columns(),
        sa.Column("enterprise_url", S200),
        sa.Column("team_id", S32),
        sa.Column("team_name", S200),
        sa.Column("bot_token", S200),
        sa.Column("bot_id", S32),
        sa.Column("bot_user_id", S32),
        sa.Column("bot_scopes", S1000),
        sa.Column("bot_refresh_token", S200),
        sa.Column("bot_token_expires_at", sa.DateTime()),
        sa.Column("user_id", S32, nullable=False),
        sa.Column("user_token", S200),
        sa.Column("user_scopes", S1000),
        sa.Column("user_refresh_token", S200),
        sa.Column("user_token_expires_at", sa.DateTime()),
        sa.Column("incoming_webhook_url", S200),
        sa.Column("incoming_webhook_channel", S200),
        sa.Column("incoming_webhook_channel_id", S200),
        sa.Column("incoming_webhook_configuration_url", S200),
        sa.Column("is_enterprise_install", sa.Boolean(), nullable=False),
        sa.Column("token_type", S32),
        sa.Column("installed_at", sa.DateTime(), nullable=False),
    )
    op.create_index(
        "slack_installations_idx",
        "slack_installations",
        ["client_id", "enterprise_id", "team_id", "user_id", "installed_at"],
    )
    op.create_table(
        "slack_bots",
        *_bot_columns(),
        sa.Column("team_id", S32),
        sa.Column("team_name", S200),
        sa.Column("bot_token", S200),
        sa.Column("bot_id", S32),
        sa.Column("bot_user_id", S32),
        sa.Column("bot_scopes", S1000),
        sa.Column("bot_refresh_token", S200),
        sa.Column("bot_token_expires_at", sa.DateTime()),
        sa.Column("is_enterprise_install", sa.Boolean(), nullable=False),
        sa.Column("installed_at", sa.DateTime(), nullable=False),
    )
    op.create_index(
        "slack_bots_idx", "slack_bots", ["client_id", "enterprise_id", "team_id", "installed_at"]
    )
    op.create_table(
        "slack_oauth_states",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("state", S200, nullable=False),
        sa.Column("expire_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("slack_oauth_states")
    op.drop_index("slack_bots_idx", table_name="slack_bots")
    op.drop_table("slack_bots")
    op.drop_index("slack_installations_idx", table_name="slack_installations")
    op.drop_table("slack_installations")
