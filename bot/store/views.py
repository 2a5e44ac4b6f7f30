"""What the store hands the coach of a goal or a check-in: frozen values, not live rows.

A flow reads a view and changes a record only through a ``TenantScope`` method that says what
changes (``close_goal``, ``mark_published``…), which returns the view as it is now: nothing is
written by assigning to an attribute, and nothing a flow holds changes behind its back.

    >>> goal = await scope.goal(member, 2)
    >>> goal = await scope.add_metric(goal, 0.41, now)  # goal.current_best is 0.41 if better
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.store.models import CheckIn, Goal, MetricPoint


@dataclass(frozen=True)
class GoalView:
    """One goal of a member. ``ref`` is the member's own number for it ("goal 2"); each number
    has its text as the member typed it (``"0.50"``), ``None`` when written another way."""

    id: int
    member_id: int
    ref: int
    capability: str
    metric_name: str
    direction: str  # "up" or "down"
    baseline: float | None
    target: float | None
    current_best: float | None
    baseline_text: str | None
    target_text: str | None
    current_best_text: str | None
    status: str  # active, achieved or abandoned
    created_at: datetime
    closed_at: datetime | None

    @classmethod
    def of(cls, row: Goal) -> GoalView:
        return cls(
            id=row.id,
            member_id=row.member_id,
            ref=row.ref,
            capability=row.capability,
            metric_name=row.metric_name,
            direction=row.direction,
            baseline=row.baseline,
            target=row.target,
            current_best=row.current_best,
            baseline_text=row.baseline_text,
            target_text=row.target_text,
            current_best_text=row.current_best_text,
            status=row.status,
            created_at=row.created_at,
            closed_at=row.closed_at,
        )


@dataclass(frozen=True)
class CheckInView:
    """One check-in of a member; ``alignment`` (0..1) is the goal alignment read in it."""

    id: int
    member_id: int
    goal_id: int | None
    did: str
    moves_goal: str
    metric_value: float | None
    metric_value_text: str | None
    next_experiment: str
    failed: str
    channel_id: str | None  # where /checkin was typed
    published_at: datetime | None
    created_at: datetime
    alignment: float | None

    @classmethod
    def of(cls, row: CheckIn) -> CheckInView:
        return cls(
            id=row.id,
            member_id=row.member_id,
            goal_id=row.goal_id,
            did=row.did,
            moves_goal=row.moves_goal,
            metric_value=row.metric_value,
            metric_value_text=row.metric_value_text,
            next_experiment=row.next_experiment,
            failed=row.failed,
            channel_id=row.channel_id,
            published_at=row.published_at,
            created_at=row.created_at,
            alignment=row.alignment,
        )


@dataclass(frozen=True)
class MetricValue:
    """One recorded value of a goal's number, with the text it was typed as."""

    value: float
    value_text: str | None
    recorded_at: datetime

    @classmethod
    def of(cls, row: MetricPoint) -> MetricValue:
        return cls(row.value, row.value_text, row.recorded_at)
