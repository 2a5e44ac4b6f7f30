"""Reading the trackers goals are connected to, inside the scheduler's run (no job per goal).

Each run, the leader asks the database which sources fell due (``next_poll_at``), reads up to
``per_run`` of them, ``concurrency`` at a time, and stops starting new reads once ``budget``
seconds have gone, so a run stays short whatever the number of goals; what it did not reach is
still due next run. A read still going when the budget is spent is cancelled and counts as
"slow" (each read is also bounded as a whole: ``bot.trackers.base.READ_DEADLINE``), so a
tracker trickling its answer never holds the scheduler's run open. A source is read at most once
an ``interval``: the next read is set at ``interval`` plus a stable jitter from its id, so a
thousand goals connected in one minute do not stay in step forever. After three failed reads in
a row the interval doubles with each further failure, up to a day.

Reading a tracker holds no transaction: the due sources are looked up together, each tracker is
asked, then what it answered is recorded in a transaction of its own
(``bot.schedule.readings.take``), which looks the source up again: one disconnected or
connected anew meanwhile is dropped quietly. A closed goal's source is read no more.

The member hears of it by DM (never in a channel): the first read of a new source, with what
was found or why nothing could be; a failure, once per kind of failure in a row; a new best.
Credentials are opened only to call the tracker, and never logged or shown.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import httpx
from sqlalchemy import select

from bot import metrics
from bot.ports import Clock
from bot.schedule.readings import chosen, run_label, take, wants_news
from bot.schedule.rows import DeliveryRow, claim
from bot.schedule.writes import writing
from bot.store import Database, StoreUnavailable, TenantScope
from bot.store.deliveries import DeliveryKind
from bot.store.installations import TokenKeyError, Tokens
from bot.store.models import Goal, GoalSource
from bot.store.repos import tenant_for
from bot.store.views import GoalView, MemberView, SourceRef, SourceView
from bot.trackers import DEFAULT_TIMEOUT, Reading, TrackerConfig, TrackerError, read_metric

log = logging.getLogger(__name__)

POLLED_KINDS = frozenset({"mlflow", "wandb"})
CONCURRENCY = 8  # trackers read at once
PER_RUN = 200  # sources read per scheduler run, at most
BUDGET = 30.0  # seconds a run may spend starting reads; the rest waits for the next run
PATIENT_FAILURES = 3  # failed reads in a row before the interval starts doubling
LONGEST = timedelta(days=1)  # the longest wait between two reads of a failing source
JITTER = 0.5  # of the interval, at most: spreads sources connected together


@dataclass
class PollReport:
    """What one round of polling did."""

    due: int = 0  # sources found due
    polled: int = 0  # read (successfully or not)
    recorded: int = 0  # values recorded
    new_bests: int = 0  # reads that brought a goal a new best
    dropped: int = 0  # disconnected, connected anew or closed since they fell due
    errors: Counter[str] = field(default_factory=Counter)  # failed reads, by kind


@dataclass(frozen=True)
class Asked:
    """What a source's read needs, looked up before the tracker is called."""

    source: SourceView
    goal: GoalView
    config: TrackerConfig


def tracker_config(source: SourceView) -> TrackerConfig:
    """The tracker a source names, from its settings (MLflow: url, experiment, metric,
    run_filter, rule; W&B: url, entity, project, metric, filters, rule)."""
    given = source.settings
    rule = given.get("rule", "max") or "max"
    if source.kind == "wandb":
        project = given.get("experiment") or f"{given.get('entity', '')}/{given.get('project', '')}"
        run_filter = given.get("filters") or given.get("run_filter", "")
        return TrackerConfig(
            "wandb", given.get("url", ""), project, given.get("metric", ""), run_filter, rule
        )
    return TrackerConfig(
        source.kind,
        given.get("url", ""),
        given.get("experiment", ""),
        given.get("metric", ""),
        given.get("run_filter", ""),
        rule,
    )


def jitter(source_id: int, interval: timedelta) -> timedelta:
    """A part of ``interval`` (below ``JITTER`` of it) that is always the same for a source:
    sources connected together drift apart instead of being read together forever."""
    digest = hashlib.blake2b(str(source_id).encode(), digest_size=4).digest()
    fraction = int.from_bytes(digest, "big") / 2**32
    return timedelta(seconds=interval.total_seconds() * JITTER * fraction)


def next_read(source_id: int, failures: int, interval: timedelta, now: datetime) -> datetime:
    """When to read a source again after ``failures`` failed reads in a row (0: it worked):
    the interval, doubled for each failure past the third, never longer than a day; plus the
    source's jitter."""
    doubled = min(2 ** max(0, failures - PATIENT_FAILURES), 2**20)
    wait: timedelta = min(interval * doubled + jitter(source_id, interval), LONGEST)
    return now + wait


class Poller:
    """Reads due sources and records what they hold: ``await poller.poll_due(now)``."""

    def __init__(
        self,
        db: Database,
        secrets: Tokens,
        http: httpx.AsyncClient | None,
        interval: timedelta,
        clock: Clock,
        *,
        concurrency: int = CONCURRENCY,
        per_run: int = PER_RUN,
        budget: float = BUDGET,
        addresses: str = "private",
    ) -> None:
        """``http``: the client trackers are read with; ``None``: one of its own, closed by
        ``aclose``. ``addresses``: where a tracker may be (COACH_TRACKER_ADDRESSES)."""
        self.db = db
        self.secrets = secrets
        self._own_http = http is None
        self.http = http or httpx.AsyncClient(timeout=DEFAULT_TIMEOUT)
        self.interval = interval
        self.clock = clock
        self.concurrency = concurrency
        self.per_run = per_run
        self.budget = budget
        self.addresses = addresses

    async def aclose(self) -> None:
        """Close the client this poller made (a client given to it stays open)."""
        if self._own_http and not self.http.is_closed:
            await self.http.aclose()

    async def poll_due(self, now: datetime) -> PollReport:
        """Read every source due by ``now`` (up to ``per_run``), record what they hold, and
        set when each is read next."""
        report = PollReport()
        due = await self.db.due_sources(now, self.per_run)
        report.due = len(due)
        if not due:
            return report
        asked = await self._ask(due)
        loop = asyncio.get_running_loop()
        stop_at = loop.time() + self.budget
        slots = asyncio.Semaphore(self.concurrency)

        async def one(ref: SourceRef) -> None:
            async with slots:
                if loop.time() > stop_at:
                    return  # still due: the next run reads it
                try:
                    await self._poll(ref, asked.get(ref.source_id), now, report, stop_at)
                except StoreUnavailable:
                    raise
                except Exception as exc:  # one source's trouble never stops the others
                    # The type only: a message may quote the tracker's address or answer.
                    log.error("polling source %s failed: %s", ref.source_id, type(exc).__name__)
                    await self._postpone(ref, now)

        results = await asyncio.gather(*(one(ref) for ref in due), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return report

    async def _ask(self, due: list[SourceRef]) -> dict[int, Asked]:
        """What each due source's read needs (its settings, credential and goal), read for
        the whole batch at once, by source id; a source deleted since is missing."""
        query = (
            select(GoalSource, Goal)
            .join(Goal, Goal.id == GoalSource.goal_id)
            .where(GoalSource.id.in_([ref.source_id for ref in due]))
        )
        async with self.db.session() as session:
            rows = (await session.execute(query)).all()
        asked = {}
        for row, goal in rows:
            source = SourceView.of(row)
            asked[source.id] = Asked(source, GoalView.of(goal), tracker_config(source))
        return asked

    async def _poll(
        self,
        ref: SourceRef,
        asked: Asked | None,
        now: datetime,
        report: PollReport,
        stop_at: float,
    ) -> None:
        if asked is None:
            report.dropped += 1  # disconnected since it fell due
            return
        if asked.source.kind not in POLLED_KINDS or asked.goal.status != "active":
            # Nothing to read any more: a closed goal's number is no longer tracked.
            await self._stop(ref, now)
            report.dropped += 1
            return
        readings: list[Reading] = []
        error: str | None = None
        try:
            secret = self.secrets.open(asked.source.secret)
            async with asyncio.timeout_at(stop_at):  # the run's budget is spent: cancelled
                readings = await read_metric(
                    asked.config, secret, self.http, addresses=self.addresses
                )
        except TimeoutError:
            error = "slow"
        except TokenKeyError:  # sealed under a key no longer configured
            error = "credentials"
        except TrackerError as exc:
            error = exc.kind
        if error is None and not readings:  # nothing carries the metric (yet)
            error = "unknown_metric"
        report.polled += 1
        metrics.TRACKER_POLLS.labels(ref.kind, error or "ok").inc()
        if error is not None:
            report.errors[error] += 1
            log.info("source %s: %s", ref.source_id, error)  # the kind only: never the URL
        async with self._current(ref, now) as (scope, goal, source):
            if goal is None or source is None:
                report.dropped += 1  # disconnected or connected anew while it was read
            elif error is not None:
                await self._failed(scope, source, error, now)
            else:
                await self._read(scope, goal, source, readings, now, report)

    @asynccontextmanager
    async def _current(
        self, ref: SourceRef, now: datetime
    ) -> AsyncIterator[tuple[TenantScope, GoalView | None, SourceView | None]]:
        """A write transaction in the source's tenant, with its goal and the source as they
        are now (``None`` when the source is gone, or the goal connected anew)."""
        async with writing(self.db) as session:
            scope = TenantScope(session, await tenant_for(session, ref.tenant, now))
            goal = await scope.goal_by_id(ref.goal_id)
            source = await scope.source(goal) if goal is not None else None
            if source is None or source.id != ref.source_id:
                source = None
            yield scope, goal, source

    async def _stop(self, ref: SourceRef, now: datetime) -> None:
        """Read the source no more (its goal is closed, or it is not a tracker)."""
        async with self._current(ref, now) as (scope, _, source):
            if source is not None:
                await scope.update_source(source, replace(source, next_poll_at=None))

    async def _postpone(self, ref: SourceRef, now: datetime) -> None:
        """A read that failed in an unforeseen way is tried again later, as a failure, so it
        is not retried every run; the member hears of it, and ``/goal show`` says it, as an
        answer the coach could not read."""
        async with self._current(ref, now) as (scope, _, source):
            if source is not None:
                await self._failed(scope, source, "bad_answer", now)

    async def _read(
        self,
        scope: TenantScope,
        goal: GoalView,
        source: SourceView,
        readings: list[Reading],
        now: datetime,
        report: PollReport,
    ) -> None:
        first = source.last_ok_at is None and source.failures == 0
        rule = tracker_config(source).rule
        recorded = await take(scope, goal, source.kind, readings, rule, now, tell_best=not first)
        report.recorded += len(recorded)
        metrics.TRACKER_READINGS.labels(source.kind).inc(len(recorded))
        if any(r.new_best for r in recorded):
            report.new_bests += 1
        best = chosen(readings, rule)
        member = await scope.member_by_id(source.member_id) if first else None
        if member is not None and best is not None:
            found = {"value": best.value, "run": run_label(best), "runs": len(readings)}
            await self._tell(scope, source, member, "connected", now, found)
        await scope.update_source(
            source,
            replace(
                source,
                next_poll_at=next_read(source.id, 0, self.interval, now),
                failures=0,
                last_error=None,
                error_told_at=None,
                last_ok_at=now,
            ),
        )

    async def _failed(
        self, scope: TenantScope, source: SourceView, error: str, now: datetime
    ) -> None:
        """Count the failure, read less often after a few, and tell the member once for a kind
        of failure in a row (on the first read, always: they are waiting to hear)."""
        failures = source.failures + 1
        first = source.last_ok_at is None and source.failures == 0
        told = source.last_error == error and source.error_told_at is not None
        told_at = source.error_told_at if source.last_error == error else None
        if not told:
            member = await scope.member_by_id(source.member_id)
            if member is not None and (first or wants_news(member, now)):
                await self._tell(scope, source, member, error, now, {})
                told_at = now
        await scope.update_source(
            source,
            replace(
                source,
                next_poll_at=next_read(source.id, failures, self.interval, now),
                failures=failures,
                last_error=error,
                error_told_at=told_at,
            ),
        )

    async def _tell(
        self,
        scope: TenantScope,
        source: SourceView,
        member: MemberView,
        what: str,
        now: datetime,
        detail: dict[str, object],
    ) -> None:
        """Claim a DM about ``source``: ``what`` is "connected" or the kind of failure."""
        # Unique per source and minute: the same news is never claimed twice in one read.
        period = f"src:{source.id}:ok" if what == "connected" else f"src:{source.id}:{_minute(now)}"
        row = DeliveryRow(
            scope.tid,
            member.id,
            DeliveryKind.SOURCE_NEWS,
            member.user_id,
            period,
            now,
            detail={"source": source.id, "what": what, **detail},
        )
        await claim(scope.session, row)


def _minute(now: datetime) -> str:
    return str(int(now.timestamp()) // 60)
