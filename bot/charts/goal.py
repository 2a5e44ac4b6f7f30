"""One goal's chart: its number over time, the baseline (dashed), the target, the best so far
(a star with its value) and the check-ins (dots), with which way is better."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from bot.charts import canvas
from bot.charts.downsample import kept
from bot.charts.literal import LABEL, literal
from bot.charts.series import GoalSeries, Point, finite, level

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def render_goal(series: GoalSeries) -> bytes:
    """The goal's chart as a WIDTH x HEIGHT PNG (see ``bot.charts.canvas``).

    >>> png = render_goal(GoalSeries("Fold", "success", "up", [], [], 0.1, 0.6, None))
    >>> png[:4] == b"\\x89PNG"
    True
    """
    return canvas.png(goal_figure(series))


def goal_figure(series: GoalSeries) -> Figure:
    """The chart before it becomes pixels. Each drawn part carries a gid ("values",
    "checkins", "baseline", "target", "best", "best-label", "cue", "note") to be found by."""
    words = canvas.words()
    down = series.direction == "down"
    cue = ("↓ " if down else "↑ ") + words.better["down" if down else "up"]
    fig, ax = canvas.figure(series.title, cue)
    ax.set_ylabel(literal(series.metric, LABEL), parse_math=False)

    series = thin(series)
    shown, dots = series.points, series.checkins
    best = level(series.best)
    best_at = _reached(finite(shown)[1], best)
    baseline, target = level(series.baseline), level(series.target)
    levels = [x for x in (baseline, target, best) if x is not None]
    room = "below" if down else "above"  # for the best's label, on the better side
    ax.set_ylim(*canvas.span([v for _, v in shown] + [v for _, v in dots] + levels, room))
    canvas.dated(ax, [*shown[:1], *shown[-1:], *dots])

    canvas.line(ax, shown, canvas.VALUES, "", gid="values")  # named by the y label
    if dots:
        ax.scatter(
            canvas.days(dots), [v for _, v in dots], s=36, zorder=4, color=canvas.CHECKIN,
            edgecolors="white", linewidths=0.8, label=words.checkins, gid="checkins",
        )  # fmt: skip
    _level(ax, baseline, canvas.BASELINE, "--", words.baseline, "baseline")
    _level(ax, target, canvas.TARGET, "-", words.target, "target")
    if best is not None and best_at is not None:
        _best(ax, shown[best_at], best, words.best(best), down)
    if len(shown) < 2:
        lone = shown[0][1] if shown else None
        canvas.note(ax, words.one_value if shown else words.no_values, clear_of=lone)
    # One row above the plot, right of the cue: the plot itself stays clear for the values.
    count = len(ax.get_legend_handles_labels()[0])
    canvas.legend(
        ax, loc="center right", bbox_to_anchor=(canvas.RIGHT, canvas.CUE), ncols=max(1, count),
        bbox_transform=fig.transFigure, frameon=False, borderaxespad=0, columnspacing=1.4,
    )  # fmt: skip
    return fig


def thin(series: GoalSeries) -> GoalSeries:
    """The series with only what its chart draws: finite values, at most ``CAP`` of them per
    line, the extremes and the best among them (``bot.charts.downsample``)."""
    points, values = finite(series.points)
    best_at = _reached(values, level(series.best))
    dots, dot_values = finite(series.checkins)
    return replace(
        series,
        points=[points[i] for i in kept(values, keep=() if best_at is None else (best_at,))],
        checkins=[dots[i] for i in kept(dot_values)],
    )


def _reached(values: npt.NDArray[np.float64], best: float | None) -> int | None:
    """Where the best was reached: the first value equal to it, else the one nearest to it."""
    if best is None or not len(values):
        return None
    equal = np.flatnonzero(values == best)
    return int(equal[0]) if len(equal) else int(np.abs(values - best).argmin())


def _level(
    ax: Axes, value: float | None, colour: str, style: str, name: Callable[[float], str], gid: str
) -> None:
    """A horizontal line across the chart at a baseline or target, named in the legend."""
    if value is not None:
        ax.axhline(value, color=colour, linestyle=style, linewidth=1.6, label=name(value), gid=gid)


def _best(ax: Axes, where: Point, best: float, label: str, down: bool) -> None:
    """The best value as a star where it was reached, its value written beside it: above the
    star when higher is better (no value is above the best), below it when lower is, where
    the y range keeps room for it; leaning away from the left and right edges."""
    when = canvas.days([where])[0]
    ax.plot([when], [best], marker="*", markersize=15, color=canvas.BEST, linestyle="none",
            markeredgecolor="white", zorder=5, gid="best")  # fmt: skip
    left, right = ax.get_xlim()
    side = (when - left) / ((right - left) or 1.0)
    lean = "right" if side > 0.8 else "left" if side < 0.2 else "center"
    ax.annotate(
        label, (when, best), textcoords="offset points", ha=lean, parse_math=False,
        xytext=({"right": -6, "left": 6, "center": 0}[lean], -17 if down else 9),
        color=canvas.BEST, fontsize=10, fontweight="bold", gid="best-label",
    )  # fmt: skip
