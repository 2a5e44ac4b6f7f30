"""Readiness: can this process do its work? (Liveness is only "the server answers".)

The database must take a *write*, not only answer a read: a SQLite file that became read-only
or reached its size limit, or a PostgreSQL server that only accepts reads (a standby, or a
managed server that turned read-only when its disk filled), still answers ``SELECT 1`` while
every check-in would fail. The probe writes in a transaction that is rolled back: it leaves
nothing behind.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.adapter import RunOptions
from bot.coach import Coach
from bot.store.db import Database, is_unavailable

log = logging.getLogger(__name__)

# Below this much free space on the SQLite file's disk the next growth of the file may fail.
MIN_FREE_BYTES = 16 * 1024 * 1024

# SQLite's result codes (``sqlite3.Error.sqlite_errorcode`` & 0xFF) → the reason reported.
SQLITE_REASONS = {
    sqlite3.SQLITE_READONLY: "read-only",
    sqlite3.SQLITE_FULL: "full",
    sqlite3.SQLITE_BUSY: "locked",
    sqlite3.SQLITE_LOCKED: "locked",
    sqlite3.SQLITE_CANTOPEN: "unreachable",
    sqlite3.SQLITE_IOERR: "unwritable",
}
READ_ONLY_SQLSTATE = "25006"  # PostgreSQL's read_only_sql_transaction


class NotWritable(Exception):
    """The database answers but does not take writes; ``reason`` says how."""

    def __init__(self, reason: str, cause: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.cause = cause


async def readiness(coach: Coach, options: RunOptions) -> tuple[bool, dict[str, Any]]:
    """(ready, details): the database takes a write and every adapter is connected; the
    scheduler's role on this replica (leader or follower — both are ready).

    Example: ``(True, {"database": "ok", "adapters": {"slack": "connected"},
    "scheduler": "leader"})``; ``"database"`` is otherwise ``"read-only"``, ``"full"``,
    ``"locked"``, ``"unreachable"`` or ``"unwritable"``.
    """
    database = await database_state(coach.db)
    scheduler = options.scheduler
    role = "off" if scheduler is None else "leader" if scheduler.leadership.leading else "follower"
    adapters = {}
    for name, check in options.platforms.connections().items():
        # No check: nothing to lose (a server that is called, a terminal).
        adapters[name] = "connected" if check is None or await check() else "disconnected"
    details = {"database": database, "adapters": adapters, "scheduler": role}
    ready = database == "ok" and all(state == "connected" for state in adapters.values())
    return ready, details


async def database_state(db: Database) -> str:
    """``"ok"`` when the database takes a write, else why not; the cause is logged."""
    try:
        async with db.engine.connect() as conn:
            transaction = await conn.begin()
            try:
                if db.backend == "sqlite":
                    await _sqlite_write(conn)
                else:
                    await _postgresql_write(conn)
            finally:
                await transaction.rollback()
        _check_free_space(db)
    except NotWritable as exc:
        log.warning("readiness: the database is %s (%s)", exc.reason, exc.cause)
        return exc.reason
    except Exception as exc:
        if not (is_unavailable(exc) or isinstance(exc, DBAPIError)):
            raise
        reason, cause = _explain(exc)
        log.warning("readiness: the database is %s (%s)", reason, cause)
        return reason
    return "ok"


async def _sqlite_write(conn: AsyncConnection) -> None:
    # The driver starts no transaction before DDL by itself: without this BEGIN the table
    # would be created for good instead of rolled back.
    await conn.exec_driver_sql("BEGIN")
    # A new table and a page-sized row allocate pages: a file at its size limit
    # (``max_page_count``, or no room to grow) refuses here, as a read-only one does.
    await conn.execute(text("CREATE TABLE readiness_probe (filler BLOB)"))
    page = (await conn.execute(text("PRAGMA page_size"))).scalar_one()
    await conn.execute(text("INSERT INTO readiness_probe VALUES (zeroblob(:n))"), {"n": page})


async def _postgresql_write(conn: AsyncConnection) -> None:
    read_only = await conn.execute(text("SELECT current_setting('transaction_read_only')"))
    if read_only.scalar_one() == "on":
        raise NotWritable("read-only", "transaction_read_only is on")
    # A transaction id is what every write needs first: a standby refuses to assign one.
    await conn.execute(text("SELECT txid_current()"))


def _check_free_space(db: Database) -> None:
    if db.backend != "sqlite":
        return
    name = make_url(str(db.engine.url)).database
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    free = shutil.disk_usage(Path(name).parent).free
    if free < MIN_FREE_BYTES:
        raise NotWritable("full", f"{free} bytes free on the data folder's disk")


def _explain(exc: BaseException) -> tuple[str, str]:
    """(reason, cause) of a database error: the driver's own error name and message, never
    the statement or its parameters (no member text, no credentials)."""
    orig = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    cause = f"{type(orig).__name__}: {str(orig).splitlines()[0][:200]}" if str(orig) else ""
    cause = cause or type(orig).__name__
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int):
        return SQLITE_REASONS.get(code & 0xFF, "unwritable"), cause
    if getattr(orig, "sqlstate", None) == READ_ONLY_SQLSTATE or "read-only" in cause:
        return "read-only", cause
    return ("unreachable" if is_unavailable(exc) else "unwritable"), cause
