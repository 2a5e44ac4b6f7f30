"""Engines, sessions and migrations: SQLite (WAL) by default, PostgreSQL when configured."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import delete, event, select, text
from sqlalchemy.engine import Connection, ExceptionContext, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot import private
from bot.events import TenantRef
from bot.store.models import GoalSource, Member, Tenant
from bot.store.repos import TenantScope, tenant_for
from bot.store.views import SourceRef

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
# The installations and install states (revision 0004) are kept by bot/store/installations.py,
# behind the ports InstallationVault and OAuthStates, as tables of its own metadata: the models do
# not describe them, so schema comparisons leave them alone.
LIBRARY_TABLES = frozenset({"slack_installations", "slack_bots", "slack_oauth_states"})


def include_name(name: str | None, kind: str, _parent: object) -> bool:
    return not (kind == "table" and name in LIBRARY_TABLES)


CONNECT_TIMEOUT = 5  # seconds to open a PostgreSQL connection
COMMAND_TIMEOUT = 10  # seconds one statement may wait for PostgreSQL's answer


class StoreUnavailable(Exception):
    """The database could not be reached or is locked; nothing was written."""


# What "the database is down or busy" looks like from SQLAlchemy and the drivers under it.
UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    PoolTimeout,
    OSError,
    TimeoutError,
)


def is_unavailable(exc: BaseException) -> bool:
    if isinstance(exc, UNAVAILABLE_ERRORS):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine; for SQLite, WAL and foreign keys on every connection, and its files
    private to this user. On every backend, statement parameters (members' words) stay out of
    errors and logs."""
    kwargs.setdefault("hide_parameters", True)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        file = _sqlite_file(parsed.database)
        if file is not None:
            private.private_sqlite(file)
        # A locked database waits up to 5 s before it is reported, rather than failing at once.
        kwargs.setdefault("connect_args", {"timeout": 5})
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        if file is not None:
            # SQLite makes its -wal and -shm files as it opens: private too, right after.
            event.listen(engine.sync_engine, "connect", lambda *_: private.private_sqlite(file))
        return engine
    kwargs.setdefault("pool_pre_ping", True)  # a database that came back is used again at once
    # Every wait on the server is bounded, the pool's pre-ping included: a database that stops
    # answering (a network that drops packets, a frozen server) otherwise holds a command, or
    # the scheduler's tick, until the operating system gives up on the socket (many minutes).
    kwargs["connect_args"] = {
        "timeout": CONNECT_TIMEOUT,
        "command_timeout": COMMAND_TIMEOUT,
        **kwargs.get("connect_args", {}),
    }
    engine = create_async_engine(url, **kwargs)
    event.listen(engine.sync_engine, "handle_error", _without_row_details)
    return engine


HIDDEN_DETAIL = "(hidden: it may quote a member's words)"


def _without_row_details(context: ExceptionContext) -> None:
    """PostgreSQL puts the failing row, or a conflicting key, in an error's DETAIL, and asyncpg
    prints it with the error: a member's words would reach the log with its traceback."""
    seen: set[int] = set()
    found: BaseException | None = context.original_exception
    while found is not None and id(found) not in seen:
        seen.add(id(found))
        if getattr(found, "detail", None) and type(found).__module__.startswith("asyncpg"):
            found.detail = HIDDEN_DETAIL  # type: ignore[attr-defined]
        found = found.__cause__ or found.__context__


def _sqlite_file(database: str | None) -> Path | None:
    """The database file of a SQLite URL; None in memory or for a ``file:`` URI."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Deleted rows are overwritten with zeros, so a forgotten member's words do not linger in
    # free pages of the file.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


MIGRATION_LOCK = 0x52434D47  # "RCMG": replicas starting together migrate one at a time


def _upgrade(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        # Held until this transaction ends: a second replica waits, then finds nothing to do.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    command.upgrade(alembic_config(connection), "head")


def _revisions(connection: Connection) -> tuple[str | None, str | None]:
    current = MigrationContext.configure(connection).get_current_revision()
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    return current, head


class Database:
    """One engine and its sessions. ``async with db.session() as s:`` is one transaction."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> Database:
        return cls(create_engine(url, **kwargs))

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    async def upgrade(self) -> None:
        """Apply every Alembic migration not yet applied."""
        async with self.engine.begin() as conn:
            await conn.run_sync(_upgrade)

    async def revisions(self) -> tuple[str | None, str | None]:
        """(applied revision, newest revision shipped)."""
        async with self.engine.connect() as conn:
            return await conn.run_sync(_revisions)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A transaction: committed when the block ends, rolled back on error.

        Database outages surface as ``StoreUnavailable``.
        """
        try:
            async with self._sessions() as session, session.begin():
                yield session
        except Exception as exc:
            if is_unavailable(exc):
                log.warning("database unavailable: %s", type(exc).__name__)
                raise StoreUnavailable(str(exc.__class__.__name__)) from exc
            raise

    @asynccontextmanager
    async def scope(self, tenant: TenantRef, now: datetime) -> AsyncIterator[TenantScope]:
        """The repositories of ``tenant``, in one transaction."""
        async with self.session() as session:
            yield TenantScope(session, await tenant_for(session, tenant, now))

    async def source_for_token(self, token_hash: str) -> SourceRef | None:
        """The goal source whose push token has this sha256, in any tenant."""
        refs = await self._sources(GoalSource.token_hash == token_hash, limit=1)
        return refs[0] if refs else None

    async def due_sources(self, now: datetime, limit: int) -> list[SourceRef]:
        """The polled sources due by ``now``, the longest due first, at most ``limit``."""
        return await self._sources(
            GoalSource.next_poll_at <= now, order=GoalSource.next_poll_at, limit=limit
        )

    async def _sources(self, where: Any, limit: int, order: Any = GoalSource.id) -> list[SourceRef]:
        query = (
            select(Tenant.platform, Tenant.external_id, Member.user_id, GoalSource)
            .join(Tenant, Tenant.id == GoalSource.tenant_id)
            .join(Member, Member.id == GoalSource.member_id)
            .where(where)
            .order_by(order)
            .limit(limit)
        )
        async with self.session() as session:
            rows = (await session.execute(query)).all()
        return [
            SourceRef(TenantRef(platform, external), user, source.goal_id, source.id, source.kind)
            for platform, external, user, source in rows
        ]

    async def forget_tenant(self, tenant: TenantRef) -> None:
        """Delete ``tenant`` and, by cascade, every row it holds: the workspace or server
        removed the coach."""
        async with self.session() as session:
            await session.execute(
                delete(Tenant).where(
                    Tenant.platform == tenant.platform, Tenant.external_id == tenant.external_id
                )
            )

    async def wipe_journal(self) -> None:
        """On SQLite, copy the write-ahead log into the database and empty it: deleted words
        (already zeroed in the database by ``secure_delete``) leave the WAL file too. Nothing
        to do on PostgreSQL, whose server manages its own files."""
        if self.backend != "sqlite":
            return
        try:
            async with self.engine.connect() as conn:
                await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        except Exception as exc:  # SQLite checkpoints on its own later; the rows are gone
            log.warning("write-ahead log not emptied now: %s", type(exc).__name__)

    async def dispose(self) -> None:
        await self.engine.dispose()
