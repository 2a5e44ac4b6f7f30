"""The scheduler: one APScheduler 3.x interval job — the tick, the reads of the trackers goals
are connected to (polling.py), and the outbox sending what they claim — run only by the leader.
No job per member or goal: due-ness lives in the database (see claims.py)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot import metrics
from bot.ports import Clock, Messenger
from bot.prompts import Prompts
from bot.schedule.claims import Ticker, TickReport
from bot.schedule.leader import Leadership
from bot.schedule.outbox import DrainReport, Outbox, Outcome
from bot.schedule.polling import Poller, PollReport
from bot.store import Database, StoreUnavailable

log = logging.getLogger(__name__)

# Seconds a stopping scheduler lets the run under way finish its sends (docker stop waits 10 s
# before SIGKILL, Kubernetes 30 s by default); past that, what is left is cut short.
STOP_GRACE = 8.0


def count_deliveries(ticked: TickReport, drained: DrainReport) -> None:
    """Add one run's reports to ``coach_deliveries``, by kind and outcome."""
    for kind, n in ticked.missed_kinds.items():
        metrics.DELIVERIES.labels(kind, Outcome.MISSED).inc(n)
    for (kind, outcome), n in drained.by_kind.items():
        metrics.DELIVERIES.labels(kind, outcome).inc(n)


class Scheduler:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        messengers: Mapping[str, Messenger],
        prompts: Prompts,
        grace: timedelta = timedelta(hours=6),
        leadership: Leadership | None = None,
        after_run: Callable[[], object] | None = None,
        poller: Poller | None = None,
    ) -> None:
        """``after_run``: called at the end of each run, when no send is in flight (the
        process's full garbage-collection pass: see ``bot.collector``). ``poller``: reads the
        trackers goals are connected to, after each tick (``None``: none are read)."""
        self.clock = clock
        self.poller = poller
        self.polled: PollReport | None = None  # what the latest run's polling did
        self.ticker = Ticker(db, grace)
        self.outbox = Outbox(db, messengers, prompts, clock)
        self.leadership = leadership or Leadership(db)
        self._aps: AsyncIOScheduler | None = None
        self._running: asyncio.Task[Any] | None = None  # the run_once under way
        self.after_run = after_run

    async def run_once(self) -> tuple[TickReport, DrainReport] | None:
        """One tick and one outbox drain, if this replica leads; ``None`` when it does not
        (or is stopping)."""
        if self.outbox.stopping.is_set():
            return None
        self._running = asyncio.current_task()
        try:
            if not await self.leadership.ensure():
                return None
            now = self.clock.now()
            # The outbox sends what the tick claims while it is still claiming: thousands of
            # prompts due at once start going out with the first batch, not after the last.
            ticking = asyncio.ensure_future(self._tick_and_poll(now))
            try:
                drained = await self.outbox.drain(now, until=ticking)
            finally:
                await asyncio.gather(ticking, return_exceptions=True)
            ticked = ticking.result()
        except StoreUnavailable:
            log.warning("scheduler: database unavailable; will try again next tick")
            return None
        finally:
            self._running = None
            if self.after_run is not None:
                self.after_run()
        count_deliveries(ticked, drained)
        return ticked, drained

    async def _tick_and_poll(self, now: datetime) -> TickReport:
        """The tick, then the trackers' reads: the outbox, still draining, sends the new bests
        they bring in this same run. A poll that fails leaves the tick's report standing."""
        ticked = await self.ticker.tick(now)
        if self.poller is not None and not self.outbox.stopping.is_set():
            try:
                self.polled = await self.poller.poll_due(now)
            except StoreUnavailable:
                log.warning("scheduler: database unavailable while polling; next tick")
        return ticked

    def start(self, every_seconds: float) -> None:
        """Run ``run_once`` now and then every ``every_seconds`` on the running event loop."""
        self._aps = AsyncIOScheduler(timezone="UTC")
        self._aps.add_job(
            self.run_once,
            "interval",
            seconds=every_seconds,
            next_run_time=self.clock.now(),
            max_instances=1,  # a long fan-out is not started twice
            coalesce=True,  # ticks missed while one ran become one, not a burst
            misfire_grace_time=max(1, int(every_seconds)),
        )
        self._aps.start()

    async def stop(self, grace: float = STOP_GRACE) -> None:
        """Stop ticking. A run under way takes nothing more, and has up to ``grace`` seconds to
        finish the sends it began (they are marked; what it took and did not send is given
        back); after that it is cancelled."""
        self.outbox.stop()
        running = self._running
        if running is not None and not running.done() and running is not asyncio.current_task():
            done, _ = await asyncio.wait({running}, timeout=grace)
            if not done:
                log.warning("scheduler: stopped with sends still under way after %.0f s", grace)
        if self._aps is not None:
            self._aps.shutdown(wait=False)
            self._aps = None
        await self.leadership.release()
        if self.poller is not None:
            await self.poller.aclose()
