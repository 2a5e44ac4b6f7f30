"""Marking rows sent: at once when sends are few; under a stream of sends, a batch every
``MARK_EVERY``, as one write per message would cost more than the rest of the send."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam

from bot.schedule.rows import DELIVERIES
from bot.schedule.writes import writing
from bot.store import Database
from bot.store.deliveries import DeliveryStatus

log = logging.getLogger(__name__)

MARK_EVERY = 0.02  # seconds between writes of sent marks, under a stream of sends

SENT = (
    DELIVERIES.update()
    .where(DELIVERIES.c.id == bindparam("b_id"))
    .values(
        status=DeliveryStatus.SENT,
        sent_at=bindparam("b_at"),
        attempts=DELIVERIES.c.attempts + 1,
    )
)


class Marks:
    """Marks rows sent, a batch at a time. ``add`` does not wait; ``settled`` writes what is
    waiting at once and returns once every mark added so far is written (or could not be).

    A mark that cannot be written (the database went away) leaves its row pending and in
    doubt: it is taken again after its lease, and found on the platform, not sent again.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self._waiting: list[tuple[int, datetime, dict[str, Any] | None]] = []
        self._writer: asyncio.Task[None] | None = None
        self._hurry = asyncio.Event()
        self._last = float("-inf")  # when the latest write began (event loop time)

    def add(self, delivery_id: int, sent_at: datetime, detail: dict[str, Any] | None) -> None:
        """Mark the row sent at ``sent_at``, remembering ``detail`` (the message's id…);
        ``None``: its detail stays as it is (nothing new to remember, nothing to write)."""
        self._waiting.append((delivery_id, sent_at, detail))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())

    async def settled(self) -> None:
        self._hurry.set()
        try:
            while self._writer is not None and not self._writer.done():
                await asyncio.wait({self._writer})
        finally:
            self._hurry.clear()

    async def _write(self) -> None:
        loop = asyncio.get_running_loop()
        while self._waiting:
            # At most one write every MARK_EVERY: the first mark in a while is written at
            # once; under a stream of sends, marks gather for the next write meanwhile.
            wait = self._last + MARK_EVERY - loop.time()
            if wait > 0 and not self._hurry.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._hurry.wait(), wait)
            self._last = loop.time()
            batch, self._waiting = self._waiting, []
            kept = [{"b_id": i, "b_at": at} for i, at, detail in batch if detail is None]
            changed = [
                {"b_id": i, "b_at": at, "b_detail": detail}
                for i, at, detail in batch
                if detail is not None
            ]
            try:
                async with writing(self.db) as session:
                    if kept:  # most messages: no detail to encode and store again
                        await session.execute(SENT, kept)
                    if changed:
                        await session.execute(SENT.values(detail=bindparam("b_detail")), changed)
            except Exception:
                # Sent but not marked: they go again after their lease, looked up first.
                # Nothing better is possible: the platform has them already.
                ids = [delivery_id for delivery_id, _, _ in batch]
                log.warning("deliveries %s sent but not marked", ids, exc_info=True)
