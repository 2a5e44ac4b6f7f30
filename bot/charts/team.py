"""A team digest's chart: one line per member, their names in the legend."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.charts import canvas
from bot.charts.downsample import kept
from bot.charts.literal import NAME, fitted, literal
from bot.charts.series import Point, finite

if TYPE_CHECKING:
    from matplotlib.figure import Figure

LINES = 12  # members drawn at most: the legend rows that fit beside the plot; the rest counted
PLOT_RIGHT = 0.74  # where the plot area ends: the legend of names takes the rest
NAME_PIXELS = 150  # a name's width in that legend, beside its line's sample

Member = tuple[str, Sequence[Point]]


def render_team(series: Sequence[Member], title: str) -> bytes:
    """The team's chart as a WIDTH x HEIGHT PNG: ``series`` is (member name, points) each, the
    points oldest first; a member with no drawable value is left out."""
    return canvas.png(team_figure(series, title))


def team_figure(series: Sequence[Member], title: str) -> Figure:
    """The chart before it becomes pixels; each member's line has gid "member"."""
    from matplotlib import colormaps

    fig, ax = canvas.figure(title, right=PLOT_RIGHT)
    paired = colormaps[canvas.MEMBERS].colors  # type: ignore[attr-defined]
    colours = [*paired[0::2], *paired[1::2]]  # the ten strong hues first, then their light twins
    words = canvas.words()
    drawn = []
    for name, history in series:
        points, values = finite(history)
        if len(points):
            drawn.append((name, [points[i] for i in kept(values)]))
    ends: list[Point] = []

    def measured(text: str) -> float:
        return canvas.width(fig, text, canvas.LEGEND_SIZE)

    for number, (name, shown) in enumerate(drawn[:LINES]):
        label = fitted(literal(name, NAME), NAME_PIXELS, measured)
        canvas.line(ax, shown, colours[number % len(colours)], label, "member")
        ends += (shown[0], shown[-1])
    ax.set_ylim(*canvas.span([v for _, shown in drawn[:LINES] for _, v in shown]))
    canvas.dated(ax, ends)
    if len(drawn) > LINES:
        ax.plot([], [], linestyle="none", label=words.more(len(drawn) - LINES))
    if not drawn:
        canvas.note(ax, words.no_values)
    canvas.legend(ax, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
    return fig
