"""Taking rows to send: a row is leased (its ``next_attempt_at`` moved ``LEASE`` ahead) and its
message composed in one short transaction, so no other outbox takes it meanwhile; rows taken
and not sent are given back when the process stops."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, literal, select

from bot.ports import Clock
from bot.schedule.content import Composer, Message
from bot.schedule.outbox.report import DrainReport
from bot.schedule.outbox.retry import retry_later
from bot.schedule.rows import DELIVERIES
from bot.schedule.writes import writing
from bot.store import Database
from bot.store.deliveries import DeliveryKind, DeliveryStatus
from bot.store.models import Delivery, Tenant

log = logging.getLogger(__name__)

# A row being sent is taken for this long (its next_attempt_at moves on): another outbox skips
# it meanwhile. After a crash mid-send the row is sent again once this has passed.
LEASE = timedelta(minutes=5)
PAGE = 1000  # pending rows read at a time (ids and where they go)


@dataclass(frozen=True)
class Due:
    """A pending row due now, as the drain reads it: which workspace it goes through."""

    delivery_id: int
    platform: str
    tenant: str  # the workspace's id on its platform
    kind: str


@dataclass(frozen=True)
class Ready:
    """A taken row, composed: what to send and what to remember once it is out."""

    delivery_id: int
    kind: str
    target: str
    message: Message
    detail: dict[str, Any]
    # Taken before and not marked sent: it may be out already (see ``send``).
    taken_before: datetime | None = None

    @property
    def in_doubt(self) -> bool:
        """An earlier try may have reached the platform: look before sending."""
        return self.taken_before is not None


async def due(db: Database, now: datetime, after: int) -> list[Due]:
    """One page (``PAGE``) of the pending rows due by ``now`` with an id above ``after``, by
    id."""
    async with db.session() as session:
        rows = await session.execute(
            select(Delivery.id, Tenant.platform, Tenant.external_id, Delivery.kind)
            .join(Tenant, Tenant.id == Delivery.tenant_id)
            .where(
                Delivery.status == DeliveryStatus.PENDING,
                Delivery.next_attempt_at <= now,
                Delivery.id > after,
            )
            .order_by(Delivery.id)
            .limit(PAGE)
        )
        return [Due(i, p, e, k) for i, p, e, k in rows.all()]


class Taker:
    """Leases rows and composes their messages."""

    def __init__(self, db: Database, compose: Composer, clock: Clock) -> None:
        self.db = db
        self.compose = compose
        self.clock = clock

    async def take(
        self, ids: Sequence[int], now: datetime, report: DrainReport, held: list[int]
    ) -> list[Ready]:
        """Take (lease) the rows of ``ids`` still pending and due, and compose their messages,
        in one short transaction, in the order of ``ids``; rows another outbox took, or that
        were sent meanwhile, drop out. Digest items whose digest is not out yet are let go and
        added to ``held``; a row with nothing left to say is skipped."""
        failed: list[tuple[int, Exception]] = []
        ready: list[Ready] = []
        taken_at = self.clock.now()
        try:
            async with writing(self.db) as session:
                taken = (
                    await session.execute(
                        DELIVERIES.update()
                        .where(
                            DELIVERIES.c.id.in_(ids),
                            DELIVERIES.c.status == DeliveryStatus.PENDING,
                            DELIVERIES.c.next_attempt_at <= now,
                        )
                        .values(
                            next_attempt_at=taken_at + LEASE,
                            # The first take is kept: from then on the row is in doubt.
                            taken_at=func.coalesce(
                                DELIVERIES.c.taken_at,
                                literal(taken_at, DELIVERIES.c.taken_at.type),
                            ),
                        )
                        .returning(DELIVERIES.c.id)
                    )
                ).scalars()
                taken_ids = set(taken)
                if not taken_ids:
                    return []
                deliveries = (
                    (await session.execute(select(Delivery).where(Delivery.id.in_(taken_ids))))
                    .scalars()
                    .all()
                )
                known = await self.compose.prefetch(session, deliveries)
                order = {delivery_id: n for n, delivery_id in enumerate(ids)}
                for delivery in sorted(deliveries, key=lambda d: order[d.id]):
                    try:
                        message = await self.compose.message(session, delivery, known)
                    except Exception as exc:  # a bug in one message must not hold up the rest
                        failed.append((delivery.id, exc))
                        continue
                    if message is not None:
                        ready.append(
                            Ready(
                                delivery.id,
                                delivery.kind,
                                delivery.target,
                                message,
                                dict(delivery.detail),
                                delivery.taken_at if delivery.taken_at != taken_at else None,
                            )
                        )
                    elif delivery.kind == DeliveryKind.DIGEST_ITEM:
                        delivery.next_attempt_at = now  # waits for its digest
                        if delivery.taken_at == taken_at:
                            delivery.taken_at = None  # let go unsent: nothing to look for
                        held.append(delivery.id)
                    else:
                        delivery.status = DeliveryStatus.SKIPPED  # the member left, …
        except Exception as exc:  # the database: every row of the chunk is tried again later
            failed = [(delivery_id, exc) for delivery_id in ids]
            ready = []
        for delivery_id, error in failed:
            await retry_later(self.db, delivery_id, now, error, report)
        return ready

    async def give_back(self, unsent: Sequence[Ready], now: datetime) -> None:
        """Rows taken and never sent (the process is stopping): due again at ``now``, and not
        in doubt unless they were before the take — these never left."""
        if not unsent:
            return
        try:
            async with writing(self.db) as session:
                await session.execute(
                    DELIVERIES.update()
                    .where(
                        DELIVERIES.c.id == bindparam("b_id"),
                        DELIVERIES.c.status == DeliveryStatus.PENDING,
                    )
                    .values(next_attempt_at=bindparam("b_at"), taken_at=bindparam("b_taken")),
                    [
                        {"b_id": r.delivery_id, "b_at": now, "b_taken": r.taken_before}
                        for r in unsent
                    ],
                )
        except Exception:  # the database: they wait out their lease instead, nothing is lost
            log.warning("could not give back %d taken deliveries", len(unsent), exc_info=True)
            return
        log.info("stopping: %d deliveries given back unsent", len(unsent))
