"""A member's check-ins, and what the coach reads back from them about a goal."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.store.models import CheckIn, NudgeRecord
from bot.store.records.base import Records
from bot.store.views import CheckInView, GoalView, MemberView


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
