"""The workspaces' installations (OAuth mode), kept by slack_sdk's SQLAlchemy store in our
database, with two changes:

- only a workspace's (or an enterprise's) latest installation is kept: a reinstall deletes the
  rows, and with them the tokens, of the installations before it;
- with keys set (``COACH_SLACK_TOKEN_KEYS``, Fernet, newest first), every token and the
  incoming-webhook URL are stored encrypted (``fernet:…``). The first key encrypts, every key
  decrypts; the first read after a start re-encrypts under the first key whatever an older key
  (or no key, before keys were set) left, so retiring a key is: put the new one first, start,
  then drop the old one.

A token no configured key opens is not a crash: the log says which setting to fix, once, and
that workspace is treated as not installed until it is fixed or the app is reinstalled.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from typing import Any, TypeVar

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from sqlalchemy import Table, and_, desc, select
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)
Found = TypeVar("Found", Installation, Bot)

PREFIX = "fernet:"  # marks a stored value as encrypted; a Slack token never starts so
INSTALLATION_SECRETS = (
    "bot_token",
    "bot_refresh_token",
    "user_token",
    "user_refresh_token",
    "incoming_webhook_url",  # whoever holds it can post to that channel
)
BOT_SECRETS = ("bot_token", "bot_refresh_token")
UNREADABLE = (
    "a Slack token in the database cannot be decrypted with COACH_SLACK_TOKEN_KEYS: add the "
    "key it was encrypted with (after the newest), or reinstall the app in that workspace"
)


class TokenKeyError(Exception):
    """A stored token that no configured key decrypts (or keys are needed and unset)."""


class Tokens:
    """Encrypts and decrypts stored token values; with no keys, stores them as they are."""

    def __init__(self, keys: list[str]) -> None:
        self._fernets = [Fernet(key.encode("ascii")) for key in keys]
        self._all = MultiFernet(self._fernets) if self._fernets else None

    def seal(self, value: str | None) -> str | None:
        if value is None or self._all is None or value.startswith(PREFIX):
            return value
        return PREFIX + self._all.encrypt(value.encode("utf-8")).decode("ascii")

    def open(self, value: str | None) -> str | None:
        if value is None or not value.startswith(PREFIX):
            return value
        if self._all is None:
            raise TokenKeyError("Slack tokens are stored encrypted: set COACH_SLACK_TOKEN_KEYS")
        try:
            return self._all.decrypt(value[len(PREFIX) :].encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise TokenKeyError(UNREADABLE) from None

    def fresh(self, value: str | None) -> str | None:
        """``value`` sealed under the first key; ``None`` when it already is (or stays clear)."""
        if value is None or self._all is None:
            return None
        if not value.startswith(PREFIX):
            return self.seal(value)
        body = value[len(PREFIX) :].encode("ascii")
        try:
            self._fernets[0].decrypt(body)
            return None
        except InvalidToken:
            pass
        try:
            return PREFIX + self._all.rotate(body).decode("ascii")
        except InvalidToken:
            raise TokenKeyError(UNREADABLE) from None


class InstallationStore(AsyncSQLAlchemyInstallationStore):
    """slack_sdk's async SQLAlchemy store, keeping one installation per workspace, its
    tokens encrypted when ``keys`` are given."""

    def __init__(self, client_id: str, engine: AsyncEngine, keys: list[str] | None = None):
        super().__init__(client_id=client_id, engine=engine, logger=log)
        self.tokens = Tokens(keys or [])
        self._refreshed = False
        self._refreshing = asyncio.Lock()
        self._told = False

    # --- writing ---------------------------------------------------------------------------

    async def async_save(self, installation: Installation) -> None:
        await super().async_save(_sealed(installation, INSTALLATION_SECRETS, self.tokens))
        await self._keep_latest(self.installations, installation)

    async def async_save_bot(self, bot: Bot) -> None:
        await super().async_save_bot(_sealed(bot, BOT_SECRETS, self.tokens))
        await self._keep_latest(self.bots, bot)

    async def _keep_latest(self, table: Table, saved: Installation | Bot) -> None:
        """Delete the rows of this workspace (or enterprise) older than its latest one."""
        c = table.c
        same = and_(
            c.client_id == self.client_id,
            c.enterprise_id == saved.enterprise_id,
            c.team_id == saved.team_id,
        )
        async with self.engine.begin() as conn:
            latest = (
                await conn.execute(
                    select(c.id).where(same).order_by(desc(c.installed_at), desc(c.id)).limit(1)
                )
            ).scalar_one_or_none()
            if latest is not None:
                await conn.execute(table.delete().where(same, c.id != latest))

    # --- reading ---------------------------------------------------------------------------

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        await self.refresh()
        bot = await super().async_find_bot(
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )
        return self._opened(bot, BOT_SECRETS)

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        await self.refresh()
        found = await super().async_find_installation(
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
            is_enterprise_install=is_enterprise_install,
        )
        return self._opened(found, INSTALLATION_SECRETS)

    def _opened(self, found: Found | None, fields: tuple[str, ...]) -> Found | None:
        if found is None:
            return None
        try:
            for name in fields:
                setattr(found, name, self.tokens.open(getattr(found, name, None)))
        except TokenKeyError as exc:
            self._tell(exc)
            return None  # as if not installed: Bolt answers the request, nothing crashes
        return found

    def _tell(self, exc: TokenKeyError) -> None:
        if not self._told:  # once: a busy workspace must not flood the log
            log.error("%s", exc)
            self._told = True

    # --- keys ------------------------------------------------------------------------------

    async def refresh(self) -> int:
        """Once per process: seal every stored secret under the newest key (clear ones too).
        Returns how many values were rewritten; a value no key opens is left and reported."""
        if self._refreshed:
            return 0
        async with self._refreshing:
            if self._refreshed:
                return 0
            rewritten = 0
            try:
                rewritten += await self._refresh(self.installations, INSTALLATION_SECRETS)
                rewritten += await self._refresh(self.bots, BOT_SECRETS)
            except TokenKeyError as exc:
                self._tell(exc)
            self._refreshed = True
            if rewritten:
                log.info("re-encrypted %d stored Slack secrets under the newest key", rewritten)
            return rewritten

    async def _refresh(self, table: Table, fields: tuple[str, ...]) -> int:
        c = table.c
        columns = [c[name] for name in fields]
        rewritten = 0
        async with self.engine.begin() as conn:
            rows = (await conn.execute(select(c.id, *columns))).mappings().all()
            for row in rows:
                changes = {}
                for name in fields:
                    fresh = self.tokens.fresh(row[name])
                    if fresh is not None:
                        changes[name] = fresh
                if changes:
                    await conn.execute(table.update().where(c.id == row["id"]).values(**changes))
                    rewritten += len(changes)
        return rewritten


def _sealed(found: Any, fields: tuple[str, ...], tokens: Tokens) -> Any:
    """A copy of ``found`` with its secrets sealed (the caller's object stays in clear)."""
    sealed = copy.copy(found)
    for name in fields:
        setattr(sealed, name, tokens.seal(getattr(found, name, None)))
    return sealed
