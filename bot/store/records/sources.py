"""Where a goal's number comes from on its own: a tracker the coach polls, or a script that
pushes values with the goal's token (one source a goal)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from bot.store.models import GoalSource
from bot.store.records.base import Records
from bot.store.views import GoalView, MemberView, SourceView

# What ``update_source`` may change: how polling goes, never what the member connected.
POLLING = frozenset({"next_poll_at", "failures", "last_error", "error_told_at", "last_ok_at"})


class SourceRecords(Records):
    """``scope.source(goal)``, ``scope.connect(goal, …)``, ``scope.disconnect(goal)``."""

    async def source(self, goal: GoalView) -> SourceView | None:
        row = await self._source_row(goal.id)
        return None if row is None else SourceView.of(row)

    async def sources_of(self, member: MemberView) -> list[SourceView]:
        """Every goal source of the member, by goal."""
        query = (
            select(GoalSource)
            .where(GoalSource.tenant_id == self.tid, GoalSource.member_id == member.id)
            .order_by(GoalSource.goal_id)
        )
        return [SourceView.of(row) for row in (await self.session.execute(query)).scalars()]

    async def _source_row(self, goal_id: int) -> GoalSource | None:
        query = select(GoalSource).where(
            GoalSource.tenant_id == self.tid, GoalSource.goal_id == goal_id
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def connect(
        self,
        goal: GoalView,
        kind: str,
        settings: Mapping[str, str],
        now: datetime,
        *,
        secret: str | None = None,
        token_hash: str | None = None,
        token_hint: str | None = None,
        next_poll_at: datetime | None = None,
    ) -> SourceView:
        """Connect ``goal`` to a source, in place of the one it had (its token stops working)."""
        await self.disconnect(goal)
        row = GoalSource(
            tenant_id=self.tid,
            member_id=goal.member_id,
            goal_id=goal.id,
            kind=kind,
            settings=dict(settings),
            secret=secret,
            token_hash=token_hash,
            token_hint=token_hint,
            created_at=now,
            next_poll_at=next_poll_at,
            failures=0,
        )
        self.session.add(row)
        await self.session.flush()
        return SourceView.of(row)

    async def disconnect(self, goal: GoalView) -> bool:
        """Forget the goal's source, credential and token; whether it had one."""
        result: Any = await self.session.execute(
            delete(GoalSource).where(
                GoalSource.tenant_id == self.tid, GoalSource.goal_id == goal.id
            )
        )
        await self.session.flush()
        return bool(result.rowcount)

    async def update_source(self, source: SourceView, changed: SourceView) -> SourceView:
        """Store how polling goes as ``changed`` holds it (``next_poll_at``, ``failures``,
        ``last_error``, ``error_told_at``, ``last_ok_at``; what the member connected changes
        only by connecting again); the source as it is now.

        >>> await scope.update_source(source, replace(source, next_poll_at=later))
        """
        row = await self._source_row(source.goal_id)
        assert row is not None and row.id == source.id == changed.id, "replaced or removed"
        for name in POLLING:
            value = getattr(changed, name)
            if value != getattr(source, name):
                setattr(row, name, value)
        await self.session.flush()
        return SourceView.of(row)
