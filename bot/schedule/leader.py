"""Only one replica runs the tick: the holder of a PostgreSQL advisory lock, taken on a
dedicated connection. When that connection dies, PostgreSQL frees the lock and another replica
takes it on its next try. SQLite means one process: it always leads.

(The lock is session-level: it does not work through PgBouncer transaction pooling.)
"""

from __future__ import annotations

import logging

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store import Database

log = logging.getLogger(__name__)

LOCK_KEY = 0x52435343  # "RCSC": any fixed 64-bit number shared by the replicas


class Leadership:
    def __init__(self, db: Database, key: int = LOCK_KEY) -> None:
        self.db = db
        self.key = key
        self._connection: AsyncConnection | None = None

    @property
    def leading(self) -> bool:
        return self.db.backend != "postgresql" or self._connection is not None

    async def ensure(self) -> bool:
        """Are we the leader now? Checks a held lock is still alive, or tries to take it."""
        if self.db.backend != "postgresql":
            return True
        if self._connection is not None:
            try:
                await self._connection.execute(text("SELECT 1"))
                return True
            except Exception:
                log.warning("lost the scheduler lock's connection; trying to lead again")
                await self._drop()
        try:
            connection = await self.db.engine.connect()
        except Exception:
            log.warning("cannot reach the database to take the scheduler lock")
            return False
        try:
            taken = await connection.scalar(select(func.pg_try_advisory_lock(self.key)))
            await connection.commit()
        except Exception:
            await connection.close()
            return False
        if not taken:
            await connection.close()
            return False
        self._connection = connection
        log.info("this replica now runs the scheduler")
        return True

    async def release(self) -> None:
        if self._connection is not None:
            try:
                await self._connection.scalar(select(func.pg_advisory_unlock(self.key)))
            finally:
                await self._drop()

    async def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                await connection.invalidate()  # never hand a dead or locked session back
            except Exception:
                log.debug("closing a dead lock connection failed", exc_info=True)
