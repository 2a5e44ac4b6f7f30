"""Polling trackers: 1,000 goals connected to a local MLflow, all due at once, read by the real
poller (``bot.schedule.polling.Poller``: the due list, one read and one transaction per goal,
each value recorded once), against a bare client loop that only reads.

Both run in the same process, against one real MLflow tracking server (the one the tests use,
``tests/fakes/mlflow_server.py``: MLflow's own app on 127.0.0.1, SQLite behind it, in a child
process), started here with ``--experiments`` experiments of ``--runs`` runs each; goals are
spread over the experiments, many members to a workspace.

- ours: ``Poller.poll_due`` with every goal due, ``--concurrency`` reads at once (the poller's
  default), on SQLite in a temporary folder (or ``--database-url``). Cycle 1 is every goal's
  first read (each run's value recorded, a "connected" DM claimed per goal); then a few new runs
  are logged and the clock moves past every goal's next read: cycle 2 is the steady state
  (every goal read again, only the new runs recorded, new bests told).
- bare: ``read_metric`` for each goal's tracker settings with the same concurrency, no
  database, timed right before each cycle.

Requests are counted as the HTTP client sends them, one hook per client (every request it
sends is one the server answers). After the two cycles the database must hold each run's value
once per goal: duplicates are counted (and asserted 0), and so are values missing.

Run: ``python bench/ingest.py [--goals 1000] [--experiments 5] [--runs 10] [--concurrency 8]
[--database-url URL] [--profile FILE]`` (``--profile``: a cProfile of our cycle 2). The last
line reads ``RESULT ratio=<cycle 2 / bare> first_ratio=<cycle 1 / bare> cycle_s=<cycle 2>
bare_s=<bare> requests_per_goal=<n> cpu_ms_per_goal=<n> duplicates=<n> missing=<n>``.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the MLflow server lives in tests/, which is not installed

import httpx  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bot.events import TenantRef  # noqa: E402
from bot.ports import ManualClock  # noqa: E402
from bot.schedule.polling import CONCURRENCY, JITTER, Poller, PollReport  # noqa: E402
from bot.store import Database  # noqa: E402
from bot.store.installations import Tokens  # noqa: E402
from bot.store.models import MetricPoint  # noqa: E402
from bot.trackers import TrackerConfig, TrackerError, read_metric  # noqa: E402
from tests.fakes.mlflow_server import LoggedRuns, MlflowServer  # noqa: E402

METRIC = "fold_success"
EVERY = timedelta(minutes=15)
START = datetime(2026, 11, 3, 12, 0, tzinfo=UTC)
GOALS_PER_MEMBER = 5
MEMBERS_PER_WORKSPACE = 50


def counted_client(counter: Counter[str], limits: int) -> httpx.AsyncClient:
    """A client that counts each request it sends, by path."""

    async def count(request: httpx.Request) -> None:
        counter[request.url.path] += 1

    return httpx.AsyncClient(
        event_hooks={"request": [count]},
        limits=httpx.Limits(max_connections=limits, max_keepalive_connections=limits),
    )


def log_runs(runs: LoggedRuns, experiments: list[str], per_experiment: int, first: int) -> None:
    """``per_experiment`` runs in each experiment, numbered from ``first``, one value each
    after an earlier one (a run's latest value is its reading)."""
    for e, experiment in enumerate(experiments):
        for n in range(first, first + per_experiment):
            value = round(0.30 + 0.6 * ((n * 7 + e * 3) % 97) / 97, 4)
            runs.log(experiment, f"run-{n}", METRIC, [value / 2, value])


async def connect_goals(
    db: Database, url: str, experiments: list[str], goals: int, now: datetime
) -> list[TrackerConfig]:
    """``goals`` goals, each connected to one of ``experiments``, due now; their trackers."""
    configs = []
    workspaces = max(1, goals // (GOALS_PER_MEMBER * MEMBERS_PER_WORKSPACE))
    for w in range(workspaces):
        share = range(w, goals, workspaces)
        async with db.scope(TenantRef("slack", f"T{w}"), now) as scope:
            member = None
            for i, number in enumerate(share):
                if i % GOALS_PER_MEMBER == 0:
                    member = await scope.ensure_member(f"U{number}", f"M{number}", "UTC", now)
                assert member is not None
                goal = await scope.add_goal(
                    member,
                    capability="fold towels",
                    metric_name="fold success",
                    direction="up",
                    created_at=now,
                )
                experiment = experiments[number % len(experiments)]
                settings = {"url": url, "experiment": experiment, "metric": METRIC, "rule": "max"}
                await scope.connect(goal, "mlflow", settings, now, next_poll_at=now)
                configs.append(TrackerConfig("mlflow", url, experiment, METRIC))
    return configs


async def bare_cycle(
    configs: list[TrackerConfig], http: httpx.AsyncClient, at_once: int
) -> Counter[str]:
    """Read every config's metric, ``at_once`` at a time; how many readings came back
    (``readings``) and how many reads failed, by kind."""
    slots = asyncio.Semaphore(at_once)
    counts: Counter[str] = Counter()

    async def one(config: TrackerConfig) -> None:
        async with slots:
            try:
                found = await read_metric(config, None, http)
            except TrackerError as exc:
                counts[exc.kind] += 1
                return
            counts["readings"] += len(found)

    await asyncio.gather(*(one(c) for c in configs))
    return counts


CPU: dict[str, float] = {}  # seconds of this process's CPU time (every thread), by step


async def timed(work: Callable[[], Awaitable[Any]], name: str) -> tuple[float, Any]:
    """(wall seconds, result) of ``work``; its CPU time goes to ``CPU[name]``."""
    cpu = time.process_time()
    started = time.perf_counter()
    result = await work()
    elapsed = time.perf_counter() - started
    CPU[name] = time.process_time() - cpu
    return elapsed, result


async def duplicates_and_missing(db: Database, goals: int, runs_each: int) -> tuple[int, int]:
    """(values recorded more than once for a goal's run and step, values missing)."""
    async with db.session() as session:
        twice = await session.scalar(
            select(func.count()).select_from(
                select(MetricPoint.goal_id, MetricPoint.run_id, MetricPoint.step)
                .group_by(MetricPoint.goal_id, MetricPoint.run_id, MetricPoint.step)
                .having(func.count() > 1)
                .subquery()
            )
        )
        total = await session.scalar(select(func.count()).select_from(MetricPoint))
    return int(twice or 0), max(0, goals * runs_each - int(total or 0))


async def main(args: argparse.Namespace) -> None:
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    with tempfile.TemporaryDirectory() as folder, MlflowServer(Path(folder) / "mlflow") as server:
        runs = server.runs()
        experiments = [runs.experiment(f"bench-{e}") for e in range(args.experiments)]
        log_runs(runs, experiments, args.runs, 0)
        db = Database.from_url(args.database_url or f"sqlite+aiosqlite:///{folder}/coach.db")
        await db.upgrade()
        ours_requests: Counter[str] = Counter()
        bare_requests: Counter[str] = Counter()
        ours_http = counted_client(ours_requests, args.concurrency)
        bare_http = counted_client(bare_requests, args.concurrency)
        try:
            clock = ManualClock(START)
            configs = await connect_goals(db, server.url, experiments, args.goals, clock.now())
            poller = Poller(db, Tokens([]), ours_http, EVERY, clock)
            poller.concurrency, poller.per_run, poller.budget = args.concurrency, args.goals, 3600
            await bare_cycle(configs[:20], bare_http, args.concurrency)  # warm both up alike
            bare_requests.clear()

            bare_1, _ = await timed(
                lambda: bare_cycle(configs, bare_http, args.concurrency), "bare1"
            )
            first_s, first = await timed(lambda: poller.poll_due(clock.now()), "ours1")
            log_runs(runs, experiments, args.new_runs, args.runs)  # new runs between polls
            clock.advance(EVERY * (1 + JITTER) + timedelta(minutes=1))  # every goal due again
            bare_requests.clear()
            bare_2, read = await timed(
                lambda: bare_cycle(configs, bare_http, args.concurrency), "bare2"
            )
            sent_before = sum(ours_requests.values())
            profile = cProfile.Profile() if args.profile else None
            if profile is not None:
                profile.enable()
            cycle_s, second = await timed(lambda: poller.poll_due(clock.now()), "ours2")
            if profile is not None:
                profile.disable()
                profile.dump_stats(args.profile)
            requests = sum(ours_requests.values()) - sent_before
            duplicates, missing = await duplicates_and_missing(
                db, args.goals, args.runs + args.new_runs
            )
            failed = [line for line in server_log(folder).splitlines() if "Error" in line]
        except BaseException:
            print(server_log(folder)[-3000:], file=sys.stderr)
            raise
        finally:
            await ours_http.aclose()
            await bare_http.aclose()
            await db.dispose()
    report(args, first, second, first_s, cycle_s, bare_1, bare_2, read, requests, bare_requests)
    cpu_ms = {name: 1000 * seconds / args.goals for name, seconds in CPU.items()}
    print(
        f"CPU per goal (this process): ours {cpu_ms['ours2']:.2f} ms (first read "
        f"{cpu_ms['ours1']:.2f}), bare {cpu_ms['bare2']:.2f} ms"
    )
    if failed:  # the server's own errors (both sides meet them alike): the last one
        print(f"MLflow server errors: {len(failed)}; last: {failed[-1][:200]}")
    print(f"duplicates={duplicates} missing={missing}")
    assert duplicates == 0, f"{duplicates} values recorded twice"
    ratio = cycle_s / bare_2
    print(
        f"RESULT ratio={ratio:.2f} first_ratio={first_s / bare_1:.2f} cycle_s={cycle_s:.2f} "
        f"bare_s={bare_2:.2f} requests_per_goal={requests / args.goals:.2f} "
        f"cpu_ms_per_goal={cpu_ms['ours2']:.1f} duplicates={duplicates} missing={missing}"
    )


def server_log(folder: str) -> str:
    log = Path(folder) / "mlflow" / "server.log"
    return log.read_text(errors="replace") if log.exists() else ""


def report(
    args: argparse.Namespace,
    first: PollReport,
    second: PollReport,
    first_s: float,
    cycle_s: float,
    bare_1: float,
    bare_2: float,
    read: Counter[str],
    requests: int,
    bare_requests: Counter[str],
) -> None:
    goals = args.goals
    print(
        f"{goals} goals over {args.experiments} experiments of {args.runs} runs "
        f"(+{args.new_runs} each before cycle 2), {args.concurrency} reads at once"
    )
    print(
        f"cycle 1 (first reads): {first_s:7.2f} s  polled {first.polled} recorded "
        f"{first.recorded} errors {dict(first.errors)}   bare {bare_1:7.2f} s"
    )
    print(
        f"cycle 2 (steady):      {cycle_s:7.2f} s  polled {second.polled} recorded "
        f"{second.recorded} new bests {second.new_bests} errors {dict(second.errors)}   "
        f"bare {bare_2:7.2f} s ({dict(read)})"
    )
    print(
        f"per goal: ours {1000 * cycle_s / goals:.2f} ms, bare {1000 * bare_2 / goals:.2f} ms; "
        f"requests per goal: ours {requests / goals:.2f}, "
        f"bare {sum(bare_requests.values()) / goals:.2f} ({dict(bare_requests)})"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--goals", type=int, default=1000)
    parser.add_argument("--experiments", type=int, default=5)
    parser.add_argument("--runs", type=int, default=10, help="runs per experiment at first")
    parser.add_argument("--new-runs", type=int, default=2, help="runs added before cycle 2")
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY)
    parser.add_argument("--database-url", help="an empty database, e.g. PostgreSQL; default SQLite")
    parser.add_argument("--profile", help="write a cProfile of our cycle 2 to this file")
    asyncio.run(main(parser.parse_args()))
