"""The outbox: sends pending deliveries through each platform's Messenger and marks each one
sent as soon as the platform took it, so a crash leaves unmarked only the messages in flight
and those sent in the last ``MARK_EVERY`` (marks are written together, a batch every 20 ms
under load: one write per message would cost more than the rest of the send).

Workspaces are served side by side. Within one workspace a few sends are in flight at once
(``SENDERS``), so a platform's round trip does not limit the rate: the Messenger's pacer spaces
them per channel and per workspace. Rows are taken (leased) before they are sent, so two
outboxes (a replica that just took over the lead, and the one that lost it) never send the
same row. A failed send is retried with backoff and given up (status ``failed``) after
``MAX_ATTEMPTS``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update

from bot.events import TenantRef
from bot.ports import Clock, Messenger
from bot.prompts import Prompts
from bot.schedule.claims import DIGEST, DIGEST_ITEM
from bot.schedule.content import Composer, Message
from bot.store import Database
from bot.store.models import Delivery, Tenant

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BACKOFF = (30, 120, 600, 1800, 3600)  # seconds before attempt 2, 3, …
PAGE = 1000  # pending rows read at a time (ids and where they go)
# A row being sent is taken for this long (its next_attempt_at moves on): another outbox skips
# it meanwhile. After a crash mid-send the row is sent again once this has passed.
LEASE = timedelta(minutes=5)
CHUNK = 100  # rows of one workspace taken and composed in one transaction
SENDERS = 32  # sends in flight per workspace (the pacer spaces them)
MARK_EVERY = 0.02  # seconds a sent mark waits for others, to be written together
POLL = 0.1  # seconds between looks for newly claimed rows while a tick is still claiming

DELIVERIES = cast(Table, Delivery.__table__)


@dataclass
class DrainReport:
    sent: int = 0
    failed: int = 0
    retried: int = 0
    waiting: int = 0  # rows this process cannot send (its platform's adapter is not running)


@dataclass(frozen=True)
class Ready:
    """A taken row, composed: what to send and what to remember once it is out."""

    delivery_id: int
    target: str
    message: Message
    detail: dict[str, Any]


class Marks:
    """Marks rows sent, a batch at a time: a mark waits up to ``MARK_EVERY`` for others to
    join it, so a steady stream of sends costs one short write every so often rather than one
    per message. ``add`` does not wait; ``settled`` writes what is waiting at once and returns
    once every mark added so far is written."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._waiting: list[dict[str, Any]] = []
        self._writer: asyncio.Task[None] | None = None
        self._hurry = asyncio.Event()

    def add(self, delivery_id: int, sent_at: datetime, detail: dict[str, Any]) -> None:
        self._waiting.append({"b_id": delivery_id, "b_at": sent_at, "b_detail": detail})
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())

    async def settled(self) -> None:
        self._hurry.set()
        try:
            while self._writer is not None and not self._writer.done():
                await asyncio.wait({self._writer})
        finally:
            self._hurry.clear()

    async def _write(self) -> None:
        while self._waiting:
            if not self._hurry.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._hurry.wait(), MARK_EVERY)
            batch, self._waiting = self._waiting, []
            try:
                async with self.db.session() as session:
                    await session.execute(
                        DELIVERIES.update()
                        .where(DELIVERIES.c.id == bindparam("b_id"))
                        .values(
                            status="sent",
                            sent_at=bindparam("b_at"),
                            attempts=DELIVERIES.c.attempts + 1,
                            detail=bindparam("b_detail"),
                        ),
                        batch,
                    )
            except Exception:
                # Sent but not marked (the database went away): they go again after their
                # lease. Nothing better is possible: the platform has them already.
                ids = [values["b_id"] for values in batch]
                log.warning("deliveries %s sent but not marked", ids, exc_info=True)


class Outbox:
    def __init__(
        self, db: Database, messengers: Mapping[str, Messenger], prompts: Prompts, clock: Clock
    ) -> None:
        self.db = db
        self.messengers = messengers
        self.clock = clock
        self.compose = Composer(prompts)
        self.marks = Marks(db)

    async def drain(self, now: datetime, until: Awaitable[Any] | None = None) -> DrainReport:
        """Send everything pending that is due by ``now``.

        With ``until`` (the tick that is claiming rows), rows claimed while it runs are picked
        up and sent at once, workspace by workspace, until it is done.
        """
        report = DrainReport()
        pending = asyncio.ensure_future(until) if until is not None else None
        queues: dict[TenantRef, deque[tuple[int, str]]] = {}
        held: dict[TenantRef, list[int]] = {}  # items that waited for a digest not yet out
        workers: dict[TenantRef, asyncio.Task[None]] = {}
        seen: set[int] = set()
        after = 0  # the newest row read: while the tick claims, only newer ones are read
        while True:
            final = pending is None or pending.done()
            if final:
                after = 0  # a last full read: rows that were committed out of id order too
            while True:  # page by page, so that reading thousands never stalls the loop
                rows = await self._due(now, after)
                for delivery_id, platform, external_id, kind in rows:
                    if delivery_id in seen:
                        continue
                    seen.add(delivery_id)
                    if platform not in self.messengers:
                        report.waiting += 1
                        continue
                    tenant = TenantRef(platform, external_id)
                    queue = queues.setdefault(tenant, deque())
                    if kind == DIGEST:  # before its items: they are replies in its thread
                        queue.appendleft((delivery_id, kind))
                    else:
                        queue.append((delivery_id, kind))
                    if tenant not in workers or workers[tenant].done():
                        workers[tenant] = asyncio.create_task(
                            self._serve(tenant, queue, held.setdefault(tenant, []), now, report)
                        )
                if rows:
                    after = rows[-1][0]
                if len(rows) < PAGE:
                    break
            if final:
                break
            assert pending is not None
            await asyncio.wait({pending}, timeout=POLL)
        await asyncio.gather(*workers.values())
        await self.marks.settled()
        report.waiting += sum(len(items) for items in held.values())
        return report

    async def _due(self, now: datetime, after: int) -> list[tuple[int, str, str, str]]:
        """One page of the rows due by ``now`` with an id above ``after``, by id."""
        async with self.db.session() as session:
            rows = await session.execute(
                select(Delivery.id, Tenant.platform, Tenant.external_id, Delivery.kind)
                .join(Tenant, Tenant.id == Delivery.tenant_id)
                .where(
                    Delivery.status == "pending",
                    Delivery.next_attempt_at <= now,
                    Delivery.id > after,
                )
                .order_by(Delivery.id)
                .limit(PAGE)
            )
            return [(i, p, e, k) for i, p, e, k in rows.all()]

    async def _serve(
        self,
        tenant: TenantRef,
        queue: deque[tuple[int, str]],
        held: list[int],
        now: datetime,
        report: DrainReport,
    ) -> None:
        """Send one workspace's queue, up to ``SENDERS`` at once. Rows may join the queue while
        this runs; a digest goes on its own, once what is in flight is out, and the items that
        were waiting for it follow."""
        messenger = self.messengers[tenant.platform]
        slots = asyncio.Semaphore(SENDERS)
        sending: set[asyncio.Task[None]] = set()
        try:
            await self._serve_queue(tenant, queue, held, now, report, messenger, slots, sending)
        finally:  # cancelled (shutting down): nothing keeps sending behind our back
            for task in sending:
                task.cancel()

    async def _serve_queue(
        self,
        tenant: TenantRef,
        queue: deque[tuple[int, str]],
        held: list[int],
        now: datetime,
        report: DrainReport,
        messenger: Messenger,
        slots: asyncio.Semaphore,
        sending: set[asyncio.Task[None]],
    ) -> None:
        while queue or sending:
            if not queue:
                await asyncio.wait(set(sending), return_when=asyncio.FIRST_COMPLETED)
                continue
            digest = queue[0][1] == DIGEST
            if digest:
                await asyncio.gather(*sending)
                chunk = [queue.popleft()[0]]
            else:
                chunk = []
                while queue and len(chunk) < CHUNK and queue[0][1] != DIGEST:
                    chunk.append(queue.popleft()[0])
            for ready in await self._take(chunk, now, report, held):
                await slots.acquire()
                task = asyncio.create_task(self._send(messenger, tenant, ready, now, report))
                task.add_done_callback(lambda _: slots.release())
                task.add_done_callback(sending.discard)
                sending.add(task)
            if digest:  # its items are composed with its message id: it must be out first
                await asyncio.gather(*sending)
                await self.marks.settled()
                queue.extendleft((i, DIGEST_ITEM) for i in reversed(held))
                held.clear()

    async def _take(
        self, ids: list[int], now: datetime, report: DrainReport, held: list[int]
    ) -> list[Ready]:
        """Take (lease) the rows of ``ids`` still pending and compose their messages, in one
        short transaction; rows another outbox took, or that were sent meanwhile, drop out.
        Digest items whose digest is not out yet are let go and added to ``held``."""
        failed: list[tuple[int, Exception]] = []
        ready: list[Ready] = []
        try:
            async with self.db.session() as session:
                taken = (
                    await session.execute(
                        DELIVERIES.update()
                        .where(
                            DELIVERIES.c.id.in_(ids),
                            DELIVERIES.c.status == "pending",
                            DELIVERIES.c.next_attempt_at <= now,
                        )
                        .values(next_attempt_at=self.clock.now() + LEASE)
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
                        ready.append(Ready(delivery.id, delivery.target, message, delivery.detail))
                    elif delivery.kind == DIGEST_ITEM:
                        delivery.next_attempt_at = now  # waits for its digest
                        held.append(delivery.id)
                    else:
                        delivery.status = "skipped"  # nothing to say any more (the member left)
        except Exception as exc:  # the database: every row of the chunk is tried again later
            failed = [(delivery_id, exc) for delivery_id in ids]
            ready = []
        for delivery_id, error in failed:
            await self._failed(delivery_id, now, error, report)
        return ready

    async def _send(
        self,
        messenger: Messenger,
        tenant: TenantRef,
        ready: Ready,
        now: datetime,
        report: DrainReport,
    ) -> None:
        message = ready.message
        try:
            ts = ""
            if message.channel is not None:
                ts = await messenger.post(tenant, message.channel, message.body, message.thread)
            else:
                await messenger.send_dm(tenant, ready.target, message.body, message.buttons)
        except Exception as exc:  # a platform error: retry later, never lose the row
            await self._failed(ready.delivery_id, now, exc, report)
            return
        detail = {**ready.detail, **message.detail, **({"ts": ts} if ts else {})}
        self.marks.add(ready.delivery_id, self.clock.now(), detail)
        report.sent += 1

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
