"""The nudges a member was given, and whether they helped."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update

from bot.store.models import NudgeRecord
from bot.store.records.base import Records
from bot.store.views import MemberView, NudgeView


class NudgeRecords(Records):
    """``scope.record_nudge(member, …)``, ``scope.set_nudge_feedback``, ``scope.nudges``."""

    async def nudge_count(self, member: MemberView, nudge_id: str) -> int:
        query = select(func.count()).where(
            NudgeRecord.tenant_id == self.tid,
            NudgeRecord.member_id == member.id,
            NudgeRecord.nudge_id == nudge_id,
        )
        return int((await self.session.execute(query)).scalar_one())

    async def record_nudge(
        self,
        member: MemberView,
        *,
        nudge_id: str,
        batch: str,
        given_at: datetime,
        trigger: str = "",
        checkin_id: int | None = None,
    ) -> NudgeView:
        """A nudge given to ``member``; the nudges of one reply share ``batch``."""
        record = NudgeRecord(
            tenant_id=self.tid,
            member_id=member.id,
            nudge_id=nudge_id,
            trigger=trigger,
            checkin_id=checkin_id,
            batch=batch,
            given_at=given_at,
        )
        self.session.add(record)
        await self.session.flush()
        return NudgeView.of(record)

    async def set_nudge_feedback(self, member: MemberView, record_id: int, feedback: str) -> bool:
        result = await self.session.execute(
            update(NudgeRecord)
            .where(
                NudgeRecord.tenant_id == self.tid,
                NudgeRecord.member_id == member.id,
                NudgeRecord.id == record_id,
            )
            .values(feedback=feedback)
        )
        return bool(getattr(result, "rowcount", 0))

    async def nudges(self, member: MemberView) -> list[NudgeView]:
        """The nudges the member was given, oldest first."""
        query = (
            select(NudgeRecord)
            .where(NudgeRecord.tenant_id == self.tid, NudgeRecord.member_id == member.id)
            .order_by(NudgeRecord.given_at, NudgeRecord.id)
        )
        return [NudgeView.of(row) for row in (await self.session.execute(query)).scalars()]
