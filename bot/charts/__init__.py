"""Charts of a goal's number: PNG pictures of its history, and a one-line text sparkline.

Pure: no store, no platform. matplotlib (object API on an Agg canvas, never pyplot) is
imported only when a chart is drawn, so importing this package costs nothing.

    png = await draw(render_goal, GoalSeries("Fold proteins", "fold success rate", "up",
                                             points, checkins, 0.1, 0.6, 0.45))
"""

from __future__ import annotations

from bot.charts.goal import render_goal
from bot.charts.series import GoalSeries
from bot.charts.spark import sparkline
from bot.charts.team import render_team
from bot.charts.worker import close, draw, warm_up

__all__ = ["GoalSeries", "close", "draw", "render_goal", "render_team", "sparkline", "warm_up"]
