"""The drain: one loop reads due rows onto their workspace's lane and takes them a batch at a
time, keeping each workspace ``AHEAD`` messages ahead of its sends; each workspace's worker only
sends, up to ``SENDERS`` at once, so a platform's round trip does not limit the rate (the
Messenger's pacer spaces them per channel and per workspace).

Under a stream of sends the rows are taken every ``TAKE_EVERY`` for all the lanes that want
some, not as each send lands: besides its rows, each take costs about as much as forty of them
(a transaction, its reads), so few large takes leave the event loop free for the sends. A lane
running short is served at once."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Mapping
from datetime import datetime
from typing import Any

from bot.ports import Clock, Messenger
from bot.prompts import Prompts
from bot.schedule.content import Composer
from bot.schedule.outbox.lanes import Lane, Lanes
from bot.schedule.outbox.lease import PAGE, Taker, due
from bot.schedule.outbox.marks import Marks
from bot.schedule.outbox.report import DrainReport
from bot.schedule.outbox.send import Sender
from bot.store import Database
from bot.store.deliveries import DeliveryKind

SENDERS = 24  # sends in flight per workspace (the pacer spaces them)
POLL = 0.1  # seconds between looks for newly claimed rows while a tick is still claiming
# Seconds between takes under a stream of sends, unless a lane runs short. Far below what a lane
# has ahead (AHEAD messages, over a second at a workspace's pace), so no send waits for it.
TAKE_EVERY = 0.1


class Outbox:
    def __init__(
        self, db: Database, messengers: Mapping[str, Messenger], prompts: Prompts, clock: Clock
    ) -> None:
        self.db = db
        self.messengers = messengers
        self.clock = clock
        self.marks = Marks(db)
        self.taker = Taker(db, Composer(prompts), clock)
        self.sender = Sender(db, self.marks, clock)
        self.stopping = asyncio.Event()

    def stop(self) -> None:
        """Finish the drain under way gently (see the package's docstring); take no more."""
        self.stopping.set()

    async def drain(self, now: datetime, until: Awaitable[Any] | None = None) -> DrainReport:
        """Send everything pending that is due by ``now``.

        With ``until`` (the tick that is claiming rows), rows claimed while it runs are picked
        up and sent at once, workspace by workspace, until it is done.
        """
        report = DrainReport()
        pending = asyncio.ensure_future(until) if until is not None else None
        lanes = Lanes(self.messengers)
        wake = asyncio.Event()  # a worker wants more, or is done, or a digest is out
        after = 0  # the newest row read: while the tick claims, only newer ones are read
        read_at = -POLL
        read_all = False
        loop = asyncio.get_running_loop()
        look_at = loop.time()  # when the lanes are looked at again for rows to take
        stopping = asyncio.ensure_future(self.stopping.wait())
        while not self.stopping.is_set():
            final = pending is None or pending.done()
            if final and not read_all:  # once, at the end: rows committed out of id order too
                read_all = True
                await self._read(now, 0, lanes, report)
            elif not final and loop.time() - read_at >= POLL:
                read_at = loop.time()
                after = await self._read(now, after, lanes, report)
            wake.clear()
            if loop.time() >= look_at or lanes.pressing:
                look_at = loop.time() + TAKE_EVERY
                if await self._feed(lanes, now, report, wake):
                    continue  # took some: look again (at once if still pressing)
            if final and lanes.done:
                break
            waits: set[asyncio.Future[Any]] = {asyncio.ensure_future(wake.wait()), stopping}
            if pending is not None and not pending.done():
                waits.add(pending)
            timeout = max(look_at - loop.time(), 0.0)
            await asyncio.wait(
                waits,
                timeout=timeout if final else min(timeout, POLL),
                return_when=asyncio.FIRST_COMPLETED,
            )
            for waiter in waits - {pending, stopping}:
                waiter.cancel()
        stopping.cancel()
        if self.stopping.is_set():
            await self._wind_down(lanes, now)
        await self.marks.settled()
        report.waiting += sum(len(lane.held) for lane in lanes)
        return report

    async def _wind_down(self, lanes: Lanes, now: datetime) -> None:
        """Stopping: let the workers finish the sends under way, then give back what was taken
        and not sent."""
        workers = [lane.worker for lane in lanes if lane.worker is not None]
        await asyncio.gather(*workers, return_exceptions=True)
        await self.taker.give_back([ready for lane in lanes for ready in lane.ready], now)

    async def _read(self, now: datetime, after: int, lanes: Lanes, report: DrainReport) -> int:
        """Queue the due rows with an id above ``after`` on their workspace's lane, page by
        page (reading thousands at once would stall the loop); return the newest id read."""
        while True:
            rows = await due(self.db, now, after)
            report.waiting += lanes.queue(rows)
            if rows:
                after = max(after, rows[-1].delivery_id)
            if len(rows) < PAGE:
                return after

    async def _feed(
        self, lanes: Lanes, now: datetime, report: DrainReport, wake: asyncio.Event
    ) -> bool:
        """Take rows for the lanes that want some, in one transaction, and start their
        workers. ``True`` if any were chosen."""
        chosen = lanes.choose()
        if not chosen.owner:
            return False
        held: list[int] = []
        taken = await self.taker.take(chosen.ids, now, report, held)
        for lane in chosen.deal(taken, held):
            if lane.worker is None or lane.worker.done():
                lane.worker = asyncio.create_task(self._work(lane, now, report, wake))
        return True

    async def _work(
        self, lane: Lane, now: datetime, report: DrainReport, wake: asyncio.Event
    ) -> None:
        """Send what is ready in one workspace, up to ``SENDERS`` at once, until it runs dry;
        a digest on its own, then the items that waited for it go back to be taken."""
        slots = asyncio.Semaphore(SENDERS)
        sending: set[asyncio.Task[None]] = set()

        def landed(task: asyncio.Task[None]) -> None:
            slots.release()
            sending.discard(task)
            lane.flying -= 1
            if lane.short:  # otherwise the drain tops the lane up at its next take
                wake.set()

        try:
            while sending or (lane.ready and not self.stopping.is_set()):
                if self.stopping.is_set():  # what is on its way finishes and is marked
                    await asyncio.wait(set(sending))
                    continue
                if not lane.ready:
                    lane.stocked.clear()
                    wake.set()
                    stocked = asyncio.ensure_future(lane.stocked.wait())
                    stopping = asyncio.ensure_future(self.stopping.wait())
                    await asyncio.wait(
                        {stocked, stopping, *sending}, return_when=asyncio.FIRST_COMPLETED
                    )
                    stocked.cancel()
                    stopping.cancel()
                    continue
                ready = lane.ready.popleft()
                digest = ready.kind == DeliveryKind.DIGEST
                if digest:
                    await asyncio.gather(*sending)
                await slots.acquire()
                if self.stopping.is_set():  # it stays unsent: given back with the rest
                    slots.release()
                    lane.ready.appendleft(ready)
                    continue
                lane.flying += 1
                task = asyncio.create_task(
                    self.sender.send(lane.messenger, lane.tenant, ready, now, report)
                )
                task.add_done_callback(landed)
                sending.add(task)
                if digest:  # its items need its message id: out and marked first
                    await asyncio.gather(*sending)
                    await self.marks.settled()
                    lane.digest_out()
        finally:
            for task in sending:  # cancelled (shutting down): nothing sends behind our back
                task.cancel()
            wake.set()  # the drain looks again: done, or more to take
