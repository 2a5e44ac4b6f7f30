"""What a member's history calls for, looked at when their weekly prompt goes out:
a notebook review every two weeks while they keep notes, and the switch-or-commit and
long-bet nudges when their goal's number has stalled or gone quiet."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.deliveries import DeliveryKind
from bot.store.models import CheckIn, Delivery, Goal, Member, MetricPoint, NotebookEntry

REVIEW_EVERY = timedelta(days=14)
QUIET = timedelta(weeks=3)  # a goal with no new number this long, while work goes on: long bet
STALL = timedelta(weeks=4)  # values recorded but no new best this long: switch or commit


class NudgeState(Protocol):
    """What the history needs of a member: a ``Member``, or a row of its columns."""

    @property
    def id(self) -> int: ...
    @property
    def nudges_enabled(self) -> bool: ...
    @property
    def last_nudges(self) -> str: ...


@dataclass(frozen=True)
class Called:
    kind: DeliveryKind
    detail: dict[str, object]


async def called_for(
    session: AsyncSession, members: Sequence[NudgeState], now: datetime
) -> dict[int, list[Called]]:
    """What each member's history calls for, by member id (members with nothing left out).

    A batch costs a handful of queries whatever its size: the tick claims thousands of weekly
    prompts at once.
    """
    reviews = await reviews_due(session, [m.id for m in members], now)
    nudges = await goal_nudges(session, members, now)
    found: dict[int, list[Called]] = {}
    for member in members:
        called = [Called(DeliveryKind.NOTEBOOK_REVIEW, {})] if member.id in reviews else []
        if member.id in nudges:
            called.append(nudges[member.id])
        if called:
            found[member.id] = called
    return found


async def reviews_due(session: AsyncSession, member_ids: Sequence[int], now: datetime) -> set[int]:
    """Of ``member_ids``, those with notes in the last two weeks and no review prompt in that
    time."""
    if not member_ids:
        return set()
    noted = set(
        (
            await session.execute(
                select(NotebookEntry.member_id)
                .where(
                    NotebookEntry.member_id.in_(member_ids),
                    NotebookEntry.kind == "entry",
                    NotebookEntry.created_at >= now - REVIEW_EVERY,
                )
                .distinct()
            )
        ).scalars()
    )
    if not noted:
        return set()
    asked = set(
        (
            await session.execute(
                select(Delivery.member_id)
                .where(
                    Delivery.member_id.in_(noted),
                    Delivery.kind == DeliveryKind.NOTEBOOK_REVIEW,
                    Delivery.due_at > now - REVIEW_EVERY + timedelta(days=1),
                )
                .distinct()
            )
        ).scalars()
    )
    return noted - asked


async def review_due(session: AsyncSession, member: Member, now: datetime) -> bool:
    """Notes in the last two weeks, and no review prompt in that time."""
    return member.id in await reviews_due(session, [member.id], now)


async def goal_nudges(
    session: AsyncSession, members: Sequence[NudgeState], now: datetime
) -> dict[int, Called]:
    """switch-or-commit or long-bet, by member id: for each member's first goal (by number)
    that calls for one."""
    eligible = {m.id: m for m in members if m.nudges_enabled}
    if not eligible:
        return {}
    goals = (
        (
            await session.execute(
                select(Goal)
                .where(
                    Goal.member_id.in_(eligible),
                    Goal.status == "active",
                    Goal.created_at <= now - QUIET,  # a young goal has not had time to stall
                )
                .order_by(Goal.member_id, Goal.ref)
            )
        )
        .scalars()
        .all()
    )
    if not goals:
        return {}
    ids = [g.id for g in goals]
    latest: dict[int, datetime] = {
        goal_id: at
        for goal_id, at in (
            await session.execute(
                select(MetricPoint.goal_id, func.max(MetricPoint.recorded_at))
                .where(MetricPoint.goal_id.in_(ids))
                .group_by(MetricPoint.goal_id)
            )
        ).all()
    }
    working = set(
        (
            await session.execute(
                select(CheckIn.goal_id)
                .where(CheckIn.goal_id.in_(ids), CheckIn.created_at >= now - QUIET)
                .distinct()
            )
        ).scalars()
    )
    recent = [g for g in goals if g.id in latest and latest[g.id] >= now - STALL]
    stalled = await _no_new_best(session, recent, now - STALL)
    found: dict[int, Called] = {}
    for goal in goals:
        member = eligible[goal.member_id]
        if member.id in found:
            continue
        previous = set(filter(None, member.last_nudges.split(",")))
        last = latest.get(goal.id)
        quiet = last is None or last < now - QUIET
        if goal.id in working and quiet and "long-bet" not in previous:
            found[member.id] = Called(DeliveryKind.NUDGE, {"nudge": "long-bet", "goal": goal.id})
        elif goal.id in stalled and "switch-or-commit" not in previous:
            found[member.id] = Called(
                DeliveryKind.NUDGE, {"nudge": "switch-or-commit", "goal": goal.id}
            )
    return found


async def goal_nudge(session: AsyncSession, member: Member, now: datetime) -> Called | None:
    """switch-or-commit or long-bet for the member's first goal that calls for one."""
    return (await goal_nudges(session, [member], now)).get(member.id)


async def _no_new_best(session: AsyncSession, goals: Sequence[Goal], since: datetime) -> set[int]:
    """Ids of the goals with values recorded since ``since``, none beating what came before."""
    if not goals:
        return set()
    values: dict[int, tuple[list[float], list[float]]] = {g.id: ([], []) for g in goals}
    rows = await session.execute(
        select(MetricPoint.goal_id, MetricPoint.value, MetricPoint.recorded_at).where(
            MetricPoint.goal_id.in_(values)
        )
    )
    for goal_id, value, recorded_at in rows.all():
        old, new = values[goal_id]
        (old if recorded_at < since else new).append(value)
    stalled = set()
    for goal in goals:
        old, new = values[goal.id]
        if not old or not new:
            continue
        if (max(new) <= max(old)) if goal.direction == "up" else (min(new) >= min(old)):
            stalled.add(goal.id)
    return stalled
