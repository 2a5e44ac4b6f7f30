"""What a chart shows, as plain data: a goal's number over time, or a team's numbers."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter

import numpy as np
import numpy.typing as npt

Point = tuple[datetime, float]


@dataclass(frozen=True)
class GoalSeries:
    """One goal's number over time, with the lines that give it meaning.

    ``points`` holds every value, oldest first (any length: the chart thins it out);
    ``checkins`` the values that came with a check-in, drawn as dots.

    >>> GoalSeries("Fold proteins", "success rate", "up", [], [], 0.1, 0.6, None).direction
    'up'
    """

    title: str
    metric: str
    direction: str  # "up" | "down"
    points: Sequence[Point]
    checkins: Sequence[Point]
    baseline: float | None
    target: float | None
    best: float | None


def finite(points: Sequence[Point]) -> tuple[Sequence[Point], npt.NDArray[np.float64]]:
    """The points whose value can be drawn, and their values as an array: NaN and ±inf are
    skipped, never plotted as gaps. Through numpy, as 100,000 points must cost little.

    >>> finite([(datetime(2026, 1, 5), 1.0), (datetime(2026, 1, 6), math.nan)])[1]
    array([1.])
    """
    values = np.fromiter(map(itemgetter(1), points), dtype=np.float64, count=len(points))
    drawable = np.isfinite(values)
    if drawable.all():
        return points, values
    return [points[int(i)] for i in np.flatnonzero(drawable)], values[drawable]


def level(value: float | None) -> float | None:
    """A baseline, target or best that can be drawn; ``None`` for a missing or non-finite one."""
    return value if value is not None and math.isfinite(value) else None
