"""Tenant-scoped repositories. A ``TenantScope`` can only be had for one tenant, and every
query it runs filters by that tenant, so two workspaces with the same user ids never meet."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
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
    Member,
    MetricPoint,
    NotebookEntry,
    NudgeRecord,
    ProcessedEvent,
    Reflection,
    Tenant,
)
from bot.store.views import CheckInView, GoalView, MetricValue

# How long a handled delivery is remembered: platforms retry within minutes (Slack three
# times, the last about five minutes after the first).
EVENT_MEMORY = timedelta(days=1)
# Everything that belongs to one member, in the order it can be deleted (children first).
MEMBER_TABLES = (
    Delivery,
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


class TenantScope:
    """The repositories of one tenant inside one transaction."""

    def __init__(self, session: AsyncSession, tenant: Tenant) -> None:
        self.session = session
        self.tenant = tenant
        self.tid = tenant.id

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

    async def member(self, user_id: str) -> Member | None:
        query = select(Member).where(Member.tenant_id == self.tid, Member.user_id == user_id)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def member_by_id(self, member_id: int) -> Member | None:
        query = select(Member).where(Member.tenant_id == self.tid, Member.id == member_id)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def ensure_member(
        self, user_id: str, display_name: str, timezone: str | None, now: datetime
    ) -> Member:
        """The member, created on first sight; name and platform time zone kept fresh."""
        member = await self.member(user_id)
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
                member = await self.member(user_id)
                assert member is not None
        if display_name and member.display_name != display_name:
            member.display_name = display_name
        if timezone and member.timezone != timezone:
            member.timezone = timezone
            member.next_checkin_at = None  # due times move with the zone: recomputed by the coach
        return member

    async def forget_member(self, member: Member) -> None:
        """Delete every row of this member, in this transaction, and their user id wherever
        another row names them: the team's admins, the channel messages that tag members."""
        if member.user_id in self.tenant.admins:
            self.tenant.admins = [a for a in self.tenant.admins if a != member.user_id]
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

    def _owned(self, table: type[Any], member: Member) -> Any:
        """The condition for ``table``'s rows that belong to ``member``."""
        if table is MetricPoint:
            goals = select(Goal.id).where(Goal.tenant_id == self.tid, Goal.member_id == member.id)
            return MetricPoint.goal_id.in_(goals)
        return table.member_id == member.id

    # --- goals -----------------------------------------------------------------------------

    async def goals(self, member: Member, status: str | None = None) -> list[GoalView]:
        """The member's goals by number; only those with ``status`` when given."""
        query = select(Goal).where(Goal.tenant_id == self.tid, Goal.member_id == member.id)
        if status is not None:
            query = query.where(Goal.status == status)
        rows = (await self.session.execute(query.order_by(Goal.ref))).scalars()
        return [GoalView.of(row) for row in rows]

    async def goal(self, member: Member, ref: int) -> GoalView | None:
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
        row = await self._goal_row(goal.id)
        assert row is not None, "a goal of another tenant, or one deleted since it was read"
        row.status = status
        row.closed_at = at
        await self.session.flush()
        return GoalView.of(row)

    async def add_goal(
        self,
        member: Member,
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
        row = await self._goal_row(goal.id)
        assert row is not None, "a goal of another tenant, or one deleted since it was read"
        self.session.add(
            MetricPoint(
                tenant_id=self.tid,
                goal_id=goal.id,
                value=value,
                value_text=text,
                recorded_at=at,
                checkin_id=checkin.id if checkin else None,
            )
        )
        best = row.current_best
        if best is None or (value > best if row.direction == "up" else value < best):
            row.current_best = value
            row.current_best_text = text
        await self.session.flush()
        return GoalView.of(row)

    async def metric_history(self, goal: GoalView, limit: int = 20) -> list[float]:
        """The goal's latest values, oldest first."""
        return [point.value for point in await self.metric_points(goal, limit)]

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

    # --- check-ins -------------------------------------------------------------------------

    async def add_checkin(
        self,
        member: Member,
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

    async def checkin(self, member: Member, checkin_id: int) -> CheckInView | None:
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

    async def checkins_since(self, member: Member, since: datetime) -> list[CheckInView]:
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

    async def latest_checkin_channel(self, member: Member) -> str | None:
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

    # --- reflections -----------------------------------------------------------------------

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

    # --- notebook --------------------------------------------------------------------------

    async def add_note(self, member: Member, text: str, at: datetime, kind: str = "entry") -> None:
        self.session.add(
            NotebookEntry(
                tenant_id=self.tid, member_id=member.id, text=text, kind=kind, created_at=at
            )
        )
        await self.session.flush()

    async def notes_since(
        self, member: Member, since: datetime, kind: str = "entry"
    ) -> Sequence[NotebookEntry]:
        query = (
            select(NotebookEntry)
            .where(
                NotebookEntry.tenant_id == self.tid,
                NotebookEntry.member_id == member.id,
                NotebookEntry.kind == kind,
                NotebookEntry.created_at >= since,
            )
            .order_by(NotebookEntry.created_at, NotebookEntry.id)
        )
        return (await self.session.execute(query)).scalars().all()

    # --- best works ------------------------------------------------------------------------

    async def works(self, member: Member) -> Sequence[BestWork]:
        query = (
            select(BestWork)
            .where(BestWork.tenant_id == self.tid, BestWork.member_id == member.id)
            .order_by(BestWork.rank, BestWork.id)
        )
        return (await self.session.execute(query)).scalars().all()

    async def add_work(
        self, member: Member, *, title: str, created_at: datetime, link: str = "", why: str = ""
    ) -> BestWork:
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
        return work

    async def reorder_works(self, works: Sequence[BestWork]) -> None:
        """Store ``works`` in this order (1 = the member's best)."""
        for rank, work in enumerate(works, start=1):
            work.rank = rank
        await self.session.flush()

    async def remove_work(self, work: BestWork) -> None:
        await self.session.delete(work)
        await self.session.flush()

    # --- nudges ----------------------------------------------------------------------------

    async def nudge_count(self, member: Member, nudge_id: str) -> int:
        query = select(func.count()).where(
            NudgeRecord.tenant_id == self.tid,
            NudgeRecord.member_id == member.id,
            NudgeRecord.nudge_id == nudge_id,
        )
        return int((await self.session.execute(query)).scalar_one())

    async def record_nudge(
        self,
        member: Member,
        *,
        nudge_id: str,
        batch: str,
        given_at: datetime,
        trigger: str = "",
        checkin_id: int | None = None,
    ) -> NudgeRecord:
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
        return record

    async def set_nudge_feedback(self, member: Member, record_id: int, feedback: str) -> bool:
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

    async def nudges(self, member: Member) -> Sequence[NudgeRecord]:
        query = (
            select(NudgeRecord)
            .where(NudgeRecord.tenant_id == self.tid, NudgeRecord.member_id == member.id)
            .order_by(NudgeRecord.given_at, NudgeRecord.id)
        )
        return (await self.session.execute(query)).scalars().all()

    # --- drafts ----------------------------------------------------------------------------

    async def save_draft(
        self, member: Member, form_id: str, values: dict[str, str], at: datetime
    ) -> None:
        draft = await self.draft(member, form_id)
        if draft is None:
            self.session.add(
                Draft(
                    tenant_id=self.tid,
                    member_id=member.id,
                    form_id=form_id,
                    values=dict(values),
                    updated_at=at,
                )
            )
        else:
            draft.values = dict(values)
            draft.updated_at = at
        await self.session.flush()

    async def draft(self, member: Member, form_id: str) -> Draft | None:
        query = select(Draft).where(
            Draft.tenant_id == self.tid, Draft.member_id == member.id, Draft.form_id == form_id
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def clear_draft(self, member: Member, form_id: str) -> None:
        await self.session.execute(
            delete(Draft).where(
                Draft.tenant_id == self.tid, Draft.member_id == member.id, Draft.form_id == form_id
            )
        )

    # --- whole member, for export ----------------------------------------------------------

    async def rows_of(self, member: Member, table: type[Any]) -> Sequence[Any]:
        """Every row of ``table`` that belongs to the member, oldest first."""
        query = (
            select(table)
            .where(table.tenant_id == self.tid, self._owned(table, member))
            .order_by(table.id)
        )
        return (await self.session.execute(query)).scalars().all()
