"""The interactions and DM messages being answered right now.

A shutdown waits for them, because an answer half-sent is worse than a slow stop; and a caller
can wait until one given interaction has been fully answered (tests do, instead of sleeping).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

REMEMBER = 1024  # finished keys kept, so a late ``finished(key)`` returns at once


class InFlight:
    """``async with inflight.track(key): ...`` around each answer.

    >>> await inflight.finished("1234")  # returns once interaction 1234 was answered
    """

    def __init__(self, remember: int = REMEMBER) -> None:
        self._remember = remember
        self._active: dict[str, int] = {}
        self._done: OrderedDict[str, None] = OrderedDict()
        self._changed = asyncio.Condition()

    @asynccontextmanager
    async def track(self, key: str) -> AsyncIterator[None]:
        """Mark ``key`` (an interaction or message id) as being answered for the block."""
        self._active[key] = self._active.get(key, 0) + 1
        try:
            yield
        finally:
            self._active[key] -= 1
            if not self._active[key]:
                del self._active[key]
                self._done[key] = None
                while len(self._done) > self._remember:
                    self._done.popitem(last=False)
            async with self._changed:
                self._changed.notify_all()

    @property
    def busy(self) -> int:
        """How many answers are in flight."""
        return len(self._active)

    async def finished(self, key: str) -> None:
        """Return once the answer to ``key`` is complete."""
        async with self._changed:
            await self._changed.wait_for(lambda: key in self._done and key not in self._active)

    async def drain(self, seconds: float) -> bool:
        """Wait up to ``seconds`` for every answer in flight; ``False`` if some remain."""
        try:
            async with asyncio.timeout(seconds), self._changed:
                await self._changed.wait_for(lambda: not self._active)
        except TimeoutError:
            return False
        return True
