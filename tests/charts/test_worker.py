"""Charts drawn off the event loop, in the chart worker: the same PNG as drawn in place,
for a 100,000-point history too (thinned before it crosses), and a worker that died is
replaced."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot.charts import GoalSeries, close, draw, render_goal, render_team, worker
from tests.charts.conftest import START, fold_goal, weekly


@pytest.fixture(scope="module", autouse=True)
def _stop_the_worker() -> Iterator[None]:
    yield
    close()


async def test_draw_gives_the_chart_drawn_in_place_even_for_a_long_history() -> None:
    assert await draw(render_goal, fold_goal()) == render_goal(fold_goal())
    long = [(START + timedelta(minutes=i), (i % 997) / 997) for i in range(100_000)]
    series = GoalSeries("Fold", "rate", "up", long, long[::5000], 0.1, 0.6, 996 / 997)
    assert await draw(render_goal, series) == render_goal(series)
    team = [("Ada", weekly([0.1, 0.2])), ("Alan", long)]
    assert await draw(render_team, team, "Team") == render_team(team, "Team")


async def test_a_worker_that_died_is_replaced() -> None:
    await draw(render_goal, fold_goal())
    pool = worker._pool
    assert pool is not None
    for process in list(pool._processes.values()):
        os.kill(process.pid, signal.SIGKILL)
        process.join()
    png = await draw(render_goal, fold_goal())
    assert png == render_goal(fold_goal()) and worker._pool is not pool
