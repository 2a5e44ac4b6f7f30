"""Scheduling fan-out: 10,000 members in 50 workspaces, all due at once, delivered by the real
scheduler (APScheduler tick → claims → outbox) through a Messenger that paces sends the way the
Slack Messenger does (``bot.pacing.Pacer``) to a fake platform that enforces rate limits.

    python bench/fanout.py [--members 10000] [--workspaces 50] [--latency-ms 50]
                           [--database postgresql+asyncpg://…] [--no-freeze]
                           [--half-core] [--profile FILE]

``--half-core`` runs the whole bench on one core beside a busy loop of its own on the same core,
so that it gets about half a core's worth of CPU time (a slower machine, or a busy one);
``--profile FILE`` writes a cProfile of the fan-out (from the scheduler's start to the last
message) to FILE, for ``python -m pstats FILE``.

The fake platform (in-process) admits 1 message/s per channel and 20 messages/s per workspace:
a generic cell-rate check, one message per interval, where a message may come up to 50 ms early
(timers on a busy event loop fire late, which brings the next one closer). Anything beyond is
answered with a 429 and Retry-After (whole seconds), which the Messenger waits out three times, as
slack_sdk's rate-limit retry handler does, then raises: the outbox retries the row later.
Every accepted message costs a round trip of ``--latency-ms``.

The lower bound those limits allow: the busiest workspace's n messages, one per 50 ms with the
50 ms tolerance, plus one round trip: (n - 1) × 0.05 s - 0.05 s + latency. Each DM goes to its
own channel, so the channel limit does not bind. Total time runs from the scheduler's start
(everything already due) to the platform's answer to the last message.

CPU time, beside the wall times: the process's (every thread: the event loop and the database
driver's) from the scheduler's start to the last message, per message (``cpu_us_per_msg``); and
the event loop's own share in the outbox's batches, measured step by step on the coroutines: a
take (lease and compose up to ``TAKE`` rows), a write of sent marks, and one send (pacer,
Messenger, platform).

Ends with: RESULT ratio=<time / lower bound> lost=<n> duplicates=<n> r429=<n> max_stall_ms=<ms>
cpu_us_per_msg=<µs> take_cpu_ms=<ms per take> take_cpu_ms_max=<ms> mark_cpu_ms=<ms per write>
send_cpu_us=<µs per send> half_core=<0|1>
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import math
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine, Generator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select, text  # noqa: E402

from adapters.slack import render  # noqa: E402
from bot.collector import Collector  # noqa: E402
from bot.events import Button, Content, TenantRef  # noqa: E402
from bot.pacing import Pacer  # noqa: E402
from bot.ports import Recipient, SystemClock  # noqa: E402
from bot.prompts import load_prompts  # noqa: E402
from bot.schedule.leader import Leadership  # noqa: E402
from bot.schedule.runner import Scheduler  # noqa: E402
from bot.store import Database, create_engine  # noqa: E402
from bot.store.models import Delivery, Goal, Member, Tenant  # noqa: E402

PER_CHANNEL = 1.0  # seconds between messages in one channel (about 1/s)
PER_WORKSPACE = 0.05  # seconds between messages in one workspace (20/s)
# How early a message may come and still be taken: timers on a busy event loop fire a little
# late, which brings the next one closer. As long as the loop never stalls for this long (the
# stall target), paced sends are never refused.
TOLERANCE = 0.05
RETRIES = 3  # 429s waited out before the Messenger raises (the outbox then retries the row)
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney", "UTC")


class RateLimited(Exception):
    """HTTP 429 from the fake platform, with its Retry-After."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"rate limited; retry after {retry_after} s")
        self.retry_after = retry_after


class Cells:
    """One request per ``interval`` per key (generic cell-rate algorithm)."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.tolerance = TOLERANCE
        self.due: dict[str, float] = {}

    def refusal(self, key: str, now: float) -> float | None:
        """How long until ``key`` may send again, or ``None`` when it may now."""
        earliest = self.due.get(key, now) - self.tolerance
        return earliest - now if now < earliest else None

    def admit(self, key: str, now: float) -> None:
        self.due[key] = max(self.due.get(key, now), now) + self.interval


class FakePlatform:
    """Accepts messages within its limits, answers 429 beyond them, and counts both."""

    def __init__(self, latency: float) -> None:
        self.latency = latency
        self.channels = Cells(PER_CHANNEL)
        self.workspaces = Cells(PER_WORKSPACE)
        self.received: Counter[tuple[str, str, str]] = Counter()  # (workspace, channel, kind)
        self.ids: dict[tuple[str, str, str], str] = {}  # the latest message's id, as above
        self.per_workspace: Counter[str] = Counter()
        self.first: dict[str, float] = {}  # workspace -> when its first message came in
        self.final: dict[str, float] = {}  # workspace -> when its latest message came in
        self.gap = (0.0, "", 0.0)  # the longest pause within one workspace: (s, which, when)
        self.r429 = 0
        self.accepted = 0
        self.last = 0.0
        self.done = asyncio.Event()
        self.expected = 0

    async def post_message(self, workspace: str, channel: str, kind: str) -> str:
        now = time.monotonic()
        wait = self.channels.refusal(f"{workspace}/{channel}", now)
        wait = wait if wait is not None else self.workspaces.refusal(workspace, now)
        if wait is not None:
            self.r429 += 1
            await asyncio.sleep(self.latency)
            raise RateLimited(max(1, math.ceil(wait)))  # Retry-After: whole seconds
        self.first.setdefault(workspace, now)
        if workspace in self.final:
            gap = now - self.final[workspace]
            if gap > self.gap[0]:
                self.gap = (gap, workspace, now)
        self.final[workspace] = now
        self.channels.admit(f"{workspace}/{channel}", now)
        self.workspaces.admit(workspace, now)
        await asyncio.sleep(self.latency)  # the round trip; the message is in once we answer
        self.received[(workspace, channel, kind)] += 1
        self.per_workspace[workspace] += 1
        self.last = time.monotonic()
        self.accepted += 1
        if self.accepted >= self.expected:
            self.done.set()
        self.ids[(workspace, channel, kind)] = ts = f"{self.last:.6f}"
        return ts


class FakeMessenger:
    """A platform Messenger like the Slack one: render, wait for the pacer's slot, send."""

    def __init__(self, platform: FakePlatform, pacer: Pacer) -> None:
        self.platform = platform
        self.pacer = pacer

    async def send_dm(
        self, tenant: TenantRef, user_id: str, body: Content, buttons: tuple[Button, ...] = ()
    ) -> None:
        channel = f"D{user_id}"
        payload = render.message(body, buttons)
        await self.pacer.wait(tenant.external_id, channel)
        await self._call(tenant.external_id, channel, kind_of(payload))

    async def post(
        self, tenant: TenantRef, channel_id: str, body: Content, thread_id: str | None = None
    ) -> str:
        payload = render.message(body)
        await self.pacer.wait(tenant.external_id, channel_id)
        return await self._call(tenant.external_id, channel_id, kind_of(payload))

    async def find_sent(
        self, tenant: TenantRef, to: Recipient, body: Content, since: datetime
    ) -> str | None:
        """Like the Slack Messenger's lookup: the id of a message of this kind in that place."""
        channel = to.channel_id or f"D{to.user_id}"
        kind = kind_of(render.message(body))
        await asyncio.sleep(self.platform.latency)
        return self.platform.ids.get((tenant.external_id, channel, kind))

    async def _call(self, workspace: str, channel: str, kind: str) -> str:
        """Like the Slack Web API client (``AsyncRateLimitErrorRetryHandler(max_retry_count=3)``):
        a 429 is waited out for its Retry-After, three times; the fourth is raised."""
        for attempt in range(RETRIES + 1):
            try:
                return await self.platform.post_message(workspace, channel, kind)
            except RateLimited as exc:
                if attempt == RETRIES:
                    raise
                await asyncio.sleep(exc.retry_after)
        raise AssertionError("unreachable")


def timed(scheduler: Scheduler) -> dict[str, list[tuple[float, float]]]:
    """Record when each tick and each outbox drain ran (monotonic start, end)."""
    phases: dict[str, list[tuple[float, float]]] = {"tick": [], "drain": []}

    def wrap(name: str, method: Callable[..., Awaitable[Any]]) -> Any:
        async def run(now: datetime, **options: Any) -> Any:
            start = time.monotonic()
            try:
                return await method(now, **options)
            finally:
                phases[name].append((start, time.monotonic()))

        return run

    scheduler.ticker.tick = wrap("tick", scheduler.ticker.tick)  # type: ignore[method-assign]
    scheduler.outbox.drain = wrap("drain", scheduler.outbox.drain)  # type: ignore[method-assign]
    return phases


class CpuMeter:
    """The event loop's CPU time in each run of a coroutine function: only its own steps (and
    what they call), not the other tasks that run while it waits."""

    def __init__(self) -> None:
        self.runs: list[float] = []

    def wrap(self, method: Callable[..., Coroutine[Any, Any, Any]]) -> Any:
        meter = self

        async def run(*args: Any, **kwargs: Any) -> Any:  # a coroutine, for create_task
            return await Stepped(method(*args, **kwargs), meter.runs)

        return run

    def mean_ms(self) -> float:
        return 1000 * sum(self.runs) / len(self.runs) if self.runs else 0.0

    def max_ms(self) -> float:
        return 1000 * max(self.runs, default=0.0)


class Stepped:
    """Drives a coroutine step by step, adding up the thread's CPU time within its steps."""

    def __init__(self, coro: Coroutine[Any, Any, Any], runs: list[float]) -> None:
        self.coro = coro
        self.runs = runs

    def __await__(self) -> Generator[Any, Any, Any]:
        spent = 0.0
        sent: Any = None
        thrown: BaseException | None = None
        try:
            while True:
                start = time.thread_time()
                try:
                    step = self.coro.send(sent) if thrown is None else self.coro.throw(thrown)
                except StopIteration as done:
                    return done.value
                finally:
                    spent += time.thread_time() - start
                try:
                    sent, thrown = (yield step), None
                except BaseException as exc:  # cancelled: handed on to the coroutine
                    sent, thrown = None, exc
        finally:
            self.runs.append(spent)


def metered(scheduler: Scheduler) -> dict[str, CpuMeter]:
    """Meter the event loop's CPU in the outbox's takes, mark writes and sends."""
    meters = {"tick": CpuMeter(), "take": CpuMeter(), "mark": CpuMeter(), "send": CpuMeter()}
    outbox = scheduler.outbox
    scheduler.ticker.tick = meters["tick"].wrap(scheduler.ticker.tick)  # type: ignore[method-assign]
    outbox.taker.take = meters["take"].wrap(outbox.taker.take)  # type: ignore[method-assign]
    outbox.marks._write = meters["mark"].wrap(outbox.marks._write)  # type: ignore[method-assign]
    outbox.sender.send = meters["send"].wrap(outbox.sender.send)  # type: ignore[method-assign]
    return meters


def kind_of(payload: dict[str, object]) -> str:
    text = str(payload.get("text", ""))
    return "prompt" if "weekly check-in" in text else text[:40]


class GcMeter:
    """How long the cyclic garbage collector held the loop, at worst (by generation)."""

    def __init__(self) -> None:
        self.worst: dict[int, float] = {}
        self._started = 0.0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            took = time.perf_counter() - self._started
            generation = info["generation"]
            self.worst[generation] = max(self.worst.get(generation, 0.0), took)

    def start(self) -> None:
        gc.callbacks.append(self._callback)

    def stop(self) -> None:
        gc.callbacks.remove(self._callback)


class StallMeter:
    """The event loop's worst lateness: a task sleeping 10 ms at a time, measuring overshoot."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            start = loop.time()
            await asyncio.sleep(0.01)
            self.worst = max(self.worst, loop.time() - start - 0.01)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)


async def seed(db: Database, members: int, workspaces: int, due: datetime) -> dict[str, int]:
    """Workspaces with members all due at ``due``, each with one active goal."""
    sizes = {
        f"T{w:03d}": members // workspaces + (w < members % workspaces) for w in range(workspaces)
    }
    async with db.session() as session:
        for external_id in sizes:
            session.add(
                Tenant(
                    platform="slack",
                    external_id=external_id,
                    team_channel=None,
                    created_at=due - timedelta(days=30),
                )
            )
        await session.flush()
        tenants = dict((await session.execute(select(Tenant.external_id, Tenant.id))).all())
        rows = []
        for external_id, size in sizes.items():
            for n in range(size):
                rows.append(
                    {
                        "tenant_id": tenants[external_id],
                        "user_id": f"U{external_id}{n:05d}",
                        "display_name": f"Member {n}",
                        "timezone": ZONES[n % len(ZONES)],
                        "checkin_day": 0,
                        "checkin_time": "10:00",
                        "weekly_dm": None,
                        "next_checkin_at": due,
                        "nudges_enabled": True,
                        "side_budget_hours": 4.0,
                        "last_nudges": "",
                        "created_at": due - timedelta(days=30),
                        "seen_at": due - timedelta(days=1),
                    }
                )
        await session.execute(insert(Member), rows)
        ids = (await session.execute(select(Member.id, Member.tenant_id))).all()
        await session.execute(
            insert(Goal),
            [
                {
                    "tenant_id": tenant_id,
                    "member_id": member_id,
                    "ref": 1,
                    "capability": "Robust speech recognition for noisy clinic audio",
                    "metric_name": "clinic WER",
                    "direction": "down",
                    "status": "active",
                    "created_at": due - timedelta(days=7),
                }
                for member_id, tenant_id in ids
            ],
        )
    return sizes


async def open_database(url: str | None, folder: Path) -> tuple[Database, str | None]:
    if url is None:
        db = Database.from_url(f"sqlite+aiosqlite:///{folder / 'fanout.db'}")
        await db.upgrade()
        return db, None
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url)
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    await admin.dispose()
    db = Database(create_engine(url, connect_args={"server_settings": {"search_path": schema}}))
    await db.upgrade()
    return db, schema


async def drop_schema(url: str, schema: str) -> None:
    admin = create_engine(url)
    async with admin.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    await admin.dispose()


async def run(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory() as folder:
        db, schema = await open_database(args.database, Path(folder))
        try:
            return await measure(db, args)
        finally:
            await db.dispose()
            if schema is not None:
                await drop_schema(args.database, schema)


async def measure(db: Database, args: argparse.Namespace) -> int:
    clock = SystemClock()
    sizes = await seed(db, args.members, args.workspaces, clock.now() - timedelta(seconds=1))
    platform = FakePlatform(args.latency_ms / 1000)
    platform.expected = args.members
    messenger = FakeMessenger(platform, Pacer(per_channel=PER_CHANNEL, per_tenant=PER_WORKSPACE))
    policy = Collector()  # the garbage-collector policy of `research-coach run`
    scheduler = Scheduler(
        db,
        clock,
        {"slack": messenger},
        load_prompts(),
        leadership=Leadership(db, random.getrandbits(62)),
        after_run=policy.full_pass,
    )
    phases = timed(scheduler)
    meters = metered(scheduler)
    if not args.no_freeze:  # as the entry point does, once the process is built
        policy.freeze_start_up()
    stalls, collector = StallMeter(), GcMeter()
    # The first tick runs on the loop once this returns, with the meters running.
    profile = cProfile.Profile() if args.profile else None
    scheduler.start(args.tick)
    started = time.monotonic()
    cpu_started, loop_cpu_started = time.process_time(), time.thread_time()
    stalls.start()
    collector.start()
    if profile is not None:
        profile.enable()
    try:
        await asyncio.wait_for(platform.done.wait(), timeout=args.timeout)
    except TimeoutError:
        print(f"timed out after {args.timeout:.0f} s", file=sys.stderr)
    cpu, loop_cpu = time.process_time() - cpu_started, time.thread_time() - loop_cpu_started
    if profile is not None:
        profile.disable()
        profile.dump_stats(args.profile)
    elapsed = (platform.last or time.monotonic()) - started
    await asyncio.sleep(0.5)  # anything still in flight (a duplicate) would land now
    await scheduler.stop()
    policy.restore()
    await stalls.stop()
    collector.stop()

    async with db.session() as session:
        counted = await session.execute(
            select(Delivery.status, func.count()).group_by(Delivery.status)
        )
        statuses = {status: n for status, n in counted.all()}
    members = {(w, f"DU{w}{n:05d}") for w, size in sizes.items() for n in range(size)}
    got = Counter({(w, c): k for (w, c, kind), k in platform.received.items() if kind == "prompt"})
    lost = len(members - set(got))
    duplicates = sum(k - 1 for k in got.values() if k > 1)
    busiest = max(sizes.values())
    bound = max((busiest - 1) * PER_WORKSPACE - TOLERANCE, 0.0) + platform.latency
    ratio = elapsed / bound

    backend = db.backend
    print(f"database:          {backend}")
    print(f"members:           {args.members} in {args.workspaces} workspaces (busiest {busiest})")
    limits = f"{1 / PER_CHANNEL:.0f}/s per channel, {1 / PER_WORKSPACE:.0f}/s per workspace"
    print(f"limits:            {limits}")
    print(f"round trip:        {args.latency_ms:.0f} ms")
    print(f"total time:        {elapsed:.2f} s")
    print(f"lower bound:       {bound:.2f} s")
    print(f"ratio:             {ratio:.3f}  (target <= 1.10)")
    print(f"delivery rows:     {statuses}")
    print(f"messages lost:     {lost}")
    print(f"duplicates:        {duplicates}")
    print(f"429s:              {platform.r429}  (target 0)")
    firsts = sorted(t - started for t in platform.first.values())
    finals = sorted(t - started for t in platform.final.values())
    if firsts:
        print(
            f"workspaces:        first message {firsts[0]:.2f}–{firsts[-1]:.2f} s,"
            f" last {finals[0]:.2f}–{finals[-1]:.2f} s (median {finals[len(finals) // 2]:.2f});"
            f" longest pause {platform.gap[0]:.2f} s ({platform.gap[1]},"
            f" at {platform.gap[2] - started:.2f} s)"
        )
    for name, spans in phases.items():
        shown = ", ".join(f"{a - started:.2f}–{b - started:.2f} s" for a, b in spans)
        print(f"{name + ':':<19}{shown}")
    gc_worst = ", ".join(f"gen{g} {t * 1000:.1f} ms" for g, t in sorted(collector.worst.items()))
    print(f"worst gc pause:    {gc_worst or 'none'}")
    print(f"worst loop stall:  {stalls.worst * 1000:.1f} ms  (target < 50 ms)")
    per_message = 1e6 * cpu / max(platform.accepted, 1)
    take, mark, send = meters["take"], meters["mark"], meters["send"]
    loop_per_message = 1e6 * loop_cpu / max(platform.accepted, 1)
    print(
        f"cpu time:          {cpu:.2f} s, {per_message:.0f} µs a message (every thread);"
        f" the event loop's {loop_cpu:.2f} s, {loop_per_message:.0f} µs a message"
    )
    print(
        f"event loop cpu:    tick {sum(meters['tick'].runs):.2f} s,"
        f" take {take.mean_ms():.1f} ms (at most {take.max_ms():.1f},"
        f" {len(take.runs)} takes), mark write {mark.mean_ms():.2f} ms ({len(mark.runs)}),"
        f" send {send.mean_ms() * 1000:.0f} µs ({len(send.runs)})"
    )
    print(
        f"RESULT ratio={ratio:.3f} lost={lost} duplicates={duplicates} r429={platform.r429}"
        f" max_stall_ms={stalls.worst * 1000:.1f} cpu_us_per_msg={per_message:.0f}"
        f" loop_cpu_us_per_msg={loop_per_message:.0f}"
        f" take_cpu_ms={take.mean_ms():.2f} take_cpu_ms_max={take.max_ms():.2f}"
        f" mark_cpu_ms={mark.mean_ms():.2f} send_cpu_us={send.mean_ms() * 1000:.0f}"
        f" half_core={int(args.half_core)}"
    )
    return 0


def half_core(core: int) -> subprocess.Popen[bytes]:
    """Pin this process to ``core`` beside a busy loop of its own: about half a core each.
    Threads started later (the database driver's) inherit the pinning."""
    burner = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import os\nos.sched_setaffinity(0, {{{core}}})\nwhile True:\n    pass",
        ]
    )
    os.sched_setaffinity(0, {core})
    return burner


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--workspaces", type=int, default=50)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument(
        "--no-freeze",
        action="store_true",
        help="leave out the process's garbage-collector policy (bot.collector)",
    )
    parser.add_argument("--tick", type=float, default=60.0, help="seconds between ticks")
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument(
        "--database",
        default=os.environ.get("FANOUT_DATABASE_URL"),
        help="a PostgreSQL URL (default: SQLite in a temporary folder)",
    )
    parser.add_argument(
        "--half-core",
        action="store_true",
        help="run on one core beside a busy loop on the same core (about half a core's CPU)",
    )
    parser.add_argument("--core", type=int, default=0, help="the core --half-core runs on")
    parser.add_argument("--profile", help="write a cProfile of the fan-out to this file")
    args = parser.parse_args()
    burner = half_core(args.core) if args.half_core else None
    try:
        code = asyncio.run(run(args))
    finally:
        if burner is not None:
            burner.terminate()
            burner.wait()
    sys.exit(code)


if __name__ == "__main__":
    main()
