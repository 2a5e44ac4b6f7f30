"""What a member's history calls for, looked at when their weekly prompt goes out:
a notebook review every two weeks while they keep notes, and the switch-or-commit and
long-bet nudges when their goal's number has stalled or gone quiet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import CheckIn, Delivery, Goal, Member, MetricPoint, NotebookEntry

REVIEW_EVERY = timedelta(days=14)
QUIET = timedelta(weeks=3)  # a goal with no new number this long, while work goes on: long bet
STALL = timedelta(weeks=4)  # values recorded but no new best this long: switch or commit
NOTEBOOK_REVIEW, NUDGE = "notebook_review", "nudge"


@dataclass(frozen=True)
class Called:
    kind: str
    detail: dict[str, object]


async def review_due(session: AsyncSession, member: Member, now: datetime) -> bool:
    """Notes in the last two weeks, and no review prompt in that time."""
    notes = await session.scalar(
        select(
            exists().where(
                NotebookEntry.member_id == member.id,
                NotebookEntry.kind == "entry",
                NotebookEntry.created_at >= now - REVIEW_EVERY,
            )
        )
    )
    asked = await session.scalar(
        select(
            exists().where(
                Delivery.member_id == member.id,
                Delivery.kind == NOTEBOOK_REVIEW,
                Delivery.due_at > now - REVIEW_EVERY + timedelta(days=1),
            )
        )
    )
    return bool(notes) and not asked


async def goal_nudge(session: AsyncSession, member: Member, now: datetime) -> Called | None:
    """switch-or-commit or long-bet for the member's first goal that calls for one."""
    if not member.nudges_enabled:
        return None
    previous = set(filter(None, member.last_nudges.split(",")))
    goals = (
        await session.execute(
            select(Goal)
            .where(Goal.member_id == member.id, Goal.status == "active")
            .order_by(Goal.ref)
        )
    ).scalars()
    for goal in goals:
        if goal.created_at > now - QUIET:
            continue  # a young goal has not had the time to stall
        latest = await session.scalar(
            select(func.max(MetricPoint.recorded_at)).where(MetricPoint.goal_id == goal.id)
        )
        working = await session.scalar(
            select(exists().where(CheckIn.goal_id == goal.id, CheckIn.created_at >= now - QUIET))
        )
        if working and (latest is None or latest < now - QUIET) and "long-bet" not in previous:
            return Called(NUDGE, {"nudge": "long-bet", "goal": goal.id})
        if (
            latest is not None
            and latest >= now - STALL
            and await _no_new_best(session, goal, now - STALL)
            and "switch-or-commit" not in previous
        ):
            return Called(NUDGE, {"nudge": "switch-or-commit", "goal": goal.id})
    return None


async def _no_new_best(session: AsyncSession, goal: Goal, since: datetime) -> bool:
    """Values were recorded since ``since``, and none beat what came before."""
    before = select(MetricPoint.value).where(
        MetricPoint.goal_id == goal.id, MetricPoint.recorded_at < since
    )
    after = select(MetricPoint.value).where(
        MetricPoint.goal_id == goal.id, MetricPoint.recorded_at >= since
    )
    old = list((await session.execute(before)).scalars())
    new = list((await session.execute(after)).scalars())
    if not old or not new:
        return False
    if goal.direction == "up":
        return max(new) <= max(old)
    return min(new) >= min(old)
