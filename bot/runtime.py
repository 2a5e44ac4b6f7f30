"""The runtime: one run of the coach, wired from settings, run until it is stopped.

>>> runtime = Runtime.for_run(settings)  # what ``research-coach run`` starts
>>> runtime.run_process()  # until SIGTERM, Ctrl-C or the end of the console's input

Start-up, in order: the database (migrated to the newest schema), the embedded analysis model,
the prompts, the LLM clients, the coach, the scheduler, the operations server when no adapter
serves HTTP, the stop signals; then the adapters, side by side. Shutdown undoes it in reverse:
the scheduler first (the sends under way finish while the adapters are still connected), then
the adapters, the operations server, the LLM clients and the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import tempfile
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bot import adapter, analysis, charts
from bot.adapter import Adapter, Roster, RunOptions
from bot.coach import Coach
from bot.coach.chart_links import ChartLinks, link_key
from bot.coach.limits import Limits
from bot.collector import Collector
from bot.health import readiness
from bot.llm import follow_ups_from, judge_from
from bot.ops import OpsServer
from bot.ports import Clock, OffsetClock, SystemClock
from bot.prompts import load_prompts
from bot.push import PushRoutes
from bot.schedule.polling import Poller
from bot.schedule.runner import Scheduler
from bot.settings import Settings, token_keys
from bot.store import Database
from bot.store.installations import Tokens, reseal_tracker_credentials

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class DatabaseUnavailable(Exception):
    """The database could not be opened or migrated. ``where`` is its URL with the password
    hidden; ``cause`` the error's type only (a driver's message may quote the URL)."""

    def __init__(self, where: str, cause: str) -> None:
        super().__init__(f"{where}: {cause}")
        self.where = where
        self.cause = cause


async def open_database(settings: Settings) -> Database:
    """The configured database, migrated to the newest schema; ``DatabaseUnavailable`` if not."""
    url = settings.resolved_database_url()
    db = Database.from_url(url)
    try:
        await db.upgrade()
    except Exception as exc:
        await db.dispose()
        where = make_url(url).render_as_string(hide_password=True)
        raise DatabaseUnavailable(where, type(exc).__name__) from None
    return db


def demo_clock(now: datetime | None = None) -> OffsetClock:
    """The demo's time, from the coming Monday 09:00 UTC: an hour before a new team's check-in
    prompts and channel nudge, so each ``/tick 7d`` plays one whole week in the same order
    (prompt and nudge, reminder, digest), whatever the day the demo is started."""
    now = now or datetime.now(UTC)
    monday = (now + timedelta(days=(7 - now.weekday()) % 7)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    if monday < now:
        monday += timedelta(weeks=1)
    clock = OffsetClock()
    clock.advance(monday - now)
    return clock


def serves_platform(running: Sequence[Adapter]) -> bool:
    """Whether a platform runs: then the run has an HTTP server (an adapter's or its own), and
    it serves the push endpoint scripts record values through (``bot.push``)."""
    return any(a.name != "console" for a in running)


def needs_ops_server(running: Sequence[Adapter], settings: Settings) -> bool:
    """Whether the run serves the operations endpoints itself: a platform runs and none of
    the running adapters has an HTTP server of its own (Slack in Socket Mode, Discord). The
    console alone opens no port: trying the coach in a terminal stays a terminal affair."""
    platforms = [a for a in running if a.name != "console"]
    return bool(platforms) and not any(a.serves_http(settings) for a in platforms)


# Seconds after start-up the chart worker starts: the adapters connect first, and a run
# stopped at once (a failed start, a test) never starts one.
WARM_UP_AFTER = 5.0


async def _warm_up_charts() -> None:
    await asyncio.sleep(WARM_UP_AFTER)
    await charts.warm_up()


def _warmed(task: asyncio.Task[None]) -> None:
    """A chart worker that could not start is said once; charts then start it on demand."""
    if not task.cancelled() and task.exception() is not None:
        log.warning("chart worker not started: %s", type(task.exception()).__name__)


def chart_links(
    db: Database, clock: Clock, running: Sequence[Adapter], settings: Settings
) -> ChartLinks | None:
    """Signed links to members' charts, served when a platform whose home fetches its images
    serves HTTP under ``COACH_PUBLIC_URL`` (Slack in HTTP mode: its signing secret, which its
    replicas share, keys the links)."""
    secret = settings.slack_signing_secret
    slack = [a for a in running if a.name == "slack" and a.serves_http(settings)]
    if not slack or settings.public_url is None or secret is None:
        return None
    return ChartLinks(db, link_key(secret.get_secret_value()), settings.public_url, clock)


class Runtime:
    """One run: the named adapters and everything they share, started and stopped together.

    Its clock is the system clock, except in the demo (``demo=True``): there an
    ``OffsetClock`` the console's ``/tick`` moves, on a throw-away database in a folder of its
    own, deleted when the run stops.
    """

    def __init__(
        self,
        settings: Settings,
        names: Sequence[str],
        *,
        member: str | None = None,
        demo: bool = False,
        adapters: Mapping[str, Adapter] | None = None,
    ) -> None:
        found = adapter.discover() if adapters is None else adapters
        unknown = [name for name in names if name not in found]
        if unknown:
            raise ValueError(f"no adapter named {', '.join(unknown)}")
        self.settings = self._given = settings
        self.running = [found[name] for name in names]
        self.member = member
        self.demo = demo
        # The demo's simulated time, which its /tick moves; every other run keeps real time.
        self.simulated = demo_clock() if demo else None
        self.clock: Clock = self.simulated or SystemClock()
        self.collector = Collector()  # the process's garbage-collector policy
        # Built by ``start``; ``None`` before it and after ``stop``.
        self.db: Database | None = None
        self.coach: Coach | None = None
        self.scheduler: Scheduler | None = None
        self.options: RunOptions | None = None
        self.ops: OpsServer | None = None
        self.ops_port: int | None = None
        self._throwaway: tempfile.TemporaryDirectory[str] | None = None
        self._signals: list[signal.Signals] = []
        self._stopping: set[asyncio.Task[None]] = set()  # a reference, so it is not collected
        self._warming: asyncio.Task[None] | None = None  # the chart worker starting (platforms)

    @classmethod
    def for_run(cls, settings: Settings, adapters: Mapping[str, Adapter] | None = None) -> Runtime:
        """``research-coach run``: every adapter whose settings are present; the console when
        none is."""
        found = adapter.discover() if adapters is None else adapters
        names = [n for n, a in found.items() if n != "console" and not a.missing(settings)]
        return cls(settings, names or ["console"], adapters=found)

    @classmethod
    def for_console(
        cls,
        settings: Settings,
        member: str | None = None,
        demo: bool = False,
        adapters: Mapping[str, Adapter] | None = None,
    ) -> Runtime:
        """``research-coach console [--as NAME] [--demo]``: the console alone."""
        return cls(settings, ["console"], member=member, demo=demo, adapters=adapters)

    # --- the whole run ------------------------------------------------------------------------

    def run_process(self) -> None:
        """Run in this process until stopped; SIGTERM (docker stop, Kubernetes, systemd) ends
        it like Ctrl-C, and either leaves normally. ``DatabaseUnavailable`` if it cannot start.

        Before the event loop takes the signals (see ``run``), SIGTERM raises
        ``KeyboardInterrupt`` like Ctrl-C: a stop during start-up is cancelled at once.
        """
        previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
        try:
            with contextlib.suppress(KeyboardInterrupt, asyncio.CancelledError):
                asyncio.run(self.run())
        finally:
            if previous is not None:  # None: a handler not set from Python, nothing to give back
                signal.signal(signal.SIGTERM, previous)

    async def run(self) -> None:
        """Start, serve every adapter until they end or a stop signal comes, then stop.

        A stop signal returns normally; any other cancellation goes on up."""
        try:
            await self.start()
            self._catch_stop_signals()
            await self.serve()
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if not self._stopping or task is None or task.uncancel() > 0:
                raise
        finally:
            await self.stop()

    # --- the steps ----------------------------------------------------------------------------

    async def start(self) -> None:
        """Build and start what the adapters share; after a failure, what was built is
        stopped again and the error raised (``DatabaseUnavailable`` for the database)."""
        try:
            await self._start()
        except BaseException:
            await self.stop()
            raise

    async def _start(self) -> None:
        if self.demo:
            # Its own SQLite in a folder of its own, whatever COACH_DATA_DIR or
            # COACH_DATABASE_URL say: the member's data folder is not touched.
            self._throwaway = tempfile.TemporaryDirectory(prefix="research-coach-demo-")
            self.settings = self.settings.model_copy(
                update={"data_dir": Path(self._throwaway.name), "database_url": None}
            )
        settings = self.settings
        self.db = await open_database(settings)
        # The embedded analysis model loads before the first check-in (or the log says why not).
        analysis.configure(enabled=settings.analysis_model, model_file=settings.analysis_model_file)
        await asyncio.to_thread(analysis.warm_up)
        prompts = load_prompts()
        # Tracker credentials are sealed with the Slack tokens' keys (COACH_SLACK_TOKEN_KEYS).
        secrets = Tokens(token_keys(settings.slack_token_keys))
        await reseal_tracker_credentials(self.db, secrets)  # keys rotated, or set at last
        self.coach = Coach(
            self.db,
            self.clock,
            prompts,
            follow_ups_from(settings, prompts),
            judge=judge_from(settings, prompts),
            limits=Limits.from_settings(settings),
            secrets=secrets,
            public_url=settings.public_url,
            tracker_addresses=settings.tracker_addresses,
        )
        platforms = Roster()  # the adapters attach their messengers to it as they start
        self.scheduler = Scheduler(
            self.db,
            self.clock,
            platforms.messengers,
            prompts,
            timedelta(hours=settings.schedule_grace_hours),
            after_run=self.collector.full_pass,
            poller=Poller(
                self.db,
                secrets,
                None,
                timedelta(minutes=settings.poll_minutes),
                self.clock,
                addresses=settings.tracker_addresses,
            ),
        )
        # Scripts push to whichever server the run has (COACH_PUBLIC_URL); the console opens none.
        push = PushRoutes(self.db, self.clock, prompts) if serves_platform(self.running) else None
        routes = push.routes() if push is not None else []
        links = chart_links(self.db, self.clock, self.running, settings)
        if links is not None:  # Slack's App Home fetches each goal's chart from a signed link
            self.coach.chart_links = links
            routes += links.routes()
        self.options = RunOptions(
            self.member, platforms, self.scheduler, self.simulated, routes=tuple(routes)
        )
        self.collector.freeze_start_up()  # everything that lives as long as the process is built
        if serves_platform(self.running):
            # The chart worker takes a second or two to start: spent now, in the background,
            # not by the first member who asks for a chart. The console starts it on demand.
            self._warming = asyncio.create_task(_warm_up_charts())
            self._warming.add_done_callback(_warmed)
        self.scheduler.start(settings.tick_seconds)
        if needs_ops_server(self.running, settings):
            self.ops = OpsServer(self.readiness, routes=list(self.options.routes))
            self.ops_port = await self.ops.start(settings.http_host, settings.http_port)
            log.info("/healthz, /readyz and /metrics on %s:%s", settings.http_host, self.ops_port)
            if self.options.routes:
                log.info("scripts push values to POST /api/goals/values on the same port")

    async def serve(self) -> None:
        """Run every adapter until all have ended (the console at the end of its input), or
        until one fails (the others are then cancelled, and the error raised)."""
        if self.coach is None or self.options is None:
            raise RuntimeError("serve() comes after start()")
        async with asyncio.TaskGroup() as group:
            for running in self.running:
                group.create_task(running.serve(self.coach, self.settings, self.options))

    async def readiness(self) -> tuple[bool, dict[str, Any]]:
        """What /readyz answers: the database takes a write and every adapter is connected
        (see ``bot.health.readiness``)."""
        if self.coach is None or self.options is None:
            return False, {"status": "starting"}
        return await readiness(self.coach, self.options)

    async def stop(self) -> None:
        """Stop whatever runs, in reverse order of start; calling it again does nothing."""
        if self.ops is not None:
            await self.ops.stop()
            self.ops = None
        if self.scheduler is not None:
            await self.scheduler.stop()
        self.collector.restore()
        if self.coach is not None:
            if self.coach.follow_ups is not None:
                await self.coach.follow_ups.aclose()
            if self.coach.judge is not None:
                await self.coach.judge.aclose()
        if self.db is not None:
            await self.db.dispose()
        if self._warming is not None:
            self._warming.cancel()
            await asyncio.gather(self._warming, return_exceptions=True)
            self._warming = None
        await asyncio.to_thread(charts.close)  # the chart worker, if one was started
        self.db = self.coach = self.scheduler = self.options = None
        if self._throwaway is not None:
            self._throwaway.cleanup()
            self._throwaway = None
            self.settings = self._given
        self._release_stop_signals()

    # --- stop signals -------------------------------------------------------------------------

    def _catch_stop_signals(self) -> None:
        """SIGTERM (docker stop, Kubernetes, systemd) or Ctrl-C ends the run: first the
        scheduler stops gently (the sends under way finish while the adapters are still
        connected), then the run is cancelled. A second signal cancels it at once. Where the
        event loop cannot take signals, ``run_process``'s handlers stand (cancelled at once)."""
        loop = asyncio.get_running_loop()
        run = asyncio.current_task()
        if run is None:
            raise RuntimeError("the stop signals are caught inside a task")
        scheduler = self.scheduler

        async def stop() -> None:
            if scheduler is not None:
                await scheduler.stop()
            run.cancel()

        def begin(name: str) -> None:
            if self._stopping:
                run.cancel()
                return
            log.info("%s: stopping", name)
            self._stopping.add(loop.create_task(stop()))

        for sig in STOP_SIGNALS:
            with contextlib.suppress(NotImplementedError):  # Windows: no loop signal handlers
                loop.add_signal_handler(sig, begin, sig.name)
                self._signals.append(sig)

    def _release_stop_signals(self) -> None:
        with contextlib.suppress(RuntimeError):  # no running loop: it took its handlers along
            loop = asyncio.get_running_loop()
            for sig in self._signals:
                loop.remove_signal_handler(sig)
        self._signals.clear()
