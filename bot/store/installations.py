"""A platform app's installations (OAuth mode) and its install pages' states, kept in our
database (the tables of revision 0004, whose columns follow slack_sdk's stores) for an adapter
that reaches them through the ports ``InstallationVault`` and ``OAuthStates``.

- Only a workspace's (or an enterprise's) latest installation is kept: a reinstall deletes the
  rows, and with them the tokens, of the installations before it.
- With keys set (``COACH_SLACK_TOKEN_KEYS``, Fernet, newest first), every token and the
  incoming-webhook URL are stored encrypted (``fernet:…``). The first key encrypts, every key
  decrypts; the first read after a start re-encrypts under the first key whatever an older key
  (or no key, before keys were set) left, so retiring a key is: put the new one first, start,
  then drop the old one.
- A token no configured key opens is not a crash: the log says which setting to fix, once, and
  that workspace is treated as not installed until it is fixed or the app is reinstalled.
- Install states expire; before each new one the expired ones go, and past ``KEPT`` the oldest
  too: a flood of install pages costs the oldest unanswered ones, never the disk.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    delete,
    desc,
    select,
)

from bot.store.db import Database
from bot.store.models import GoalSource

log = logging.getLogger(__name__)

PREFIX = "fernet:"  # marks a stored value as encrypted; a platform token never starts so
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
KEPT = 5000  # unanswered install pages kept at most (far more than people ever open at once)

_metadata = MetaData()


def _bot_columns() -> list[Column[Any]]:
    return [
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("client_id", String(32), nullable=False),
        Column("app_id", String(32), nullable=False),
        Column("enterprise_id", String(32)),
        Column("enterprise_name", String(200)),
        Column("team_id", String(32)),
        Column("team_name", String(200)),
        Column("bot_token", Text),
        Column("bot_id", String(32)),
        Column("bot_user_id", String(32)),
        Column("bot_scopes", String(1000)),
        Column("bot_refresh_token", Text),
        Column("bot_token_expires_at", DateTime),
        Column("is_enterprise_install", Boolean, nullable=False),
        Column("installed_at", DateTime, nullable=False),
    ]


installations = Table(
    "slack_installations",
    _metadata,
    *_bot_columns(),
    Column("enterprise_url", String(200)),
    Column("user_id", String(32), nullable=False),
    Column("user_token", Text),
    Column("user_scopes", String(1000)),
    Column("user_refresh_token", Text),
    Column("user_token_expires_at", DateTime),
    Column("incoming_webhook_url", Text),
    Column("incoming_webhook_channel", String(200)),
    Column("incoming_webhook_channel_id", String(200)),
    Column("incoming_webhook_configuration_url", String(200)),
    Column("token_type", String(32)),
)
bots = Table("slack_bots", _metadata, *_bot_columns())
oauth_states = Table(
    "slack_oauth_states",
    _metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("state", String(200), nullable=False),
    Column("expire_at", DateTime, nullable=False),
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


def _naive_utc(value: Any) -> Any:
    """The columns are ``TIMESTAMP WITHOUT TIME ZONE``: an aware instant is stored as UTC."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value


class Installations:
    """One app's installations (``client_id``), one per workspace, tokens sealed with ``keys``.

    Rows go in and come out as mappings of the columns above; an adapter maps them to its SDK's
    objects.
    """

    def __init__(self, db: Database, client_id: str, keys: list[str] | None = None) -> None:
        self.db = db
        self.client_id = client_id
        self.tokens = Tokens(keys or [])
        self._refreshed = False
        self._refreshing = asyncio.Lock()
        self._told = False

    # --- writing ---------------------------------------------------------------------------

    async def save_installation(self, row: Mapping[str, Any]) -> None:
        await self._save(installations, row, INSTALLATION_SECRETS)

    async def save_bot(self, row: Mapping[str, Any]) -> None:
        await self._save(bots, row, BOT_SECRETS)

    async def _save(self, table: Table, row: Mapping[str, Any], secrets: tuple[str, ...]) -> None:
        """Insert ``row`` (or update the one installed at the same instant), its secrets
        sealed, then delete the rows of this workspace (or enterprise) older than its latest."""
        names = [column.name for column in table.c if column.name != "id"]
        values = {name: _naive_utc(row[name]) for name in names if name in row}
        values["client_id"] = self.client_id
        for name in secrets:
            values[name] = self.tokens.seal(values.get(name))
        c = table.c
        same = self._where(table, values.get("enterprise_id"), values.get("team_id"))
        async with self.db.engine.begin() as conn:
            existing = (
                await conn.execute(
                    select(c.id).where(same, c.installed_at == values["installed_at"]).limit(1)
                )
            ).scalar_one_or_none()
            if existing is None:
                await conn.execute(table.insert().values(**values))
            else:
                await conn.execute(table.update().where(c.id == existing).values(**values))
            latest = (
                await conn.execute(
                    select(c.id).where(same).order_by(desc(c.installed_at), desc(c.id)).limit(1)
                )
            ).scalar_one_or_none()
            if latest is not None:
                await conn.execute(table.delete().where(same, c.id != latest))

    async def delete_installation(
        self, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        where = self._where(installations, enterprise_id, team_id)
        if user_id is not None:
            where = and_(where, installations.c.user_id == user_id)
        async with self.db.engine.begin() as conn:
            await conn.execute(installations.delete().where(where))

    async def delete_bot(self, enterprise_id: str | None, team_id: str | None) -> None:
        async with self.db.engine.begin() as conn:
            await conn.execute(bots.delete().where(self._where(bots, enterprise_id, team_id)))

    # --- reading ---------------------------------------------------------------------------

    async def find_installation(
        self, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> dict[str, Any] | None:
        """The latest installation of the workspace (by ``user_id`` when given), secrets
        opened; ``None`` when there is none, or when no configured key opens it."""
        where = self._where(installations, enterprise_id, team_id)
        if user_id is not None:
            where = and_(where, installations.c.user_id == user_id)
        return await self._find(installations, where, INSTALLATION_SECRETS)

    async def find_bot(
        self, enterprise_id: str | None, team_id: str | None
    ) -> dict[str, Any] | None:
        """The latest bot (with a token) of the workspace, secrets opened; ``None`` as above."""
        where = and_(self._where(bots, enterprise_id, team_id), bots.c.bot_token.is_not(None))
        return await self._find(bots, where, BOT_SECRETS)

    async def _find(
        self, table: Table, where: ColumnElement[bool], secrets: tuple[str, ...]
    ) -> dict[str, Any] | None:
        await self.refresh()
        query = table.select().where(where).order_by(desc(table.c.installed_at)).limit(1)
        async with self.db.engine.connect() as conn:
            found = (await conn.execute(query)).mappings().first()
        if found is None:
            return None
        row = dict(found)
        try:
            for name in secrets:
                row[name] = self.tokens.open(row[name])
        except TokenKeyError as exc:
            self._tell(exc)
            return None  # as if not installed: the platform's request is answered, no crash
        return row

    def _where(
        self, table: Table, enterprise_id: str | None, team_id: str | None
    ) -> ColumnElement[bool]:
        c = table.c
        return and_(
            c.client_id == self.client_id, c.enterprise_id == enterprise_id, c.team_id == team_id
        )

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
                rewritten += await self._refresh(installations, INSTALLATION_SECRETS)
                rewritten += await self._refresh(bots, BOT_SECRETS)
            except TokenKeyError as exc:
                self._tell(exc)
            self._refreshed = True
            if rewritten:
                log.info("re-encrypted %d stored Slack secrets under the newest key", rewritten)
            return rewritten

    async def _refresh(self, table: Table, fields: tuple[str, ...]) -> int:
        return await reseal(self.db, self.tokens, table, fields)


async def reseal(
    db: Database, tokens: Tokens, table: Table, fields: tuple[str, ...], skip: bool = False
) -> int:
    """Seal every value of ``fields`` in ``table`` under the newest key (clear ones too);
    how many were rewritten. ``TokenKeyError`` for a value no key opens, unless ``skip``:
    then it is left as it is."""
    c = table.c
    rewritten = 0
    async with db.engine.begin() as conn:
        rows = (await conn.execute(select(c.id, *(c[n] for n in fields)))).mappings().all()
        for row in rows:
            changes = {}
            for name in fields:
                try:
                    fresh = tokens.fresh(row[name])
                except TokenKeyError:
                    if not skip:
                        raise
                    log.warning("a stored secret no configured key opens was left as it is")
                    continue
                if fresh is not None:
                    changes[name] = fresh
            if changes:
                await conn.execute(table.update().where(c.id == row["id"]).values(**changes))
                rewritten += len(changes)
    return rewritten


async def reseal_tracker_credentials(db: Database, tokens: Tokens) -> int:
    """At start-up: every goal's tracker credential sealed under the newest key (the keys
    were rotated, or set for the first time); how many were rewritten. One no key opens is
    left as it is and said once in the log (its member is told when it is next read)."""
    sources = GoalSource.__table__
    assert isinstance(sources, Table)
    rewritten = await reseal(db, tokens, sources, ("secret",), skip=True)
    if rewritten:
        log.info("re-encrypted %d tracker credentials under the newest key", rewritten)
    return rewritten


class InstallStates:
    """The states of install pages not yet answered: each consumed once, before it expires."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def issue(self, state: str, expire_at: datetime) -> None:
        async with self.db.engine.begin() as conn:
            await conn.execute(
                oauth_states.insert().values(state=state, expire_at=_naive_utc(expire_at))
            )

    async def consume(self, state: str, now: datetime) -> bool:
        """Whether ``state`` was issued and has not expired by ``now``; if so, it is spent."""
        c = oauth_states.c
        async with self.db.engine.begin() as conn:
            found = (
                await conn.execute(
                    select(c.id).where(c.state == state, c.expire_at > _naive_utc(now)).limit(1)
                )
            ).scalar_one_or_none()
            if found is None:
                return False
            await conn.execute(delete(oauth_states).where(c.id == found))
            return True

    async def prune(self, now: datetime, kept: int = KEPT) -> None:
        """Delete the states that expired by ``now`` and all but the ``kept`` newest."""
        c = oauth_states.c
        newest_dropped = select(c.id).order_by(c.id.desc()).offset(kept).limit(1).scalar_subquery()
        async with self.db.engine.begin() as conn:
            await conn.execute(delete(oauth_states).where(c.expire_at <= _naive_utc(now)))
            await conn.execute(delete(oauth_states).where(c.id <= newest_dropped))
