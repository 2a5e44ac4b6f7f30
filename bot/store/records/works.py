"""A member's best-works portfolio, in their own order."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select, update

from bot.store.models import BestWork
from bot.store.records.base import Records
from bot.store.views import MemberView, WorkView


class WorkRecords(Records):
    """``scope.works(member)``, ``scope.add_work(member, …)``, ``scope.reorder_works``."""

    async def works(self, member: MemberView) -> list[WorkView]:
        """The member's portfolio, their best first."""
        query = (
            select(BestWork)
            .where(BestWork.tenant_id == self.tid, BestWork.member_id == member.id)
            .order_by(BestWork.rank, BestWork.id)
        )
        return [WorkView.of(row) for row in (await self.session.execute(query)).scalars()]

    async def work_count(self, member: MemberView) -> int:
        """How many works the member's portfolio holds."""
        query = select(func.count()).where(
            BestWork.tenant_id == self.tid, BestWork.member_id == member.id
        )
        return int(await self.session.scalar(query) or 0)

    async def add_work(
        self, member: MemberView, *, title: str, created_at: datetime, link: str = "", why: str = ""
    ) -> WorkView:
        """A work at the end of ``member``'s portfolio."""
        works = await self.works(member)
        work = BestWork(
            tenant_id=self.tid,
            member_id=member.id,
            rank=len(works) + 1,
            title=title,
            link=link,
            why=why,
            created_at=created_at,
        )
        self.session.add(work)
        await self.session.flush()
        return WorkView.of(work)

    async def reorder_works(self, works: Sequence[WorkView]) -> None:
        """Store ``works`` in this order (1 = the member's best)."""
        for rank, work in enumerate(works, start=1):
            await self.session.execute(
                update(BestWork)
                .where(BestWork.tenant_id == self.tid, BestWork.id == work.id)
                .values(rank=rank)
            )

    async def remove_work(self, work: WorkView) -> None:
        await self.session.execute(
            delete(BestWork).where(BestWork.tenant_id == self.tid, BestWork.id == work.id)
        )
