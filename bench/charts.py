"""Benchmark: what drawing a goal's chart costs, and whether drawing stalls the event loop,
beside the text sparkline the chat already shows, in one run.

    python bench/charts.py [--rounds 40] [--charts 50]

Measured, each chart rendered to PNG bytes in this process (``render_goal``):
- a year of weekly values (52 points, 13 check-ins, baseline, target, best): median and p99
  over ``--rounds`` renders, wall time, with the CPU time beside it;
- a 100,000-point history (a tracker logging every step): the same, thinning included;
- the baseline in the same run: the text sparkline of the same 52 values, the core's
  (``bot.charts.sparkline``) and the Slack adapter's (``adapters.slack.render.sparkline``);
- the event loop's stall while ``--charts`` charts (half a year of weekly values, half
  100,000-point histories) are drawn one after another through ``draw``: a task sleeping 1 ms
  at a time measures its worst lateness; the same with ``asyncio.to_thread(render_goal, ...)``
  beside it, the alternative ``draw`` was measured against; and the ticker alone for as long.
  The worker's start (its first chart: spawning a process that imports matplotlib) is timed
  apart, before.

Targets: median render ≤ 100 ms (both series), stall ≤ 20 ms through ``draw``.

Ends with: RESULT median_ms=<52 weeks> p99_ms=<52 weeks> long_median_ms=<100,000 points>
long_p99_ms=<100,000 points> stall_ms=<draw> thread_stall_ms=<to_thread> spark_us=<sparkline>
ratio=<52-week median / sparkline> worker_start_s=<first draw> idle_stall_ms=<the ticker
alone, as long> cpu_median_ms=<52 weeks, CPU> long_cpu_median_ms=<100,000 points, CPU>

The machine is shared: wall times and stalls include other jobs' turns on the cores, hence the
CPU times and the ticker alone (``idle_stall_ms``: nothing drawn, as long) beside them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from adapters.slack.render import sparkline as slack_sparkline  # noqa: E402
from bot.charts import GoalSeries, close, draw, render_goal, sparkline  # noqa: E402

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


async def stalls(charts: list[GoalSeries]) -> dict[str, float]:
    started = time.perf_counter()
    await draw(render_goal, charts[0])  # the worker's start: spawn, import matplotlib
    worker_start = time.perf_counter() - started
    await asyncio.to_thread(render_goal, charts[0])  # this process's matplotlib, warm

    async def through_draw() -> None:
        for series in charts:
            await draw(render_goal, series)

    async def through_thread() -> None:
        for series in charts:
            await asyncio.to_thread(render_goal, series)

    started = time.perf_counter()
    draw_worst, draw_p99 = await worst_stall(through_draw)
    draw_s = time.perf_counter() - started
    # The machine's own share: the same ticker for as long, with nothing drawn at all.
    idle_worst, idle_p99 = await worst_stall(lambda: asyncio.sleep(draw_s))
    started = time.perf_counter()
    thread_worst, thread_p99 = await worst_stall(through_thread)
    thread_s = time.perf_counter() - started
    close()
    return {
        "worker_start": worker_start, "idle_worst": idle_worst, "idle_p99": idle_p99,
        "draw_worst": draw_worst, "draw_p99": draw_p99, "draw_s": draw_s,
        "thread_worst": thread_worst, "thread_p99": thread_p99, "thread_s": thread_s,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--charts", type=int, default=50)
    args = parser.parse_args()

    year, long = weekly(52), steps(100_000)
    values = tuple(v for _, v in year.points)
    year_wall, year_cpu = timed(lambda: render_goal(year), args.rounds)
    long_wall, long_cpu = timed(lambda: render_goal(long), args.rounds)
    spark_wall, _ = timed(lambda: sparkline(values), args.rounds * 50)
    slack_wall, _ = timed(lambda: slack_sparkline(values), args.rounds * 50)
    mixed = [weekly(26) if i % 2 else steps(100_000) for i in range(args.charts)]
    loop = asyncio.run(stalls(mixed))

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
    print(f"{args.charts} charts in a row (half 26 weeks, half 100,000 points); 1 ms ticker:")
    print(
        f"  draw (worker process): worst {loop['draw_worst']:.1f} ms, p99 {loop['draw_p99']:.1f}"
        f" ms, {loop['draw_s']:.2f} s in all; worker start {loop['worker_start']:.2f} s"
    )
    print(
        f"  nothing drawn:         worst {loop['idle_worst']:.1f} ms, p99 {loop['idle_p99']:.1f}"
        f" ms (the machine's own share)"
    )
    print(
        f"  asyncio.to_thread:     worst {loop['thread_worst']:.1f} ms, p99"
        f" {loop['thread_p99']:.1f} ms, {loop['thread_s']:.2f} s in all"
    )
    long_median = statistics.median(long_wall)
    fast = median_ms <= TARGET_MS and long_median <= TARGET_MS
    met = fast and loop["draw_worst"] <= TARGET_STALL_MS
    verdict = "met" if met else "NOT met"
    print(f"targets (median ≤ {TARGET_MS:g} ms, stall ≤ {TARGET_STALL_MS:g} ms): {verdict}")
    print(
        f"RESULT median_ms={median_ms:.1f} p99_ms={percentile(year_wall, 0.99):.1f}"
        f" long_median_ms={long_median:.1f} long_p99_ms={percentile(long_wall, 0.99):.1f}"
        f" stall_ms={loop['draw_worst']:.1f} thread_stall_ms={loop['thread_worst']:.1f}"
        f" spark_us={spark_us:.1f} ratio={ratio:.0f} worker_start_s={loop['worker_start']:.2f}"
        f" idle_stall_ms={loop['idle_worst']:.1f} cpu_median_ms={statistics.median(year_cpu):.1f}"
        f" long_cpu_median_ms={statistics.median(long_cpu):.1f}"
    )


if __name__ == "__main__":
    main()
