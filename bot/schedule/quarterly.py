"""The best five, reviewed: once a quarter (the first Monday of January, April, July and
October, at the member's check-in time in their time zone) each member with best works gets a
DM revisiting them (composed in ``best_five``).

No job per member: the due instant is stored on the member (``next_quarterly_at``, indexed)
and the tick claims what fell due as delivery rows keyed by the quarter (``2027-Q1``), so a
second claim of a quarter is a no-op. A member whose instant is unknown (new, or a setting
it depends on changed) gets it computed here, from a little before now: a change made just
after this quarter's review fell due does not skip it, and the key keeps it from coming twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfoNotFoundError

from sqlalchemy import ColumnElement, select

from bot.schedule.calendar import local_quarter
from bot.schedule.rhythms import next_quarterly_at
from bot.schedule.rows import DeliveryRow, claim_many
from bot.schedule.writes import writing
from bot.store import Database
from bot.store.deliveries import DeliveryKind, DeliveryStatus
from bot.store.models import BestWork, Member, Tenant

log = logging.getLogger(__name__)

BATCH = 300  # members per transaction


@dataclass
class Claimed:
    """What one pass did: reviews claimed to send, and those recorded as missed."""

    pending: int = 0
    missed: int = 0


def _next(member: Member, tenant: Tenant, after: datetime) -> datetime | None:
    """The member's next review after ``after``; ``None`` when they want none, or their time
    zone is one this machine does not know (they are looked at again next tick)."""
    try:
        return next_quarterly_at(member, tenant, after)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("member %s: unknown time zone, no quarterly review", member.id)
        return None


async def schedule_unknown(db: Database, now: datetime, grace: timedelta) -> int:
    """Compute the next review of members who want one and have no instant yet; how many."""
    done, last = 0, 0
    wanted = Member.quarterly_review.is_(True), Member.next_quarterly_at.is_(None)
    if not await _any(db, *wanted):
        return done
    while True:
        async with writing(db) as session:
            rows = (
                await session.execute(
                    select(Member, Tenant)
                    .join(Tenant, Tenant.id == Member.tenant_id)
                    .where(*wanted, Member.id > last)
                    .order_by(Member.id)
                    .limit(BATCH)
                )
            ).all()
            for member, tenant in rows:
                member.next_quarterly_at = _next(member, tenant, now - grace)
                done += member.next_quarterly_at is not None
        if len(rows) < BATCH:
            return done
        last = rows[-1][0].id


async def claim_due(db: Database, now: datetime, grace: timedelta) -> Claimed:
    """Claim the reviews that fell due (a member with no best works gets none that quarter),
    and move each member on to their next quarter."""
    claimed = Claimed()
    while await _any(db, Member.next_quarterly_at <= now):
        async with writing(db, urgent=True) as session:
            rows = (
                await session.execute(
                    select(Member, Tenant)
                    .join(Tenant, Tenant.id == Member.tenant_id)
                    .where(Member.next_quarterly_at <= now)
                    .order_by(Member.next_quarterly_at, Member.id)
                    .limit(BATCH)
                )
            ).all()
            ids = [member.id for member, _ in rows]
            with_works = set(
                (
                    await session.execute(
                        select(BestWork.member_id).where(BestWork.member_id.in_(ids)).distinct()
                    )
                ).scalars()
            )
            claims = []
            for member, tenant in rows:
                due = member.next_quarterly_at
                assert due is not None
                if member.quarterly_review and member.id in with_works:
                    late = now - due > grace
                    status = DeliveryStatus.MISSED if late else DeliveryStatus.PENDING
                    period = local_quarter(due, member.timezone)
                    claims.append(
                        DeliveryRow(
                            member.tenant_id,
                            member.id,
                            DeliveryKind.QUARTERLY_REVIEW,
                            member.user_id,
                            period,
                            due,
                            status,
                        )
                    )
                member.next_quarterly_at = _next(member, tenant, due)
            new = await claim_many(session, claims)
            for row in claims:
                if row.key in new:
                    claimed.missed += row.status == DeliveryStatus.MISSED
                    claimed.pending += row.status == DeliveryStatus.PENDING
    return claimed


async def _any(db: Database, *where: ColumnElement[bool]) -> bool:
    """Whether a member matches: read first, so a tick with nothing to do takes no write turn
    (most ticks of a quarter)."""
    async with db.session() as session:
        return await session.scalar(select(Member.id).where(*where).limit(1)) is not None
