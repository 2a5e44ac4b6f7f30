"""The weekly digest's team chart: one line per member who published a number in it, each line
the numbers that member published on that goal over the last weeks, and nothing else. A number
from a check-in the member kept to themselves never reaches it.

Read with the digest (in the outbox's short transaction), drawn when it is sent: a ``Drawing``
is what to draw, so no transaction stays open while the chart worker draws.

    >>> drawing = await team_chart(prompts, session, delivery, shared, week)
    >>> chart = await drawing.drawn()  # a Chart, to show after the digest's words
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.charts import draw, render_team
from bot.charts.canvas import HEIGHT, WIDTH
from bot.events import Chart, plain
from bot.numbers import shown
from bot.prompts import Prompts
from bot.schedule.summary import Shared
from bot.store.models import CheckIn, Delivery

WEEKS = timedelta(weeks=12)  # how far back each member's line reaches
DRAWN = 2  # values the whole chart needs: with fewer there is no line to read

Point = tuple[datetime, float]


@dataclass(frozen=True)
class Drawing:
    """A chart to draw when its message goes out: ``render(*args)`` makes the PNG."""

    render: Callable[..., bytes]
    args: tuple[Any, ...] = field(repr=False)
    filename: str
    alt: str

    async def drawn(self) -> Chart:
        """The PNG, drawn in the charts' worker (off the event loop)."""
        png = await draw(self.render, *self.args)
        return Chart(self.filename, png, self.alt, WIDTH, HEIGHT)


async def team_chart(
    prompts: Prompts,
    session: AsyncSession,
    delivery: Delivery,
    shared: Sequence[Shared],
    week: str,
) -> Drawing | None:
    """The digest's chart: for each member with a number among ``shared`` (this digest's
    published check-ins), the published numbers of the goal of their latest one since
    ``WEEKS`` before the digest; ``None`` when the team has fewer than two."""
    latest: dict[int, tuple[int, str]] = {}  # member id → (goal id, name): their latest number's
    for item in shared:  # oldest first: a later check-in's goal wins
        if item.goal is not None and item.checkin.metric_value is not None:
            name = item.member.display_name or item.member.user_id
            latest[item.member.id] = (item.goal.id, name)
    goals = dict(latest.values())  # goal id → its member's name
    if not goals:
        return None
    rows = await session.execute(
        select(CheckIn.goal_id, CheckIn.created_at, CheckIn.metric_value, CheckIn.metric_value_text)
        .where(
            CheckIn.tenant_id == delivery.tenant_id,
            CheckIn.goal_id.in_(goals),
            CheckIn.published_at.is_not(None),  # what the member chose to share, only
            CheckIn.metric_value.is_not(None),
            CheckIn.created_at >= delivery.due_at - WEEKS,
        )
        .order_by(CheckIn.created_at, CheckIn.id)
    )
    lines: dict[int, list[tuple[datetime, float, str | None]]] = {g: [] for g in goals}
    for goal_id, at, value, typed in rows:
        if goal_id is not None and value is not None:  # as the query asked: typed for mypy
            lines[goal_id].append((at, value, typed))
    if sum(len(points) for points in lines.values()) < DRAWN:
        return None
    title = plain(prompts.say("chart_team_title", week=week))
    drawn = {g: points for g, points in lines.items() if points}
    series = [(goals[g], [(at, value) for at, value, _ in points]) for g, points in drawn.items()]
    alt = plain(prompts.say("chart_team_alt", title=title, lines=_said(prompts, goals, drawn)))
    return Drawing(render_team, (series, title), f"team-{delivery.period}.png", alt)


def _said(
    prompts: Prompts,
    names: dict[int, str],
    lines: dict[int, list[tuple[datetime, float, str | None]]],
) -> str:
    """Each member's line in words: ``Ada 0.31 → 0.25; Bob 12``."""
    said = []
    for goal_id, points in lines.items():
        (_, first, first_typed), (_, last, last_typed) = points[0], points[-1]
        name = names[goal_id]
        if len(points) == 1:
            said.append(prompts.say("chart_team_alt_one", name=name, value=shown(last, last_typed)))
        else:
            said.append(
                prompts.say(
                    "chart_team_alt_member",
                    name=name,
                    first=shown(first, first_typed),
                    last=shown(last, last_typed),
                )
            )
    return "; ".join(plain(s) for s in said)
