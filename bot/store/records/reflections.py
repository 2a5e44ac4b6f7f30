"""A member's reflections on a failed or dropped project."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.store.models import Reflection
from bot.store.records.base import Records
from bot.store.views import MemberView, ReflectionView


class ReflectionRecords(Records):
    """``scope.open_reflection(member)``, ``scope.add_reflection(member, …)``."""

    async def open_reflection(self, member: MemberView) -> ReflectionView | None:
        """The member's reflection in progress or stopped midway, newest first."""
        query = (
            select(Reflection)
            .where(
                Reflection.tenant_id == self.tid,
                Reflection.member_id == member.id,
                Reflection.status.in_(("open", "stopped")),
            )
            .order_by(Reflection.updated_at.desc(), Reflection.id.desc())
            .limit(1)
        )
        row = (await self.session.execute(query)).scalar_one_or_none()
        return None if row is None else ReflectionView.of(row)

    async def add_reflection(
        self,
        member: MemberView,
        *,
        created_at: datetime,
        goal_id: int | None = None,
        topic: str = "",
    ) -> ReflectionView:
        """A reflection of ``member``, open at its first question."""
        reflection = Reflection(
            tenant_id=self.tid,
            member_id=member.id,
            goal_id=goal_id,
            topic=topic,
            status="open",
            step=0,
            answers={},
            created_at=created_at,
            updated_at=created_at,
        )
        self.session.add(reflection)
        await self.session.flush()
        return ReflectionView.of(reflection)

    async def reflections(self, member: MemberView) -> list[ReflectionView]:
        """Every reflection of the member, oldest first."""
        query = (
            select(Reflection)
            .where(Reflection.tenant_id == self.tid, Reflection.member_id == member.id)
            .order_by(Reflection.id)
        )
        return [ReflectionView.of(row) for row in (await self.session.execute(query)).scalars()]

    async def reflection(self, member: MemberView, reflection_id: int) -> ReflectionView | None:
        """The member's reflection with this id."""
        row = await self._reflection_row(reflection_id)
        return None if row is None or row.member_id != member.id else ReflectionView.of(row)

    async def _reflection_row(self, reflection_id: int) -> Reflection | None:
        # The identity map answers for a row this transaction already read, with no query.
        row = await self.session.get(Reflection, reflection_id)
        return row if row is not None and row.tenant_id == self.tid else None

    async def _own_reflection_row(self, reflection: ReflectionView) -> Reflection:
        row = await self._reflection_row(reflection.id)
        assert row is not None, "a reflection of another tenant, or one deleted since it was read"
        return row

    async def set_reflection_status(
        self, reflection: ReflectionView, status: str, at: datetime
    ) -> ReflectionView:
        """Mark ``reflection`` open (resumed), stopped or completed at ``at``; the reflection
        as it is now."""
        row = await self._own_reflection_row(reflection)
        row.status = status
        row.updated_at = at
        await self.session.flush()
        return ReflectionView.of(row)

    async def answer_reflection(
        self, reflection: ReflectionView, key: str, answer: str, at: datetime
    ) -> ReflectionView:
        """Keep ``answer`` to the question ``key`` and move on to the next question; the
        reflection as it is now."""
        row = await self._own_reflection_row(reflection)
        # A new dict: in-place changes to a JSON column are not seen by the ORM.
        row.answers = {**row.answers, key: answer}
        row.step += 1
        row.updated_at = at
        await self.session.flush()
        return ReflectionView.of(row)
