"""A member's goals and the values of their numbers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from bot.store.models import Goal, MetricPoint
from bot.store.records.base import Records
from bot.store.views import ChartPoint, CheckInView, GoalView, MemberView, MetricValue


@dataclass(frozen=True)
class Recorded:
    """What recording a reading did: the goal as it is now, the value recorded (``None``: the
    same reading was recorded before), and whether it is the goal's new best."""

    goal: GoalView
    point: MetricValue | None
    new_best: bool  # it beats a best there was before (a first value is no new best)
    before: GoalView | None = None  # the goal before it, for "0.41 → 0.45"


class GoalRecords(Records):
    """``scope.goals(member)``, ``scope.add_goal(member, …)``, ``scope.add_metric(goal, …)``."""

    async def goals(self, member: MemberView, status: str | None = None) -> list[GoalView]:
        """The member's goals by number; only those with ``status`` when given."""
        query = select(Goal).where(Goal.tenant_id == self.tid, Goal.member_id == member.id)
        if status is not None:
            query = query.where(Goal.status == status)
        rows = (await self.session.execute(query.order_by(Goal.ref))).scalars()
        return [GoalView.of(row) for row in rows]

    async def goal_count(self, member: MemberView, status: str) -> int:
        """How many goals with ``status`` the member has."""
        query = select(func.count()).where(
            Goal.tenant_id == self.tid, Goal.member_id == member.id, Goal.status == status
        )
        return int(await self.session.scalar(query) or 0)

    async def goal(self, member: MemberView, ref: int) -> GoalView | None:
        """The member's goal number ``ref``."""
        query = select(Goal).where(
            Goal.tenant_id == self.tid, Goal.member_id == member.id, Goal.ref == ref
        )
        row = (await self.session.execute(query)).scalar_one_or_none()
        return None if row is None else GoalView.of(row)

    async def goal_by_id(self, goal_id: int) -> GoalView | None:
        """The goal with this id, of any member of this tenant."""
        row = await self._goal_row(goal_id)
        return None if row is None else GoalView.of(row)

    async def _goal_row(self, goal_id: int) -> Goal | None:
        # The identity map answers for a row this transaction already read, with no query.
        row = await self.session.get(Goal, goal_id)
        return row if row is not None and row.tenant_id == self.tid else None

    async def close_goal(self, goal: GoalView, status: str, at: datetime) -> GoalView:
        """Mark ``goal`` achieved or abandoned at ``at``; the goal as it is now."""
        row = await self._live_goal_row(goal)
        row.status = status
        row.closed_at = at
        await self.session.flush()
        return GoalView.of(row)

    async def keep_premortem(self, goal: GoalView, text: str, at: datetime) -> GoalView:
        """Keep, privately with ``goal``, how the member imagined it failing (replacing what
        they wrote before); the goal as it is now."""
        row = await self._live_goal_row(goal)
        row.premortem = text
        row.premortem_at = at
        await self.session.flush()
        return GoalView.of(row)

    async def _live_goal_row(self, goal: GoalView) -> Goal:
        row = await self._goal_row(goal.id)
        assert row is not None, "a goal of another tenant, or one deleted since it was read"
        return row

    async def add_goal(
        self,
        member: MemberView,
        *,
        capability: str,
        metric_name: str,
        direction: str,
        created_at: datetime,
        baseline: float | None = None,
        target: float | None = None,
        baseline_text: str | None = None,
        target_text: str | None = None,
        status: str = "active",
    ) -> GoalView:
        """A new goal of ``member``, numbered after their last one (``ref``)."""
        top = select(func.max(Goal.ref)).where(
            Goal.tenant_id == self.tid, Goal.member_id == member.id
        )
        ref = ((await self.session.execute(top)).scalar() or 0) + 1
        goal = Goal(
            tenant_id=self.tid,
            member_id=member.id,
            ref=ref,
            capability=capability,
            metric_name=metric_name,
            direction=direction,
            baseline=baseline,
            target=target,
            baseline_text=baseline_text,
            target_text=target_text,
            status=status,
            created_at=created_at,
        )
        self.session.add(goal)
        await self.session.flush()
        return GoalView.of(goal)

    async def add_metric(
        self,
        goal: GoalView,
        value: float,
        at: datetime,
        checkin: CheckInView | None = None,
        text: str | None = None,
    ) -> GoalView:
        """Record a value of the goal's number (with ``text``, as the member typed it) and keep
        its best so far; the goal as it is now."""
        point = MetricPoint(
            tenant_id=self.tid,
            goal_id=goal.id,
            value=value,
            value_text=text,
            recorded_at=at,
            checkin_id=checkin.id if checkin else None,
        )
        self.session.add(point)
        return (await self._keep_best(goal, point))[1]

    async def record_reading(
        self,
        goal: GoalView,
        value: float,
        at: datetime,
        *,
        source: str,
        run_id: str | None = None,
        step: int | None = None,
        note: str | None = None,
        text: str | None = None,
        stamp: datetime | None = None,
    ) -> Recorded:
        """Record a value a source produced (a tracker's run, a script's push), once: the same
        run and step again records nothing (``point`` is then ``None``). A reading naming no
        run is recorded every time. ``stamp`` (a tracker's time of logging) is part of what is
        recorded once: a value logged without a step is logged at step 0 each time, and only
        its time tells a later value of a running run from the one recorded."""
        key = None if run_id is None else reading_key(run_id, step, stamp)
        values: dict[str, Any] = {
            "tenant_id": self.tid,
            "goal_id": goal.id,
            "value": value,
            "value_text": text,
            "recorded_at": at,
            "source": source,
            "run_id": run_id,
            "step": step,
            "note": note,
            "reading_key": key,
        }
        if key is None:
            point = MetricPoint(**values)
            self.session.add(point)
        else:
            # One statement, no savepoint: of two writers at once one records it, and a
            # savepoint is no help on SQLite, whose driver commits the whole transaction when
            # one is released.
            dialect = self.session.get_bind().dialect.name
            insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(MetricPoint)
            added = await self.session.scalar(
                insert.values(values)
                .on_conflict_do_nothing(index_elements=["goal_id", "reading_key"])
                .returning(MetricPoint.id)
            )
            found = None if added is None else await self.session.get(MetricPoint, added)
            if found is None:
                return Recorded(goal, None, False)  # recorded before
            point = found
        before, now, better = await self._keep_best(goal, point)
        new_best = better and before.current_best is not None
        return Recorded(now, MetricValue.of(point), new_best, before)

    async def _keep_best(
        self, goal: GoalView, point: MetricPoint
    ) -> tuple[GoalView, GoalView, bool]:
        """Keep the goal's best so far with ``point`` added; (the goal before, the goal now,
        whether ``point`` beats its best)."""
        # Locked until the transaction ends (PostgreSQL; SQLite has one writer anyway): a
        # check-in and a poll, or two replicas, recording at once must not keep the lower best.
        locked = (
            select(Goal)
            .where(Goal.id == goal.id, Goal.tenant_id == self.tid)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        row = (await self.session.execute(locked)).scalar_one_or_none()
        assert row is not None, "a goal of another tenant, or one deleted since it was read"
        before = GoalView.of(row)
        best = row.current_best
        better = best is None or (
            point.value > best if row.direction == "up" else point.value < best
        )
        if better:
            row.current_best = point.value
            row.current_best_text = point.value_text
        await self.session.flush()
        return before, GoalView.of(row), better

    async def latest_point(self, goal: GoalView) -> MetricValue | None:
        """The goal's most recent value, wherever it came from."""
        points = await self.metric_points(goal, limit=1)
        return points[0] if points else None

    async def run_top(self, goal: GoalView, run_id: str) -> MetricValue | None:
        """The value recorded at the highest step of ``run_id`` for ``goal`` (``None``: no step
        yet), so a reading from an earlier step can be told apart from the run's latest."""
        query = (
            select(MetricPoint)
            .where(
                MetricPoint.tenant_id == self.tid,
                MetricPoint.goal_id == goal.id,
                MetricPoint.run_id == run_id,
                MetricPoint.step.is_not(None),
            )
            .order_by(MetricPoint.step.desc(), MetricPoint.id.desc())
            .limit(1)
        )
        row = (await self.session.execute(query)).scalar_one_or_none()
        return None if row is None else MetricValue.of(row)

    async def metric_history(self, goal: GoalView, limit: int = 20) -> list[float]:
        """The goal's latest values, oldest first."""
        return [point.value for point in await self.metric_points(goal, limit)]

    async def member_metric_values(self, member: MemberView) -> list[MetricValue]:
        """Every value recorded for any of the member's goals, in the order recorded."""
        goals = select(Goal.id).where(Goal.tenant_id == self.tid, Goal.member_id == member.id)
        query = (
            select(MetricPoint)
            .where(MetricPoint.tenant_id == self.tid, MetricPoint.goal_id.in_(goals))
            .order_by(MetricPoint.id)
        )
        return [MetricValue.of(row) for row in (await self.session.execute(query)).scalars()]

    async def chart_points(self, goal: GoalView) -> list[ChartPoint]:
        """Every value of the goal, oldest first, as plain columns: a chart draws them all (a
        tracker may have recorded thousands), so no row object is built for any."""
        query = (
            select(
                MetricPoint.recorded_at,
                MetricPoint.value,
                MetricPoint.value_text,
                MetricPoint.checkin_id,
            )
            .where(MetricPoint.tenant_id == self.tid, MetricPoint.goal_id == goal.id)
            .order_by(MetricPoint.recorded_at, MetricPoint.id)
        )
        return [ChartPoint(*row) for row in await self.session.execute(query)]

    async def metric_points(self, goal: GoalView, limit: int = 20) -> list[MetricValue]:
        """The goal's latest recorded values (with how they were typed), oldest first."""
        query = (
            select(MetricPoint)
            .where(MetricPoint.tenant_id == self.tid, MetricPoint.goal_id == goal.id)
            .order_by(MetricPoint.recorded_at.desc(), MetricPoint.id.desc())
            .limit(limit)
        )
        rows = (await self.session.execute(query)).scalars().all()
        return [MetricValue.of(row) for row in reversed(rows)]


def reading_key(run_id: str, step: int | None, stamp: datetime | None = None) -> str:
    """What a reading is recorded once under: "<run>\x1f<step>", and "\x1f<epoch ms>" with a
    ``stamp``."""
    key = f"{run_id}\x1f{'' if step is None else step}"
    return key if stamp is None else f"{key}\x1f{round(stamp.timestamp() * 1000)}"
