"""Charts drawn off the event loop, in the chart worker: the same PNG as drawn in place,
for a 100,000-point history too (thinned before it crosses); a worker that died is replaced,
a chart that kills it is refused, and without processes a thread draws."""

from __future__ import annotations

import errno
import os
import signal
from collections.abc import Iterator
from concurrent.futures import Executor, Future
from concurrent.futures.process import BrokenProcessPool
from datetime import timedelta

import pytest

from bot.charts import GoalSeries, close, draw, render_goal, render_team, warm_up, worker
from tests.charts.conftest import START, fold_goal, weekly


@pytest.fixture(scope="module", autouse=True)
def _stop_the_worker() -> Iterator[None]:
    yield
    close()


async def test_draw_gives_the_chart_drawn_in_place_even_for_a_long_history() -> None:
    await warm_up()
    assert worker._pool is not None
    assert await draw(render_goal, fold_goal()) == render_goal(fold_goal())
    long = [(START + timedelta(minutes=i), (i % 997) / 997) for i in range(100_000)]
    series = GoalSeries("Fold", "rate", "up", long, long[::5000], 0.1, 0.6, 996 / 997)
    assert await draw(render_goal, series) == render_goal(series)
    team = [("Ada", weekly([0.1, 0.2])), ("Alan", long)]
    assert await draw(render_team, team, "Team") == render_team(team, "Team")


async def test_a_worker_that_died_is_replaced() -> None:
    await draw(render_goal, fold_goal())  # the worker of the test above, warm: no new start
    pool = worker._pool
    assert pool is not None
    for process in list(pool._processes.values()):
        os.kill(process.pid, signal.SIGKILL)
        process.join()
    png = await draw(render_goal, fold_goal())
    assert png == render_goal(fold_goal()) and worker._pool is not pool


async def test_a_chart_that_kills_its_worker_twice_is_refused_not_drawn_in_this_process() -> None:
    # os._exit in this process would end the test run: draw must never fall back to a thread
    # for a worker that died.
    with pytest.raises(BrokenProcessPool):
        await draw(os._exit, 3)
    assert worker._pool is None  # the next chart starts a new worker


class NoProcesses(Executor):
    """Where processes cannot be started (a sandbox without /dev/shm): every submit fails."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def submit(self, *args: object, **kwargs: object) -> Future[bytes]:
        raise OSError(errno.ENOSYS, "Function not implemented")


async def test_without_processes_charts_are_drawn_in_a_thread(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    close()
    monkeypatch.setattr(worker, "ProcessPoolExecutor", NoProcesses)
    assert await draw(render_goal, fold_goal()) == render_goal(fold_goal())
    assert "no worker process (Function not implemented)" in caplog.text
