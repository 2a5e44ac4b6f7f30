"""The workspaces' installations (OAuth mode), as slack_sdk's ``AsyncInstallationStore`` that
Bolt's OAuth flow and authorization read and write, kept by the core (``InstallationVault``):
one installation per workspace, the latest, its tokens sealed at rest when
``COACH_SLACK_TOKEN_KEYS`` is set. This module only maps slack_sdk's objects to rows and back.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation

from bot.ports import InstallationVault

log = logging.getLogger(__name__)

# The fields of an installation read back (slack_sdk's SQLAlchemy store reads the same ones).
BOT_FIELDS = (
    "app_id",
    "enterprise_id",
    "enterprise_name",
    "team_id",
    "team_name",
    "bot_token",
    "bot_id",
    "bot_user_id",
    "bot_scopes",
    "bot_refresh_token",
    "bot_token_expires_at",
    "is_enterprise_install",
    "installed_at",
)
INSTALLATION_FIELDS = (
    *BOT_FIELDS,
    "enterprise_url",
    "user_id",
    "user_token",
    "user_scopes",
    "user_refresh_token",
    "user_token_expires_at",
    "incoming_webhook_url",
    "incoming_webhook_channel",
    "incoming_webhook_channel_id",
    "incoming_webhook_configuration_url",
    "token_type",
)


def _row(found: Installation | Bot) -> dict[str, Any]:
    return found.to_dict()


def _picked(row: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    # Instants come back naive, in UTC: slack_sdk reads a naive datetime as UTC.
    return {name: row.get(name) for name in fields}


class InstallationStore(AsyncInstallationStore):
    """slack_sdk's installation store, kept by the core's ``InstallationVault``."""

    def __init__(self, vault: InstallationVault) -> None:
        self.vault = vault

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_save(self, installation: Installation) -> None:
        await self.vault.save_installation(_row(installation))
        await self.async_save_bot(installation.to_bot())

    async def async_save_bot(self, bot: Bot) -> None:
        await self.vault.save_bot(_row(bot))

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        if is_enterprise_install or team_id is None:
            team_id = None
        row = await self.vault.find_bot(enterprise_id, team_id)
        return None if row is None else Bot(**_picked(row, BOT_FIELDS))

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        if is_enterprise_install or team_id is None:
            team_id = None
        row = await self.vault.find_installation(enterprise_id, team_id, user_id)
        if row is None:
            return None
        installation = Installation(**_picked(row, INSTALLATION_FIELDS))
        if user_id is None and installation.bot_token is not None:
            return installation
        # A member's own installation, or one with no bot token: the workspace's latest bot
        # token is the one to use (as slack_sdk's own stores do).
        bot = await self.async_find_bot(enterprise_id=enterprise_id, team_id=team_id)
        if bot is not None and installation.bot_token != bot.bot_token:
            installation.bot_id = bot.bot_id
            installation.bot_user_id = bot.bot_user_id
            installation.bot_token = bot.bot_token
            installation.bot_scopes = bot.bot_scopes
            installation.bot_refresh_token = bot.bot_refresh_token
            installation.bot_token_expires_at = bot.bot_token_expires_at
        return installation

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self.vault.delete_bot(enterprise_id, team_id)

    async def async_delete_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
    ) -> None:
        await self.vault.delete_installation(enterprise_id, team_id, user_id)
