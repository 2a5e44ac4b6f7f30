"""The outbox: sends pending deliveries through each platform's Messenger and marks each one
sent in its own transaction, so a crash leaves at most the message in flight unmarked.

Workspaces are served side by side; within one workspace sends go one at a time, and the
Messenger paces them per channel and per workspace. A failed send is retried with backoff and
given up (status ``failed``) after ``MAX_ATTEMPTS``.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from bot.events import TenantRef
from bot.ports import Clock, Messenger
from bot.prompts import Prompts
from bot.schedule.claims import DIGEST, DIGEST_ITEM
from bot.schedule.content import Composer
from bot.store import Database
from bot.store.models import Delivery, Tenant

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BACKOFF = (30, 120, 600, 1800, 3600)  # seconds before attempt 2, 3, …
FETCH = 2000  # pending rows read per drain
# A row being sent is taken for this long (its next_attempt_at moves on): another outbox, say a
# replica that just took over the lead, skips it meanwhile. After a crash mid-send the row is
# sent again once this has passed.
LEASE = timedelta(minutes=5)


@dataclass
class DrainReport:
    sent: int = 0
    failed: int = 0
    retried: int = 0
    waiting: int = 0  # rows this process cannot send (its platform's adapter is not running)


class Outbox:
    def __init__(
        self, db: Database, messengers: Mapping[str, Messenger], prompts: Prompts, clock: Clock
    ) -> None:
        self.db = db
        self.messengers = messengers
        self.clock = clock
        self.compose = Composer(prompts)

    async def drain(self, now: datetime) -> DrainReport:
        """Send everything pending that is due by ``now``."""
        report = DrainReport()
        async with self.db.session() as session:
            rows = (
                await session.execute(
                    select(Delivery.id, Tenant.platform, Tenant.external_id, Delivery.kind)
                    .join(Tenant, Tenant.id == Delivery.tenant_id)
                    .where(Delivery.status == "pending", Delivery.next_attempt_at <= now)
                    # Digest parents before their items, then oldest first.
                    .order_by(Delivery.due_at, Delivery.id)
                    .limit(FETCH)
                )
            ).all()
        queues: dict[TenantRef, list[int]] = defaultdict(list)
        for delivery_id, platform, external_id, kind in rows:
            if platform not in self.messengers:
                report.waiting += 1
                continue
            queue = queues[TenantRef(platform, external_id)]
            queue.insert(0, delivery_id) if kind == DIGEST else queue.append(delivery_id)
        await asyncio.gather(*(self._serve(t, ids, now, report) for t, ids in queues.items()))
        return report

    async def _serve(
        self, tenant: TenantRef, ids: list[int], now: datetime, report: DrainReport
    ) -> None:
        messenger = self.messengers[tenant.platform]
        for delivery_id in ids:
            try:
                outcome = await self._send(messenger, tenant, delivery_id, now)
            except Exception as exc:  # a platform error: retry later, never lose the row
                await self._failed(delivery_id, now, exc, report)
                continue
            if outcome == "sent":
                report.sent += 1
            elif outcome == "later":
                report.waiting += 1

    async def _send(
        self, messenger: Messenger, tenant: TenantRef, delivery_id: int, now: datetime
    ) -> str:
        # Short transactions on either side of the send: none is held open while a platform
        # (and the pacer) takes its time, so the connection pool never runs dry.
        async with self.db.session() as session:
            # Take the row first: of two outboxes draining at once (a failover), one gets it.
            taken = await session.execute(
                update(Delivery)
                .where(
                    Delivery.id == delivery_id,
                    Delivery.status == "pending",
                    Delivery.next_attempt_at <= now,
                )
                .values(next_attempt_at=self.clock.now() + LEASE)
                .execution_options(synchronize_session=False)
            )
            if getattr(taken, "rowcount", 0) != 1:
                return "skipped"  # sent, or being sent, by another worker
            delivery = await session.get(Delivery, delivery_id)
            assert delivery is not None
            kind, target = delivery.kind, delivery.target
            message = await self.compose.message(session, delivery)
            if message is None and kind != DIGEST_ITEM:
                delivery.status = "skipped"  # nothing to say any more (the member left)
            elif message is None:
                delivery.next_attempt_at = now  # waits for its digest: looked at next drain
        if message is None:
            return "later" if kind == DIGEST_ITEM else "skipped"  # items wait for their digest
        ts = ""
        if message.channel is not None:
            ts = await messenger.post(tenant, message.channel, message.body, message.thread)
        else:
            await messenger.send_dm(tenant, target, message.body, message.buttons)
        async with self.db.session() as session:
            delivery = await session.get(Delivery, delivery_id)
            assert delivery is not None
            delivery.status = "sent"
            delivery.sent_at = self.clock.now()
            delivery.attempts += 1
            delivery.detail = {**delivery.detail, **message.detail, **({"ts": ts} if ts else {})}
        return "sent"

    async def _failed(
        self, delivery_id: int, now: datetime, exc: Exception, report: DrainReport
    ) -> None:
        log.warning("delivery %s failed: %s", delivery_id, type(exc).__name__)
        async with self.db.session() as session:
            delivery = await session.get(Delivery, delivery_id)
            if delivery is None:
                return
            attempts = delivery.attempts + 1
            if attempts >= MAX_ATTEMPTS:
                values = {"attempts": attempts, "status": "failed"}
                report.failed += 1
            else:
                wait = timedelta(seconds=BACKOFF[min(attempts, len(BACKOFF)) - 1])
                values = {"attempts": attempts, "next_attempt_at": now + wait}
                report.retried += 1
            await session.execute(update(Delivery).where(Delivery.id == delivery_id).values(values))
