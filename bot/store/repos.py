"""Tenant-scoped repositories. A ``TenantScope`` can only be had for one tenant, and every
query it runs filters by that tenant, so two workspaces with the same user ids never meet."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.events import TenantRef
from bot.store.deliveries import DeliveryKind, DeliveryStatus
from bot.store.models import (
    BestWork,
    CheckIn,
    Delivery,
    Draft,
    Goal,
    GoalSource,
    Member,
    MetricPoint,
    NotebookEntry,
    NudgeRecord,
    Prediction,
    ProcessedEvent,
    Reflection,
    Tenant,
)
from bot.store.records import (
    CheckInRecords,
    DraftRecords,
    GoalRecords,
    NotebookRecords,
    NudgeRecords,
    PredictionRecords,
    PublishedRecords,
    ReflectionRecords,
    SourceRecords,
    WorkRecords,
)
from bot.store.views import MemberView, TenantView

# How long a handled delivery is remembered: platforms retry within minutes (Slack three
# times, the last about five minutes after the first).
EVENT_MEMORY = timedelta(days=1)
# Everything that belongs to one member, in the order it can be deleted (children first).
MEMBER_TABLES = (
    Delivery,
    GoalSource,
    Prediction,
    NudgeRecord,
    MetricPoint,
    Draft,
    Reflection,
    NotebookEntry,
    BestWork,
    CheckIn,
)


async def tenant_for(session: AsyncSession, ref: TenantRef, now: datetime) -> Tenant:
    """The tenant row for ``ref``, created on first sight."""
    query = select(Tenant).where(
        Tenant.platform == ref.platform, Tenant.external_id == ref.external_id
    )
    tenant = (await session.execute(query)).scalar_one_or_none()
    if tenant is not None:
        return tenant
    try:
        async with session.begin_nested():  # two first requests at once: one insert wins
            tenant = Tenant(platform=ref.platform, external_id=ref.external_id, created_at=now)
            session.add(tenant)
    except IntegrityError:
        tenant = (await session.execute(query)).scalar_one()
    return tenant


class TenantScope(
    GoalRecords,
    CheckInRecords,
    ReflectionRecords,
    NotebookRecords,
    WorkRecords,
    NudgeRecords,
    DraftRecords,
    SourceRecords,
    PredictionRecords,
    PublishedRecords,
):
    """The repositories of one tenant inside one transaction: its members here, and each
    other concept's in ``bot.store.records`` (``scope.goals(member)``, ``scope.add_checkin``…).
    """

    def __init__(self, session: AsyncSession, tenant: Tenant) -> None:
        self.session = session
        self._tenant = tenant
        self.tid = tenant.id

    @property
    def tenant(self) -> TenantView:
        """The team as it is now; changed only through ``update_tenant``."""
        return TenantView.of(self._tenant)

    async def update_tenant(self, tenant: TenantView, changed: TenantView) -> TenantView:
        """Store each setting ``changed`` holds differently from ``tenant`` (the team as read
        before); the team as it is now. Only what differs is written, as for a member.

        >>> await scope.update_tenant(team, replace(team, team_channel="C1"))
        """
        assert changed.id == tenant.id == self.tid, "another tenant"
        row = self._tenant
        for field in fields(TenantView):
            value = getattr(changed, field.name)
            if value != getattr(tenant, field.name):
                # A new list for the JSON columns: the ORM sees assignments only.
                setattr(row, field.name, list(value) if isinstance(value, tuple) else value)
        await self.session.flush()
        return TenantView.of(row)

    # --- retried deliveries ------------------------------------------------------------------

    async def first_time(self, key: str, now: datetime) -> bool:
        """Record delivery ``key``; ``False`` when it was handled before (a platform retry)."""
        try:
            async with self.session.begin_nested():
                self.session.add(ProcessedEvent(tenant_id=self.tid, key=key[:128], seen_at=now))
        except IntegrityError:
            return False
        # Each new delivery forgets this tenant's that no platform would retry any more.
        await self.session.execute(
            delete(ProcessedEvent).where(
                ProcessedEvent.tenant_id == self.tid, ProcessedEvent.seen_at < now - EVENT_MEMORY
            )
        )
        return True

    # --- members ---------------------------------------------------------------------------

    async def take_turn(self, user_id: str) -> None:
        """Wait until no other transaction is taking a turn for this member; hold that until
        this one ends. On PostgreSQL, replicas share the database but not their in-process
        locks: two quick DM answers landing on two replicas would both read the same
        reflection step. A transaction-scoped advisory lock keyed by tenant and user makes the
        second wait. Only turns take it, one each, so it cannot close a cycle of waits with
        the scheduler. SQLite runs one process per file, and the coach's own lock suffices.
        """
        if self.session.get_bind().dialect.name != "postgresql":
            return
        await self.session.execute(
            select(func.pg_advisory_xact_lock(self.tid, func.hashtext(user_id)))
        )

    async def member(self, user_id: str) -> MemberView | None:
        """The member with this platform user id, if they used the coach here."""
        row = await self._member_row(user_id)
        return None if row is None else MemberView.of(row)

    async def _member_row(self, user_id: str) -> Member | None:
        query = select(Member).where(Member.tenant_id == self.tid, Member.user_id == user_id)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def member_by_id(self, member_id: int) -> MemberView | None:
        row = await self.session.get(Member, member_id)
        return MemberView.of(row) if row is not None and row.tenant_id == self.tid else None

    async def update_member(self, member: MemberView, changed: MemberView) -> MemberView:
        """Store each setting ``changed`` holds differently from ``member`` (the same member,
        as read before); the member as they are now. Only what differs is written, so a
        setting changed meanwhile by the scheduler (say, the next prompt) is kept.

        >>> member = await scope.update_member(member, replace(member, nudges_enabled=False))
        """
        assert (changed.id, changed.user_id) == (member.id, member.user_id), "another member"
        row = await self.session.get(Member, member.id)
        assert row is not None and row.tenant_id == self.tid, "a member of another tenant"
        for field in fields(MemberView):
            value = getattr(changed, field.name)
            if value != getattr(member, field.name):
                setattr(row, field.name, value)
        await self.session.flush()
        return MemberView.of(row)

    async def reschedule_members(self, due: Callable[[MemberView], datetime | None]) -> None:
        """Set every member's next weekly prompt to ``due(member)``: the team's rhythm
        changed. One flush for the whole team."""
        query = select(Member).where(Member.tenant_id == self.tid)
        for row in (await self.session.execute(query)).scalars():
            row.next_checkin_at = due(MemberView.of(row))
            row.next_quarterly_at = None  # the team's check-in time moved it: the tick recomputes
        await self.session.flush()

    async def ensure_member(
        self, user_id: str, display_name: str, timezone: str | None, now: datetime
    ) -> MemberView:
        """The member, created on first sight; name and platform time zone kept fresh."""
        member = await self._member_row(user_id)
        if member is None:
            try:
                async with self.session.begin_nested():
                    member = Member(
                        tenant_id=self.tid,
                        user_id=user_id,
                        display_name=display_name,
                        timezone=timezone or "UTC",
                        checkin_day=0,
                        checkin_time="10:00",
                        nudges_enabled=True,
                        side_budget_hours=4.0,
                        last_nudges="",
                        created_at=now,
                    )
                    self.session.add(member)
            except IntegrityError:
                member = await self._member_row(user_id)
                assert member is not None
        if display_name and member.display_name != display_name:
            member.display_name = display_name
        if timezone and member.timezone != timezone:
            member.timezone = timezone
            member.next_checkin_at = None  # due times move with the zone: recomputed by the coach
            member.next_quarterly_at = None  # and by the tick
        await self.session.flush()
        return MemberView.of(member)

    async def forget_member(self, member: MemberView) -> None:
        """Delete every row of this member, in this transaction, and their user id wherever
        another row names them: the team's admins, the channel messages that tag members."""
        if member.user_id in self._tenant.admins:
            self._tenant.admins = [a for a in self._tenant.admins if a != member.user_id]
        await self._untag(member.user_id)
        for table in MEMBER_TABLES:
            await self.session.execute(
                delete(table).where(table.tenant_id == self.tid, self._owned(table, member))
            )
        await self.session.execute(
            delete(Goal).where(Goal.tenant_id == self.tid, Goal.member_id == member.id)
        )
        await self.session.execute(
            delete(Member).where(Member.tenant_id == self.tid, Member.id == member.id)
        )

    async def _untag(self, user_id: str) -> None:
        """Take ``user_id`` out of every message naming members who have not checked in; one
        still to be sent that named only them is not sent."""
        tags = select(Delivery).where(
            Delivery.tenant_id == self.tid, Delivery.kind == DeliveryKind.TAG
        )
        for delivery in (await self.session.execute(tags)).scalars():
            users = [str(u) for u in delivery.detail.get("users", [])]
            if user_id not in users:
                continue
            left = [u for u in users if u != user_id]
            delivery.detail = {**delivery.detail, "users": left}
            if not left and delivery.status == DeliveryStatus.PENDING:
                delivery.status = DeliveryStatus.SKIPPED

    def _owned(self, table: type[Any], member: MemberView) -> Any:
        """The condition for ``table``'s rows that belong to ``member`` (their own ``Member``
        row too, for an export)."""
        if table is Member:
            return Member.id == member.id
        if table is MetricPoint:
            goals = select(Goal.id).where(Goal.tenant_id == self.tid, Goal.member_id == member.id)
            return MetricPoint.goal_id.in_(goals)
        return table.member_id == member.id

    # --- whole member, for export ----------------------------------------------------------

    async def rows_of(self, member: MemberView, table: type[Any]) -> Sequence[Any]:
        """Every row of ``table`` that belongs to the member, oldest first."""
        query = (
            select(table)
            .where(table.tenant_id == self.tid, self._owned(table, member))
            .order_by(table.id)
        )
        return (await self.session.execute(query)).scalars().all()
