"""The tick: find what fell due (indexed UTC instants) and claim it as delivery rows.

The unique key (tenant, target, kind, period) makes a second claim of the same period a no-op,
whether it comes from a restart, an overlapping replica or a late tick. What fell due longer ago
than the grace window is recorded as missed, never sent late.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.schedule import history, quarterly
from bot.schedule.calendar import answered_from, local_period, next_due
from bot.schedule.rhythms import member_rhythm, team_rhythm
from bot.schedule.rows import DeliveryRow, claim, claim_many
from bot.schedule.writes import writing
from bot.store import Database
from bot.store.deliveries import DeliveryKind as Kind
from bot.store.deliveries import DeliveryStatus as Status
from bot.store.models import CheckIn, Delivery, Member, Tenant

BATCH = 300  # rows per transaction; the loop yields between batches so nothing stalls
REMINDER_HORIZON = timedelta(days=7)

SILENT_WEEKS = 3  # unanswered prompts in a row before one pause note, then none
SILENT_LOOKBACK = timedelta(weeks=SILENT_WEEKS + 5)  # how far back the unanswered prompts are read


@dataclass(frozen=True)
class Due:
    """A member whose weekly prompt fell due, as the tick reads them (no ORM object)."""

    id: int
    tenant_id: int
    user_id: str
    timezone: str
    checkin_day: int
    checkin_time: str
    mute_until: date | None
    own_schedule: bool
    weekly_dm: bool | None
    next_checkin_at: datetime
    nudges_enabled: bool
    last_nudges: str
    last_seen_at: datetime | None


DUE_COLUMNS = (
    Member.id,
    Member.tenant_id,
    Member.user_id,
    Member.timezone,
    Member.checkin_day,
    Member.checkin_time,
    Member.mute_until,
    Member.own_schedule,
    Member.weekly_dm,
    Member.next_checkin_at,
    Member.nudges_enabled,
    Member.last_nudges,
    Member.last_seen_at,
)
MEMBERS = cast(Table, Member.__table__)


async def _recent_prompts(
    session: AsyncSession, member_ids: list[int], now: datetime
) -> dict[int, list[tuple[str, str, datetime]]]:
    """The latest weekly prompts and pause notes of each member: (kind, status, due), newest
    first, read for a whole batch at once."""
    found: dict[int, list[tuple[str, str, datetime]]] = {}
    if not member_ids:
        return found
    rows = await session.execute(
        select(Delivery.member_id, Delivery.kind, Delivery.status, Delivery.due_at)
        .where(
            Delivery.member_id.in_(member_ids),
            Delivery.kind.in_((Kind.CHECKIN, Kind.PAUSE)),
            Delivery.due_at >= now - SILENT_LOOKBACK,
        )
        .order_by(Delivery.due_at.desc(), Delivery.id.desc())
    )
    for member_id, kind, status, due in rows.all():
        if member_id is not None:
            found.setdefault(member_id, []).append((kind, status, due))
    return found


def silent_weeks(earlier: Sequence[tuple[str, str, datetime]], heard: datetime | None) -> int:
    """How many weekly prompts in a row, the latest first, went out with no word from the
    member since (``heard``: their latest check-in or turn); the count stops at an answered
    week, a week not prompted, or the last pause note.

    >>> week = datetime(2026, 11, 2)
    >>> silent_weeks([("checkin", "sent", week), ("checkin", "answered", week)], None)
    1
    """
    count = 0
    for kind, status, due in earlier:
        if kind != Kind.CHECKIN or status != Status.SENT or (heard is not None and heard >= due):
            break
        count += 1
    return count


@dataclass
class TickReport:
    claimed: int = 0
    missed: int = 0
    answered_early: int = 0
    paused: int = 0  # members told their prompts pause after weeks of silence
    reminders: int = 0
    digests: int = 0
    channel_nudges: int = 0
    quarterly: int = 0  # quarterly reviews of members' best five works
    kinds: list[str] = field(default_factory=list)
    missed_kinds: Counter[str] = field(default_factory=Counter)  # recorded missed, by kind


class Ticker:
    def __init__(self, db: Database, grace: timedelta) -> None:
        self.db = db
        self.grace = grace

    async def tick(self, now: datetime) -> TickReport:
        report = TickReport()
        more = True
        while more:  # batch after batch, each its own short transaction
            more = await self._prompts(now, report)
        await self._reminders(now, report)
        await self._team(now, report)
        await self._quarterly(now, report)
        return report

    async def _quarterly(self, now: datetime, report: TickReport) -> None:
        """The best five, reviewed: members' quarterly DMs (see ``quarterly``)."""
        await quarterly.schedule_unknown(self.db, now, self.grace)
        found = await quarterly.claim_due(self.db, now, self.grace)
        report.quarterly += found.pending
        report.missed_kinds[Kind.QUARTERLY_REVIEW] += found.missed

    def _status(self, due: datetime, now: datetime) -> Status:
        return Status.PENDING if now - due <= self.grace else Status.MISSED

    async def _prompts(self, now: datetime, report: TickReport) -> bool:
        """Claim one batch of due weekly prompts; ``True`` when there may be more.

        A batch costs a handful of statements whatever its size (one insert for its claims,
        a few reads for early check-ins and what members' histories call for).
        """
        # Workspaces take turns (each one's oldest first): when thousands fall due at once,
        # the first batch already holds some of every workspace, and the outbox, which sends
        # while the tick claims, gets every workspace going at once.
        due = (
            select(
                Member.id.label("id"),
                func.row_number()
                .over(
                    partition_by=Member.tenant_id,
                    order_by=(Member.next_checkin_at, Member.id),
                )
                .label("turn"),
            )
            .where(Member.next_checkin_at <= now)
            .subquery()
        )
        async with writing(self.db, urgent=True) as session:
            rows = [
                Due(*cast(tuple[Any, ...], row))
                for row in (
                    await session.execute(
                        select(*DUE_COLUMNS)
                        .join(due, due.c.id == Member.id)
                        .order_by(due.c.turn, Member.tenant_id)
                        .limit(BATCH)
                    )
                ).all()
            ]
            if not rows:
                return False
            tenants = {
                t.id: t
                for t in (
                    await session.execute(
                        select(Tenant).where(Tenant.id.in_({m.tenant_id for m in rows}))
                    )
                ).scalars()
            }
            last_checkin: dict[int, datetime] = {
                member_id: at
                for member_id, at in (
                    await session.execute(
                        select(CheckIn.member_id, func.max(CheckIn.created_at))
                        .where(CheckIn.member_id.in_([m.id for m in rows]))
                        .group_by(CheckIn.member_id)
                    )
                ).all()
            }
            earlier = await _recent_prompts(session, [m.id for m in rows], now)
            claims: list[DeliveryRow] = []
            pausing: set[int] = set()
            for member in rows:
                due_at = member.next_checkin_at
                status = self._status(due_at, now)
                last = last_checkin.get(member.id)
                early = last is not None and last >= answered_from(due_at, member.timezone)
                if status == Status.PENDING and early:
                    status = Status.ANSWERED  # checked in that week, or the day before: answered
                heard = max((t for t in (last, member.last_seen_at) if t), default=None)
                silent = silent_weeks(earlier.get(member.id, []), heard)
                if silent >= SILENT_WEEKS:
                    pausing.add(member.id)  # a note instead of a prompt, then none
                claims.append(
                    DeliveryRow(
                        member.tenant_id,
                        member.id,
                        Kind.PAUSE if member.id in pausing else Kind.CHECKIN,
                        member.user_id,
                        local_period(due_at, member.timezone),
                        due_at,
                        status,
                        {"silent": silent} if silent else {},  # picks the wording
                    )
                )
            new = await claim_many(session, claims)
            fresh: list[tuple[Due, DeliveryRow]] = []
            for member, row in zip(rows, claims, strict=True):
                if row.key not in new:
                    continue  # claimed before (a restart, another replica): nothing more
                missed = row.status == Status.MISSED
                if row.kind == Kind.PAUSE:
                    report.paused += 1
                    report.missed_kinds[Kind.PAUSE] += missed
                    continue
                report.claimed += row.status == Status.PENDING
                report.missed += missed
                report.missed_kinds[Kind.CHECKIN] += missed
                report.answered_early += row.status == Status.ANSWERED
                if not missed:
                    fresh.append((member, row))
            called = await history.called_for(session, [m for m, _ in fresh], now)
            await claim_many(
                session,
                [
                    row.but(kind=item.kind, status=Status.PENDING, detail=item.detail)
                    for member, row in fresh
                    for item in called.get(member.id, [])
                ],
            )
            following = []
            for member in rows:
                rhythm = member_rhythm(member, tenants[member.tenant_id])
                found = next_due(rhythm, member.next_checkin_at) if rhythm else None
                if member.id in pausing:
                    found = None  # until they are back: any turn of theirs reschedules them
                following.append({"b_id": member.id, "b_next": found[0] if found else None})
            await session.execute(
                MEMBERS.update()
                .where(MEMBERS.c.id == bindparam("b_id"))
                .values(next_checkin_at=bindparam("b_next")),
                following,
            )
            return len(rows) == BATCH

    async def _reminders(self, now: datetime, report: TickReport) -> None:
        """One reminder per period for a prompt that was sent and not answered, in batches
        (the day after thousands of prompts, thousands of reminders fall due at once)."""
        async with writing(self.db) as session:
            found = await session.execute(
                select(Tenant.reminder_after_hours).where(Tenant.reminders.is_(True)).distinct()
            )
            delays = list(found.scalars())
        tags: dict[tuple[int, str], tuple[int, str, datetime, list[str]]] = {}
        for hours in delays:
            while await self._reminder_batch(now, hours, report, tags):
                pass
        if tags:
            # Only when the team asked for it: one channel message a period naming who has
            # not checked in yet (the first reminders of the period decide who is named).
            async with writing(self.db) as session:
                await claim_many(
                    session,
                    [
                        DeliveryRow(
                            tenant_id,
                            None,
                            Kind.TAG,
                            channel,
                            period,
                            at,
                            self._status(at, now),
                            {"users": sorted(users)},
                        )
                        for (tenant_id, period), (_, channel, at, users) in tags.items()
                    ],
                )

    async def _reminder_batch(
        self,
        now: datetime,
        hours: int,
        report: TickReport,
        tags: dict[tuple[int, str], tuple[int, str, datetime, list[str]]],
    ) -> bool:
        """Claim one batch of reminders of the teams that remind after ``hours``; ``True``
        when there may be more."""
        reminder = aliased(Delivery)
        async with writing(self.db, urgent=True) as session:
            rows = (
                await session.execute(
                    select(
                        Delivery.tenant_id,
                        Delivery.member_id,
                        Delivery.target,
                        Delivery.period,
                        Delivery.sent_at,
                        Delivery.detail,
                        Tenant.tag_nonresponders,
                        Tenant.team_channel,
                    )
                    .join(Tenant, Tenant.id == Delivery.tenant_id)
                    .where(
                        Delivery.kind == Kind.CHECKIN,
                        Delivery.status == Status.SENT,
                        Delivery.sent_at >= now - REMINDER_HORIZON,
                        Delivery.sent_at <= now - timedelta(hours=hours),
                        Tenant.reminders.is_(True),
                        Tenant.reminder_after_hours == hours,
                        # Answered: a check-in since it fell due (one before it, from the day
                        # before, would have answered it before it was sent).
                        ~exists().where(
                            CheckIn.member_id == Delivery.member_id,
                            CheckIn.created_at >= Delivery.due_at,
                        ),
                        ~exists().where(
                            reminder.tenant_id == Delivery.tenant_id,
                            reminder.target == Delivery.target,
                            reminder.kind == Kind.REMINDER,
                            reminder.period == Delivery.period,
                        ),
                    )
                    .order_by(Delivery.id)
                    .limit(BATCH)
                )
            ).all()
            claims: list[DeliveryRow] = []
            for tenant_id, member_id, target, period, sent_at, detail, _, _ in rows:
                assert sent_at is not None
                at = sent_at + timedelta(hours=hours)
                silent = (detail or {}).get("silent")
                claims.append(
                    DeliveryRow(
                        tenant_id,
                        member_id,
                        Kind.REMINDER,
                        target,
                        period,
                        at,
                        self._status(at, now),
                        {"silent": silent} if silent else {},  # as its prompt's
                    )
                )
            new = await claim_many(session, claims)
            report.reminders += len(new)
            report.missed_kinds[Kind.REMINDER] += sum(
                row.status == Status.MISSED and row.key in new for row in claims
            )
            for (*_, tag, channel), row in zip(rows, claims, strict=True):
                if tag and channel and row.key in new:
                    key = (row.tenant_id, row.period)
                    _, _, _, users = tags.setdefault(key, (key[0], channel, row.due_at, []))
                    users.append(row.target)
            return len(rows) == BATCH

    async def _team(self, now: datetime, report: TickReport) -> None:
        """Digests and channel nudges of every team whose time has come."""
        async with writing(self.db) as session:
            teams = (
                (
                    await session.execute(
                        select(Tenant).where(
                            (Tenant.next_digest_at <= now) | (Tenant.next_nudge_at <= now)
                        )
                    )
                )
                .scalars()
                .all()
            )
            for tenant in teams:
                if tenant.next_digest_at is not None and tenant.next_digest_at <= now:
                    due = tenant.next_digest_at
                    if tenant.team_channel:
                        row = self._team_row(tenant, Kind.DIGEST, due, now)
                        added = await claim(session, row)
                        report.digests += added
                        report.missed_kinds[Kind.DIGEST] += added and row.status == Status.MISSED
                    assert tenant.digest_day is not None
                    following = next_due(
                        team_rhythm(tenant, tenant.digest_day, tenant.digest_time), due
                    )
                    tenant.next_digest_at = following[0] if following else None
                if tenant.next_nudge_at is not None and tenant.next_nudge_at <= now:
                    due = tenant.next_nudge_at
                    if tenant.team_channel:
                        row = self._team_row(tenant, Kind.CHANNEL_NUDGE, due, now)
                        added = await claim(session, row)
                        report.channel_nudges += added
                        missed = added and row.status == Status.MISSED
                        report.missed_kinds[Kind.CHANNEL_NUDGE] += missed
                    rhythm = team_rhythm(tenant, tenant.checkin_day, tenant.checkin_time)
                    following = next_due(
                        rhythm, due + timedelta(weeks=tenant.nudge_every_weeks - 1)
                    )
                    tenant.next_nudge_at = following[0] if following else None

    def _team_row(self, tenant: Tenant, kind: Kind, due: datetime, now: datetime) -> DeliveryRow:
        assert tenant.team_channel is not None
        period = local_period(due, tenant.timezone)
        status = self._status(due, now)
        return DeliveryRow(tenant.id, None, kind, tenant.team_channel, period, due, status)
