"""A member's check-ins, and what the coach reads back from them about a goal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, delete, select

from bot.store.deliveries import DeliveryKind, DeliveryStatus
from bot.store.models import CheckIn, Delivery, Goal, MetricPoint, NudgeRecord
from bot.store.records.base import Records
from bot.store.views import CheckInView, GoalView, MemberView


@dataclass(frozen=True)
class Edited:
    """What editing a check-in did: the check-in and its goal as they are now, and what the
    goal's number was before this check-in (its last value, its best without this one's)."""

    checkin: CheckInView
    goal: GoalView | None
    before: float | None
    best_before: float | None


@dataclass(frozen=True)
class DigestItem:
    """A published check-in's place in its week's team digest: ``pending`` while the digest
    is not out (it will show the check-in as it is then); once out, the channel and the
    digest's thread (``None``: posted on its own, no digest that week)."""

    pending: bool
    channel_id: str | None = None
    thread_id: str | None = None


class CheckInRecords(Records):
    """``scope.add_checkin(member, …)``, ``scope.checkin(member, id)``, ``scope.mark_published``."""

    async def add_checkin(
        self,
        member: MemberView,
        *,
        did: str,
        created_at: datetime,
        goal_id: int | None = None,
        moves_goal: str = "",
        metric_value: float | None = None,
        metric_value_text: str | None = None,
        next_experiment: str = "",
        failed: str = "",
        channel_id: str | None = None,
    ) -> CheckInView:
        checkin = CheckIn(
            tenant_id=self.tid,
            member_id=member.id,
            goal_id=goal_id,
            did=did,
            moves_goal=moves_goal,
            metric_value=metric_value,
            metric_value_text=metric_value_text,
            next_experiment=next_experiment,
            failed=failed,
            channel_id=channel_id,
            created_at=created_at,
        )
        self.session.add(checkin)
        await self.session.flush()
        return CheckInView.of(checkin)

    async def checkin(self, member: MemberView, checkin_id: int) -> CheckInView | None:
        """The member's check-in with this id."""
        row = await self._checkin_row(checkin_id)
        return None if row is None or row.member_id != member.id else CheckInView.of(row)

    async def _checkin_row(self, checkin_id: int) -> CheckIn | None:
        # The identity map answers for a row this transaction already read, with no query.
        row = await self.session.get(CheckIn, checkin_id)
        return row if row is not None and row.tenant_id == self.tid else None

    async def _own_checkin_row(self, checkin: CheckInView) -> CheckIn:
        row = await self._checkin_row(checkin.id)
        assert row is not None, "a check-in of another tenant, or one deleted since it was read"
        return row

    async def record_alignment(self, checkin: CheckInView, alignment: float) -> CheckInView:
        """Keep the goal alignment read in ``checkin`` (0..1); the check-in as it is now."""
        row = await self._own_checkin_row(checkin)
        row.alignment = alignment
        await self.session.flush()
        return CheckInView.of(row)

    async def mark_published(self, checkin: CheckInView, at: datetime | None) -> CheckInView:
        """Note ``checkin`` as shared with the team at ``at`` (``None``: not shared, so that
        it can be published again); the check-in as it is now."""
        row = await self._own_checkin_row(checkin)
        row.published_at = at
        await self.session.flush()
        return CheckInView.of(row)

    async def checkins_since(self, member: MemberView, since: datetime) -> list[CheckInView]:
        query = (
            select(CheckIn)
            .where(
                CheckIn.tenant_id == self.tid,
                CheckIn.member_id == member.id,
                CheckIn.created_at >= since,
            )
            .order_by(CheckIn.created_at, CheckIn.id)
        )
        return [CheckInView.of(row) for row in (await self.session.execute(query)).scalars()]

    async def latest_checkin_channel(self, member: MemberView) -> str | None:
        """The channel the member last checked in from, if any."""
        query = (
            select(CheckIn.channel_id)
            .where(
                CheckIn.tenant_id == self.tid,
                CheckIn.member_id == member.id,
                CheckIn.channel_id.is_not(None),
            )
            .order_by(CheckIn.created_at.desc(), CheckIn.id.desc())
            .limit(1)
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def goal_checkin_values(self, goal: GoalView, limit: int) -> list[float | None]:
        """The metric value reported in the goal's latest check-ins, newest first."""
        query = (
            select(CheckIn.metric_value)
            .where(CheckIn.tenant_id == self.tid, CheckIn.goal_id == goal.id)
            .order_by(CheckIn.created_at.desc(), CheckIn.id.desc())
            .limit(limit)
        )
        return list((await self.session.execute(query)).scalars().all())

    async def goal_checkins(self, goal: GoalView, limit: int) -> list[CheckInView]:
        """The goal's latest check-ins, newest first."""
        query = (
            select(CheckIn)
            .where(CheckIn.tenant_id == self.tid, CheckIn.goal_id == goal.id)
            .order_by(CheckIn.created_at.desc(), CheckIn.id.desc())
            .limit(limit)
        )
        return [CheckInView.of(row) for row in (await self.session.execute(query)).scalars()]

    async def unhelpful_on_goal(self, goal: GoalView, limit: int) -> list[tuple[str, str]]:
        """(nudge id, the update it answered) for the goal's nudges marked "did not help",
        newest first."""
        query = (
            select(NudgeRecord.nudge_id, CheckIn.did)
            .join(CheckIn, CheckIn.id == NudgeRecord.checkin_id)
            .where(
                NudgeRecord.tenant_id == self.tid,
                CheckIn.tenant_id == self.tid,
                CheckIn.goal_id == goal.id,
                NudgeRecord.feedback == "unhelpful",
            )
            .order_by(NudgeRecord.given_at.desc(), NudgeRecord.id.desc())
            .limit(limit)
        )
        return [(n, d) for n, d in (await self.session.execute(query)).all()]

    async def latest_checkin(self, member: MemberView) -> CheckInView | None:
        """The member's most recent check-in."""
        query = (
            select(CheckIn)
            .where(CheckIn.tenant_id == self.tid, CheckIn.member_id == member.id)
            .order_by(CheckIn.created_at.desc(), CheckIn.id.desc())
            .limit(1)
        )
        row = (await self.session.execute(query)).scalar_one_or_none()
        return None if row is None else CheckInView.of(row)

    async def edit_checkin(
        self,
        checkin: CheckInView,
        *,
        did: str,
        moves_goal: str,
        metric_value: float | None,
        metric_value_text: str | None,
        next_experiment: str,
        failed: str,
    ) -> Edited:
        """Change what ``checkin`` says. A changed number changes the value it recorded for its
        goal (added when it had none, removed when cleared), and the goal's best is read again
        from every value it has: the edited one may have been the best.

        >>> edited = await scope.edit_checkin(c, did="Fixed", moves_goal="", metric_value=0.3,
        ...     metric_value_text="0.3", next_experiment="", failed="")
        """
        row = await self._own_checkin_row(checkin)
        number_changed = (row.metric_value, row.metric_value_text) != (
            metric_value,
            metric_value_text,
        )
        row.did, row.moves_goal, row.failed = did, moves_goal, failed
        row.next_experiment = next_experiment
        row.metric_value, row.metric_value_text = metric_value, metric_value_text
        goal = await self.session.get(Goal, row.goal_id) if row.goal_id is not None else None
        if goal is None or goal.tenant_id != self.tid:
            await self.session.flush()
            return Edited(CheckInView.of(row), None, None, None)
        others: tuple[ColumnElement[bool], ...] = (
            MetricPoint.tenant_id == self.tid,
            MetricPoint.goal_id == goal.id,
            (MetricPoint.checkin_id.is_(None)) | (MetricPoint.checkin_id != row.id),
        )
        before = await self.session.scalar(
            select(MetricPoint.value)
            .where(*others, MetricPoint.recorded_at <= row.created_at)
            .order_by(MetricPoint.recorded_at.desc(), MetricPoint.id.desc())
            .limit(1)
        )
        best_before = await self._best_point(goal, others)
        if number_changed:
            await self._renumber(row, goal, metric_value, metric_value_text)
        best = await self._best_point(goal, (MetricPoint.goal_id == goal.id,))
        goal.current_best = best[0] if best else None
        goal.current_best_text = best[1] if best else None
        await self.session.flush()
        return Edited(
            CheckInView.of(row),
            GoalView.of(goal),
            before,
            best_before[0] if best_before else None,
        )

    async def _renumber(
        self, row: CheckIn, goal: Goal, value: float | None, text: str | None
    ) -> None:
        """The value ``row`` recorded for ``goal``, changed to ``value`` (``None``: removed).
        A check-in that confirmed a tracker's reading recorded none: the reading stays the
        tracker's, and a different number becomes the check-in's own."""
        point = await self.session.scalar(
            select(MetricPoint).where(
                MetricPoint.tenant_id == self.tid,
                MetricPoint.goal_id == goal.id,
                MetricPoint.checkin_id == row.id,
            )
        )
        if value is None:
            if point is not None:
                await self.session.execute(delete(MetricPoint).where(MetricPoint.id == point.id))
        elif point is not None:
            point.value, point.value_text = value, text
        else:
            self.session.add(
                MetricPoint(
                    tenant_id=self.tid,
                    goal_id=goal.id,
                    value=value,
                    value_text=text,
                    recorded_at=row.created_at,  # where the check-in stands on the chart
                    checkin_id=row.id,
                )
            )
        await self.session.flush()

    async def _best_point(
        self, goal: Goal, where: tuple[ColumnElement[bool], ...]
    ) -> tuple[float, str | None] | None:
        """The goal's best value among the points ``where`` selects, with how it was typed:
        the first value to reach it, as the goal's best was kept when it was reached."""
        better = MetricPoint.value.desc() if goal.direction == "up" else MetricPoint.value.asc()
        query = (
            select(MetricPoint.value, MetricPoint.value_text)
            .where(*where)
            .order_by(better, MetricPoint.recorded_at, MetricPoint.id)
            .limit(1)
        )
        found = (await self.session.execute(query)).first()
        return None if found is None else (found[0], found[1])

    async def digest_item(self, checkin: CheckInView) -> DigestItem | None:
        """Where ``checkin`` was published through its week's digest; ``None`` when it was
        not (it was posted in the team channel directly), or the digest never showed it."""
        item = await self.session.scalar(
            select(Delivery).where(
                Delivery.tenant_id == self.tid,
                Delivery.kind == DeliveryKind.DIGEST_ITEM,
                Delivery.target == f"checkin:{checkin.id}",
            )
        )
        if item is None:
            return None
        if item.status == DeliveryStatus.PENDING:
            return DigestItem(pending=True)
        if item.status != DeliveryStatus.SENT:
            return None
        parent = await self.session.scalar(
            select(Delivery).where(
                Delivery.tenant_id == self.tid,
                Delivery.kind == DeliveryKind.DIGEST,
                Delivery.period == item.period,
                Delivery.status.in_((DeliveryStatus.SENT, DeliveryStatus.SKIPPED)),
            )
        )
        if parent is None:
            return None
        ts = parent.detail.get("ts") if parent.status == DeliveryStatus.SENT else None
        return DigestItem(False, parent.target, str(ts) if ts else None)
