"""A goal's chart, for its member's eyes only: every value it has (a tracker's thousands too;
the chart thins them), the check-ins among them as dots, its baseline, target and best.

Drawn by ``bot.charts`` in its worker, off the event loop. A chart is a bonus to the words it
comes with: when it cannot be drawn the answer goes out without it, and the log says why.

    >>> chart = await goal_chart(turn, goal)  # None: fewer than two values
    >>> Reply(body, chart=chart)  # drawn by ``develop`` once the turn's transaction ended
"""

from __future__ import annotations

import asyncio
import logging
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from bot.charts import GoalSeries, draw, render_goal
from bot.coach.turn import Turn
from bot.events import Chart, DirectMessage, HomeView, Intent, Reply
from bot.numbers import shown
from bot.store.views import ChartPoint, GoalView

log = logging.getLogger(__name__)

DRAWN = 2  # values a line needs; with fewer there is nothing to see a chart for
WEEK = 7  # days: a span of two weeks or more is said in weeks
HOME_CHARTS = 5  # goals of the home view that get a chart: each costs a drawing
# Seconds a reply waits for its chart (about 0.1 s each, a few at once; the worker's first
# start 1-3 s): past this the words go out without it.
DRAW_PATIENCE = 15.0


@dataclass(frozen=True)
class Drawing:
    """A goal's chart read from the store, not drawn yet: drawing needs no database, so a
    view with several charts reads them one by one and draws them side by side."""

    ref: int
    series: GoalSeries
    alt: str


@dataclass(frozen=True)
class PendingChart(Chart):
    """A chart read from the store and not drawn yet. Flows answer with it; ``develop`` draws
    it once the turn's transaction has ended, so no drawing holds the database (or the
    member's turn) while it runs. Adapters never see one."""

    drawing: Drawing | None = field(default=None, repr=False, compare=False)


async def goal_chart(turn: Turn, goal: GoalView) -> Chart | None:
    """The goal's chart, drawn after the turn (see ``develop``); ``None`` when it has fewer
    than two values."""
    drawing = await read(turn, goal)
    return None if drawing is None else pending(drawing)


async def goal_charts(turn: Turn, goals: Sequence[GoalView]) -> list[Chart | None]:
    """The charts of ``goals`` (at most ``HOME_CHARTS`` of them; the rest get ``None``), read
    one after another (one session answers one query at a time), drawn after the turn."""
    drawings = [await read(turn, goal) for goal in goals[:HOME_CHARTS]]
    every: list[Chart | None] = [None if d is None else pending(d) for d in drawings]
    return every + [None] * (len(goals) - len(every))


def pending(drawing: Drawing) -> PendingChart:
    return PendingChart(f"goal-{drawing.ref}.png", b"", drawing.alt, drawing=drawing)


async def develop(intents: list[Intent]) -> list[Intent]:
    """``intents`` with every pending chart drawn, side by side; one that cannot be drawn is
    left out (logged), and its words go out as they are."""
    pendings = [chart for intent in intents for chart in _charts(intent)]
    if not pendings:
        return intents
    drawn_ = await asyncio.gather(*(drawn(p.drawing) for p in pendings if p.drawing))
    done: dict[int, Chart | None] = {
        id(p): c for p, c in zip((p for p in pendings if p.drawing), drawn_, strict=True)
    }
    return [_with(intent, done) for intent in intents]


def _charts(intent: Intent) -> list[PendingChart]:
    if isinstance(intent, Reply | DirectMessage) and isinstance(intent.chart, PendingChart):
        return [intent.chart]
    if isinstance(intent, HomeView):
        return [c.chart for c in intent.goals if isinstance(c.chart, PendingChart)]
    return []


def _with(intent: Intent, done: dict[int, Chart | None]) -> Intent:
    if isinstance(intent, Reply | DirectMessage) and isinstance(intent.chart, PendingChart):
        return replace(intent, chart=done.get(id(intent.chart)))
    if isinstance(intent, HomeView):
        cards = tuple(
            replace(c, chart=done.get(id(c.chart))) if isinstance(c.chart, PendingChart) else c
            for c in intent.goals
        )
        return replace(intent, goals=cards)
    return intent


async def read(turn: Turn, goal: GoalView) -> Drawing | None:
    """What the goal's chart shows, from every value recorded; ``None`` with fewer than two."""
    points = await turn.scope.chart_points(goal)
    if len(points) < DRAWN:
        return None
    return Drawing(goal.ref, series_of(goal, points), alt_text(turn, goal, points))


def series_of(goal: GoalView, points: Sequence[ChartPoint]) -> GoalSeries:
    """What the goal's chart plots: every value, the check-ins' as dots, the goal's marks."""
    return GoalSeries(
        title=goal.capability,
        metric=goal.metric_name,
        direction=goal.direction,
        points=[(p.at, p.value) for p in points],
        checkins=[(p.at, p.value) for p in points if p.checkin_id is not None],
        baseline=goal.baseline,
        target=goal.target,
        best=goal.current_best,
    )


async def drawn(drawing: Drawing) -> Chart | None:
    """The chart as a PNG in a ``Chart``; ``None`` (logged) when it could not be drawn."""
    try:
        # The member's words wait for their chart: never longer than this.
        png = await asyncio.wait_for(draw(render_goal, drawing.series), DRAW_PATIENCE)
    except Exception as exc:  # a chart is a bonus: the words it came with go out regardless
        # Only the kind of failure: the error's text may quote the member's goal.
        log.warning("goal chart not drawn: %s", type(exc).__name__)
        return None
    width, height = size(png)
    return Chart(f"goal-{drawing.ref}.png", png, drawing.alt, width, height)


def alt_text(turn: Turn, goal: GoalView, points: Sequence[ChartPoint]) -> str:
    """The chart in words, for screen readers and wherever no picture shows:
    ``fold success over 12 weeks: 0.10 → 0.45, best 0.45, target 0.60``."""
    first, last = points[0], points[-1]
    said = turn.words(
        "chart_goal_alt",
        metric=goal.metric_name,
        span=_span(turn, first, last),
        first=shown(first.value, first.text),
        last=shown(last.value, last.text),
        best=shown(goal.current_best, goal.current_best_text),
    )
    if goal.target is not None:
        said += turn.words("chart_goal_alt_target", target=shown(goal.target, goal.target_text))
    return said


def _span(turn: Turn, first: ChartPoint, last: ChartPoint) -> str:
    """How long the values cover, as people say it: "a day", "5 days", "12 weeks"."""
    days = (last.at - first.at).days
    if days <= 1:
        return turn.words("chart_span_day")
    if days < 2 * WEEK:
        return turn.words("chart_span_days", count=days)
    return turn.words("chart_span_weeks", count=round(days / WEEK))


def size(png: bytes) -> tuple[int, int]:
    """A PNG's width and height in pixels, from its header (0, 0 when it has none)."""
    if len(png) < 24 or not png.startswith(b"\x89PNG\r\n\x1a\n"):
        return 0, 0
    width, height = struct.unpack(">II", png[16:24])
    return int(width), int(height)
