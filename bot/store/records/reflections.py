"""A member's reflections on a failed or dropped project."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.store.models import Member, Reflection
from bot.store.records.base import Records


class ReflectionRecords(Records):
    """``scope.open_reflection(member)``, ``scope.add_reflection(member, …)``."""

    async def open_reflection(self, member: Member) -> Reflection | None:
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
        return (await self.session.execute(query)).scalar_one_or_none()

    async def add_reflection(
        self, member: Member, *, created_at: datetime, goal_id: int | None = None, topic: str = ""
    ) -> Reflection:
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
        return reflection

    async def reflection(self, member: Member, reflection_id: int) -> Reflection | None:
        query = select(Reflection).where(
            Reflection.tenant_id == self.tid,
            Reflection.member_id == member.id,
            Reflection.id == reflection_id,
        )
        return (await self.session.execute(query)).scalar_one_or_none()
