"""Benchmark: what drawing a goal's chart costs, and whether drawing stalls the event loop,
beside the text sparkline the chat already shows, in one run.

    python bench/charts.py [--rounds 40] [--charts 50] [--batches 5] [--no-freeze]

Measured, each chart rendered to PNG bytes in this process (``render_goal``):
- a year of weekly values (52 points, 13 check-ins, baseline, target, best): median and p99
  over ``--rounds`` renders, wall time, with the CPU time beside it;
- a 100,000-point history (a tracker logging every step): the same, thinning included;
- the baseline in the same run: the text sparkline of the same 52 values, the core's
  (``bot.charts.sparkline``) and the Slack adapter's (``adapters.slack.render.sparkline``);
- the event loop's stall while ``--charts`` charts (half a year of weekly values, half
  100,000-point histories) are drawn one after another through ``draw``: a task sleeping 1 ms
  at a time measures its worst lateness in each of ``--batches`` batches. Beside it, batch
  after batch in turn: the ticker alone for as long (the machine's own share), and the same
  charts through ``asyncio.to_thread(render_goal, ...)``, the alternative ``draw`` was
  measured against. The worker's start (its first chart: spawning a process that imports
  matplotlib) is timed apart, before. The process keeps the garbage-collector policy of
  ``research-coach run`` (``bot.collector``: what exists before is frozen), as 25 histories
  of 100,000 points are 5 million objects for a full pass to walk; ``--no-freeze`` leaves it
  out.

Targets: median render ≤ 100 ms (both series), stall ≤ 20 ms through ``draw``.

Ends with: RESULT median_ms=<52 weeks> p99_ms=<52 weeks> long_median_ms=<100,000 points>
long_p99_ms=<100,000 points> stall_ms=<draw> thread_stall_ms=<to_thread> idle_stall_ms=<the
ticker alone> stall_max_ms=<draw, worst batch> late_p99_ms=<draw: the ticker's p99 lateness>
thread_late_p99_ms=<to_thread: the same> spark_us=<sparkline> ratio=<52-week median /
sparkline> worker_start_s=<first draw> cpu_median_ms=<52 weeks, CPU>
long_cpu_median_ms=<100,000 points, CPU>. Each stall is the median over the batches of the
worst lateness in a batch.

The machine is shared: wall times and stalls include other jobs' turns on the cores, hence the
CPU times, the batches taken in turn, and the ticker alone beside them.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import platform
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from adapters.slack.render import sparkline as slack_sparkline  # noqa: E402
from bot.charts import GoalSeries, close, draw, render_goal, sparkline  # noqa: E402
from bot.collector import Collector  # noqa: E402

TARGET_MS, TARGET_STALL_MS = 100.0, 20.0
START = datetime(2025, 12, 1, 9, 0, tzinfo=UTC)


def weekly(weeks: int) -> GoalSeries:
    """A goal climbing from 0.10 toward 0.60, noisy, a check-in every fourth week."""
    rng = np.random.default_rng(weeks)
    values = np.clip(np.linspace(0.10, 0.50, weeks) + rng.normal(0, 0.02, weeks), 0, 1)
    points = [(START + timedelta(weeks=i), float(v)) for i, v in enumerate(values)]
    best = float(values.max())
    return GoalSeries(
        "Fold any protein under 200 residues", "fold success rate", "up",
        points, points[::4], 0.10, 0.60, best,
    )  # fmt: skip


def steps(count: int) -> GoalSeries:
    """A loss logged at every training step, falling with noise and a few spikes."""
    rng = np.random.default_rng(count)
    values = 2.0 * np.exp(-np.linspace(0, 4, count)) + rng.normal(0, 0.05, count) + 0.1
    values[rng.integers(0, count, 20)] += 1.5
    points = [(START + timedelta(seconds=30 * i), float(v)) for i, v in enumerate(values)]
    return GoalSeries(
        "Train the folding model to a validation loss under 0.2", "validation loss", "down",
        points, points[:: count // 10], 2.0, 0.2, float(values.min()),
    )  # fmt: skip


class GcPauses:
    """How long the cyclic garbage collector held the process, at worst."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._started = 0.0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.worst = max(self.worst, time.perf_counter() - self._started)

    def start(self) -> None:
        gc.callbacks.append(self._callback)

    def stop(self) -> None:
        gc.callbacks.remove(self._callback)


def percentile(times: list[float], share: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def timed(work: Callable[[], object], rounds: int) -> tuple[list[float], list[float]]:
    """(wall ms, CPU ms) of each of ``rounds`` runs of ``work``, after one to warm."""
    work()
    walls, cpus = [], []
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        walls.append(1000 * (time.perf_counter() - wall))
        cpus.append(1000 * (time.process_time() - cpu))
    return walls, cpus


async def worst_stall(work: Callable[[], Awaitable[object]]) -> tuple[float, float]:
    """(worst, p99) lateness in ms of a 1 ms sleeper while ``work`` runs."""
    lateness: list[float] = []
    running = True

    async def ticker() -> None:
        loop = asyncio.get_running_loop()
        while running:
            start = loop.time()
            await asyncio.sleep(0.001)
            lateness.append(1000 * (loop.time() - start - 0.001))

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.02)
    await work()
    running = False
    await task
    return max(lateness), percentile(lateness, 0.99)


@dataclass
class Stalls:
    """The ticker's worst lateness (ms) in each batch, for each way of drawing."""

    worker_start: float = 0.0  # seconds: the first chart through ``draw``
    draw: list[float] = field(default_factory=list)
    idle: list[float] = field(default_factory=list)
    thread: list[float] = field(default_factory=list)
    p99: list[float] = field(default_factory=list)  # through ``draw``
    thread_p99: list[float] = field(default_factory=list)


async def stalls(charts: list[GoalSeries], batches: int) -> Stalls:
    """The ticker's worst lateness in each batch of charts drawn through ``draw``, with nothing
    drawn for as long, and through ``asyncio.to_thread``: the three in turn, batch after batch,
    so that the machine's other jobs fall on each alike."""
    worst = Stalls()
    started = time.perf_counter()
    await draw(render_goal, charts[0])  # the worker's start: spawn, import matplotlib
    worst.worker_start = time.perf_counter() - started
    await asyncio.to_thread(render_goal, charts[0])  # this process's matplotlib, warm
    size = max(1, len(charts) // batches)
    for first in range(0, len(charts), size):
        batch = charts[first : first + size]

        async def through_draw(batch: list[GoalSeries] = batch) -> None:
            for series in batch:
                await draw(render_goal, series)

        async def through_thread(batch: list[GoalSeries] = batch) -> None:
            for series in batch:
                await asyncio.to_thread(render_goal, series)

        started = time.perf_counter()
        late, p99 = await worst_stall(through_draw)
        took = time.perf_counter() - started
        idle, _ = await worst_stall(lambda took=took: asyncio.sleep(took))
        threaded, threaded_p99 = await worst_stall(through_thread)
        worst.draw.append(late)
        worst.idle.append(idle)
        worst.thread.append(threaded)
        worst.p99.append(p99)
        worst.thread_p99.append(threaded_p99)
    close()
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--charts", type=int, default=50)
    parser.add_argument("--batches", type=int, default=5)
    parser.add_argument(
        "--no-freeze",
        action="store_true",
        help="leave out the process's garbage-collector policy (bot.collector)",
    )
    args = parser.parse_args()

    year, long = weekly(52), steps(100_000)
    values = tuple(v for _, v in year.points)
    year_wall, year_cpu = timed(lambda: render_goal(year), args.rounds)
    long_wall, long_cpu = timed(lambda: render_goal(long), args.rounds)
    spark_wall, _ = timed(lambda: sparkline(values), args.rounds * 50)
    slack_wall, _ = timed(lambda: slack_sparkline(values), args.rounds * 50)
    mixed = [weekly(26) if i % 2 else steps(100_000) for i in range(args.charts)]
    policy, pauses = Collector(), GcPauses()
    if not args.no_freeze:  # as `research-coach run` does, once the process is built
        policy.freeze_start_up()
    pauses.start()
    loop = asyncio.run(stalls(mixed, args.batches))
    pauses.stop()
    policy.restore()
    ways = {"draw": loop.draw, "idle": loop.idle, "thread": loop.thread, "p99": loop.p99}
    ways["thread_p99"] = loop.thread_p99
    stall = {way: statistics.median(worst) for way, worst in ways.items()}
    most = {way: max(worst) for way, worst in ways.items()}

    load = os.getloadavg()[0]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores,"
        f" Python {platform.python_version()}, load average {load:.2f}"
    )
    print(f"{args.rounds} renders each, 800x400 PNG; ms")
    print(f"{'drawn':34}{'median':>9}{'p99':>9}{'cpu med':>9}{'bytes':>8}")
    rows = [
        ("goal chart, 52 weeks", year_wall, year_cpu, len(render_goal(year))),
        ("goal chart, 100,000 points", long_wall, long_cpu, len(render_goal(long))),
    ]
    for name, wall, cpu, size in rows:
        print(
            f"{name:34}{statistics.median(wall):>9.1f}{percentile(wall, 0.99):>9.1f}"
            f"{statistics.median(cpu):>9.1f}{size:>8}"
        )
    spark_us, slack_us = 1000 * statistics.median(spark_wall), 1000 * statistics.median(slack_wall)
    print(f"{'text sparkline, 52 values (core)':34}{spark_us / 1000:>9.4f}   ({spark_us:.1f} µs)")
    print(f"{'text sparkline (Slack adapter)':34}{slack_us / 1000:>9.4f}   ({slack_us:.1f} µs)")
    median_ms = statistics.median(year_wall)
    ratio = median_ms / (spark_us / 1000)
    print(f"52-week chart / text sparkline: {ratio:,.0f}x")
    print(
        f"{args.charts} charts (half 26 weeks, half 100,000 points) in {args.batches} batches;"
        f" a 1 ms ticker's worst lateness in a batch, median (max) over the batches:"
    )
    print(
        f"  draw (worker process): {stall['draw']:6.1f} ms ({most['draw']:.1f});"
        f" p99 lateness {stall['p99']:.1f} ms; the worker's start {loop.worker_start:.2f} s"
    )
    print(
        f"  nothing drawn:         {stall['idle']:6.1f} ms ({most['idle']:.1f}), the machine's own"
    )
    print(
        f"  asyncio.to_thread:     {stall['thread']:6.1f} ms ({most['thread']:.1f});"
        f" p99 lateness {stall['thread_p99']:.1f} ms"
    )
    print(
        f"  worst garbage-collector pass meanwhile: {pauses.worst * 1000:.1f} ms"
        f" ({'no policy' if args.no_freeze else 'bot.collector policy: start-up frozen'})"
    )
    long_median = statistics.median(long_wall)
    fast = median_ms <= TARGET_MS and long_median <= TARGET_MS
    met = fast and stall["draw"] <= TARGET_STALL_MS
    verdict = "met" if met else "NOT met"
    print(f"targets (median ≤ {TARGET_MS:g} ms, stall ≤ {TARGET_STALL_MS:g} ms): {verdict}")
    print(
        f"RESULT median_ms={median_ms:.1f} p99_ms={percentile(year_wall, 0.99):.1f}"
        f" long_median_ms={long_median:.1f} long_p99_ms={percentile(long_wall, 0.99):.1f}"
        f" stall_ms={stall['draw']:.1f} thread_stall_ms={stall['thread']:.1f}"
        f" idle_stall_ms={stall['idle']:.1f} stall_max_ms={most['draw']:.1f}"
        f" late_p99_ms={stall['p99']:.1f} thread_late_p99_ms={stall['thread_p99']:.1f}"
        f" spark_us={spark_us:.1f} ratio={ratio:.0f} worker_start_s={loop.worker_start:.2f}"
        f" cpu_median_ms={statistics.median(year_cpu):.1f}"
        f" long_cpu_median_ms={statistics.median(long_cpu):.1f}"
    )


if __name__ == "__main__":
    main()
