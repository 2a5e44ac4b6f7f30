"""Write transactions of the scheduler, one at a time on SQLite, the tick's first.

SQLite takes one writer at a time. Several in one process (the tick claiming, the outbox
taking rows and marking them sent) otherwise meet in SQLite's busy handler, which sleeps and
retries, and a transaction that read before it writes can be refused outright. Waiting for
our turn here costs nothing. The tick's claims go first: while thousands of prompts fall due,
every other write waits for the batch in progress, not for a queue of them. PostgreSQL takes
writers side by side: no turns there.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from weakref import WeakKeyDictionary

from sqlalchemy.ext.asyncio import AsyncSession

from bot.store import Database


class Turns:
    """A lock whose urgent waiters go before the others (each kind first come, first served)."""

    def __init__(self) -> None:
        self._held = False
        self._waiting: dict[bool, deque[asyncio.Future[None]]] = {True: deque(), False: deque()}

    async def acquire(self, urgent: bool) -> None:
        if not self._held and not any(self._waiting.values()):
            self._held = True
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting[urgent].append(turn)
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self.release()  # handed over just as we gave up: pass it on
            else:
                self._waiting[urgent].remove(turn)
            raise

    def release(self) -> None:
        for urgent in (True, False):
            while self._waiting[urgent]:
                turn = self._waiting[urgent].popleft()
                if not turn.done():
                    turn.set_result(None)  # still held: now by that waiter
                    return
        self._held = False


_TURNS: WeakKeyDictionary[Database, Turns] = WeakKeyDictionary()


@asynccontextmanager
async def writing(db: Database, urgent: bool = False) -> AsyncIterator[AsyncSession]:
    """A transaction that writes: ``async with writing(db) as session: ...``; ``urgent`` for
    the tick's claims."""
    if db.backend != "sqlite":
        async with db.session() as session:
            yield session
        return
    turns = _TURNS.setdefault(db, Turns())
    await turns.acquire(urgent)
    try:
        async with db.session() as session:
            yield session
    finally:
        turns.release()
