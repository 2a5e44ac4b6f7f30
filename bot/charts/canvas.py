"""The canvas every chart is drawn on: a fixed-size matplotlib figure, its title, date axis,
lines, legend and words, and the PNG it becomes.

matplotlib is imported inside the functions, so importing ``bot.charts`` costs nothing until a
chart is drawn. Only its object API is used (``Figure`` on an Agg canvas), never pyplot: no
global figure registry, so charts may be drawn from any thread. Every text artist is made with
``parse_math=False``: a member's ``$x$`` is shown as typed, never read as mathtext.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from bot.charts.literal import TITLE, fitted, literal
from bot.charts.series import Point
from bot.numbers import shown

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

WIDTH, HEIGHT, DPI = 800, 400, 100  # pixels: what a chat client shows without scaling much
# Where the plot area sits, as fractions of the figure: fixed, so nothing is measured to place
# the title (matplotlib's automatic title placement costs a fifth of a chart's time).
LEFT, RIGHT, BOTTOM, TOP = 0.09, 0.97, 0.1, 0.83
CUE = 0.88  # the height of the line under the title: which way is better, the goal's legend

# Colours that tell the lines apart (and that tests look for in the pixels).
VALUES = "#1f5fa8"  # the number over time
BASELINE = "#7a7a7a"  # where the goal started: dashed
TARGET = "#1e9e4a"  # where it should get
BEST = "#d6452c"  # the best value so far: a star
CHECKIN = "#f0a020"  # a value that came with a check-in: a dot
NOTE = "#555555"  # the direction cue and "no values yet"
MEMBERS = "tab20"  # the team chart's lines: twenty colours that tell apart
TITLE_SIZE, LEGEND_SIZE = 12, 9  # points
MARKED = 60  # a line of this many values or fewer shows each as a small marker
ONE_POINT_DAYS = 3.0  # either side of a lone value, so its date reads as a date
SPAN_LIMIT = 1e300  # the y axis never reaches past it: beyond, a range or margin is infinite
# The days matplotlib can name (its dates run from year 1 to 9999): the x axis stays within.
DATE_RANGE = (datetime(1, 1, 2, tzinfo=UTC), datetime(9999, 12, 30, tzinfo=UTC))


@dataclass(frozen=True)
class Words:
    """The chart's own words, from prompts/messages.yaml (member text never comes from here)."""

    better: dict[str, str]  # direction → "higher is better" / "lower is better"
    no_values: str
    one_value: str
    checkins: str

    def baseline(self, value: float) -> str:
        return _said("chart_baseline", brief(value))

    def target(self, value: float) -> str:
        return _said("chart_target", brief(value))

    def best(self, value: float) -> str:
        return _said("chart_best", brief(value))

    def more(self, count: int) -> str:
        return _said("chart_more_members", str(count))


def brief(value: float) -> str:
    """A number short enough for a label: as stored when that is short (``0.45``), else to four
    significant digits (``0.4321`` for 0.43213521471158467)."""
    exact = shown(value)
    return exact if len(exact) <= 7 else f"{value:.4g}"


def _said(key: str, value: str = "") -> str:
    """A message as plain text: a chart has no member words inside a template to escape."""
    from bot.prompts import load_prompts  # pydantic: paid when a chart is drawn, not at import

    return "".join(str(part) for part in load_prompts().say(key, value=value))


@cache
def words() -> Words:
    return Words(
        better={"up": _said("chart_higher_better"), "down": _said("chart_lower_better")},
        no_values=_said("chart_no_values"),
        one_value=_said("chart_one_value"),
        checkins=_said("chart_checkins"),
    )


def figure(title: str, subtitle: str = "", right: float = RIGHT) -> tuple[Figure, Axes]:
    """A blank WIDTH x HEIGHT chart: the title (member text, shortened) and a grey subtitle
    above one plot area with a quiet grid and no top or right frame."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI)
    FigureCanvasAgg(fig)
    fig.subplots_adjust(left=LEFT, right=right, bottom=BOTTOM, top=TOP)
    room = (1 - LEFT) * WIDTH - 12
    shown = fitted(literal(title, TITLE), room, lambda text: width(fig, text, TITLE_SIZE))
    fig.text(LEFT, 0.955, shown, fontsize=TITLE_SIZE, va="top", parse_math=False, gid="title")
    if subtitle:
        fig.text(LEFT, CUE, subtitle, fontsize=10, color=NOTE, va="center", parse_math=False,
                 gid="cue")  # fmt: skip
    ax = fig.add_subplot()
    ax.grid(True, color="#e4e4e4", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig, ax


def width(fig: Figure, text: str, size: float) -> float:
    """How many pixels ``text`` takes at ``size`` points on this figure, as Agg draws it."""
    from matplotlib.font_manager import FontProperties

    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    wide, _, _ = renderer.get_text_width_height_descent(text, FontProperties(size=size), False)
    return float(wide)


def days(points: Sequence[Point]) -> list[float]:
    """matplotlib's date numbers of the points' times (a naive time is read as UTC)."""
    from matplotlib.dates import date2num

    return list(date2num([at for at, _ in points]))  # type: ignore[no-untyped-call]


def line(ax: Axes, points: Sequence[Point], colour: str, label: str, gid: str) -> None:
    """One series as a line; each value marked when they are few enough to count. The axes'
    limits are set by ``span`` and ``dated``, never from the data (whose range may be infinite)."""
    if points:
        ax.set_autoscale_on(False)
        ax.plot(
            days(points), [v for _, v in points], color=colour, linewidth=1.8, label=label,
            marker="o" if len(points) <= MARKED else None, markersize=3, gid=gid,
        )  # fmt: skip


def span(values: Sequence[float], room: str = "") -> tuple[float, float]:
    """The y range holding every value and line, with a margin so none sits on the frame, and
    a wider one on the ``room`` side ("above" or "below") for a label there."""
    if not values:
        return 0.0, 1.0
    # Clipped, so that the range and its margins stay finite whatever finite value is stored
    # (1.7e308 less -1.7e308 is infinite, and matplotlib refuses an infinite axis).
    low, high = (max(-SPAN_LIMIT, min(v, SPAN_LIMIT)) for v in (min(values), max(values)))
    margin = (high - low) or abs(high) or 1.0
    return (
        low - margin * (0.16 if room == "below" else 0.08),
        high + margin * (0.16 if room == "above" else 0.08),
    )


def dated(ax: Axes, points: Sequence[Point]) -> None:
    """The x axis from the first point to the last, with readable dates ("Mar", "Apr 12",
    "2026") in the time zone of the first point's time (UTC for a naive one: give the member's
    local times to see their days); no dates at all when there is no point. ``points`` may be
    just the ends."""
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    if not points:
        ax.set_xticks([])
        return
    times = days(points)
    first, last = min(times), max(times)
    pad = (last - first) * 0.03 or ONE_POINT_DAYS
    earliest, latest = days([(moment, 0.0) for moment in DATE_RANGE])
    ax.set_xlim(max(first - pad, earliest), min(last + pad, latest))
    zone = points[0][0].tzinfo or UTC
    locator = AutoDateLocator(minticks=3, maxticks=8, tz=zone)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    shown = ConciseDateFormatter(locator, tz=zone, show_offset=False)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_formatter(shown)


def note(ax: Axes, text: str, clear_of: float | None = None) -> None:
    """A note across the plot area ("no values yet"): in its middle, or when a lone value is
    drawn (``clear_of``, its y), a quarter of the height away from it."""
    height = 0.5
    if clear_of is not None:
        low, high = ax.get_ylim()
        at = (clear_of - low) / ((high - low) or 1.0)
        height = at - 0.25 if at > 0.5 else at + 0.25
    ax.text(
        0.5, height, text, transform=ax.transAxes, ha="center", va="center", color=NOTE,
        fontsize=12, parse_math=False, gid="note",
        bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85},
    )  # fmt: skip


def legend(ax: Axes, **where: Any) -> None:
    """The legend of the labelled lines, its texts (member words among them) shown literally."""
    if ax.get_legend_handles_labels()[0]:
        box = ax.legend(fontsize=LEGEND_SIZE, framealpha=0.9, **where)
        for text in box.get_texts():
            text.set_parse_math(False)


def png(fig: Figure) -> bytes:
    """The chart as PNG bytes, exactly WIDTH x HEIGHT (no tight bounding box to change it)."""
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()
