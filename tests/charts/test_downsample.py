"""A long history is thinned to at most the cap, keeping its extremes and the goal's best."""

from __future__ import annotations

import math
from datetime import timedelta

import numpy as np

from bot.charts import GoalSeries
from bot.charts.downsample import CAP, kept
from bot.charts.goal import goal_figure, thin
from tests.charts.conftest import START


def history(n: int) -> list[tuple[object, float]]:
    """A noisy climb with one deep dip and one spike in the middle of a bucket."""
    rng = np.random.default_rng(7)
    values = np.linspace(0.1, 0.5, n) + rng.normal(0, 0.02, n)
    values[31_337] = -3.0  # the dip
    values[77_777] = 4.0  # the spike
    return [(START + timedelta(minutes=i), float(v)) for i, v in enumerate(values)]


def test_a_hundred_thousand_points_become_at_most_the_cap_keeping_min_max_and_best() -> None:
    points = history(100_000)
    best_at = 50_001  # a best that is no extreme: the member's, not the tracker's maximum
    series = GoalSeries("Fold", "rate", "up", points, [], 0.1, 0.6, points[best_at][1])
    thinned = thin(series)
    assert len(thinned.points) <= CAP
    kept_values = {v for _, v in thinned.points}
    assert {-3.0, 4.0, points[best_at][1]} <= kept_values
    assert thinned.points[0] == points[0] and thinned.points[-1] == points[-1]
    times = [t for t, _ in thinned.points]
    assert times == sorted(times)  # still oldest first
    ax = goal_figure(series).axes[0]
    (line,) = [a for a in ax.lines if a.get_gid() == "values"]
    assert len(line.get_ydata()) <= CAP  # type: ignore[arg-type]
    assert min(line.get_ydata()) == -3.0 and max(line.get_ydata()) == 4.0  # type: ignore[call-overload]


def test_each_bucket_keeps_its_lowest_and_highest() -> None:
    values = [0.0, 5.0, 1.0, 2.0, 9.0, 3.0, 4.0, -1.0]
    assert kept(values, cap=6) == [0, 1, 4, 7]
    assert kept(values, cap=100) == list(range(8))
    assert kept(values, cap=6, keep=[3]) == [0, 3, 4, 7]  # room for 3: one bucket


def test_short_histories_and_odd_lengths_keep_their_bounds() -> None:
    for n in (0, 1, 2, CAP, CAP + 1, 3 * CAP + 7):
        values = [math.sin(i) for i in range(n)]
        chosen = kept(values)
        assert len(chosen) <= CAP and chosen == sorted(set(chosen))
        if n:
            assert chosen[0] == 0 and chosen[-1] == n - 1
            assert int(np.argmax(values)) in chosen and int(np.argmin(values)) in chosen
