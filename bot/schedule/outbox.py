"""The outbox: sends pending deliveries through each platform's Messenger and marks each one
sent as soon as the platform took it, so a crash leaves unmarked only the messages in flight
and, under a stream of sends, those of the last ``MARK_EVERY`` (20 ms): marks are then written
a batch at a time, as one write per message would cost more than the rest of the send. An
unmarked row is taken again once its lease has passed; since it may have reached the platform
all the same, the Messenger is asked first (``find_sent``) and only what is not there is sent.

Workspaces are served side by side. One loop reads due rows and takes them (leases them and
composes their messages, for all workspaces in one short transaction), keeping each workspace
``AHEAD`` messages ahead of its sends; each workspace's worker only sends, up to ``SENDERS`` at
once, so a platform's round trip does not limit the rate: the Messenger's pacer spaces them per
channel and per workspace. Rows are taken (leased) before they are sent, so two outboxes (a
replica that just took over the lead, and the one that lost it) never send the same row. A
failed send is retried with backoff and given up (status ``failed``) after ``MAX_ATTEMPTS``.

``stop()`` (the process is shutting down) ends a drain gently: no more rows are read or taken,
the sends under way finish and are marked, and the rows taken but not sent yet are given back
(due again, as they were), so a restart or another replica sends them at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter, deque
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, literal, select, update

from bot.events import TenantRef
from bot.ports import Clock, Messenger, Recipient
from bot.prompts import Prompts
from bot.schedule.content import Composer, Message
from bot.schedule.writes import writing
from bot.store import Database
from bot.store.deliveries import DeliveryKind
from bot.store.models import Delivery, Tenant

log = logging.getLogger(__name__)

DIGEST, DIGEST_ITEM = DeliveryKind.DIGEST, DeliveryKind.DIGEST_ITEM

MAX_ATTEMPTS = 6
BACKOFF = (30, 120, 600, 1800, 3600)  # seconds before attempt 2, 3, …
PAGE = 1000  # pending rows read at a time (ids and where they go)
# A row being sent is taken for this long (its next_attempt_at moves on): another outbox skips
# it meanwhile. After a crash mid-send the row is sent again once this has passed.
LEASE = timedelta(minutes=5)
AHEAD = 32  # messages taken (leased, composed) ahead of the sends, per workspace
TOP_UP = 8  # a workspace is topped up once this many of them are out
TAKE = 150  # rows taken and composed in one transaction, for all workspaces
SENDERS = 24  # sends in flight per workspace (the pacer spaces them)
MARK_EVERY = 0.02  # seconds between writes of sent marks, under a stream of sends
POLL = 0.1  # seconds between looks for newly claimed rows while a tick is still claiming

DELIVERIES = cast(Table, Delivery.__table__)


@dataclass
class DrainReport:
    sent: int = 0
    failed: int = 0
    retried: int = 0
    found: int = 0  # taken again, and found already on the platform: marked, not resent
    waiting: int = 0  # rows this process cannot send (its platform's adapter is not running)
    by_kind: Counter[tuple[str, str]] = field(default_factory=Counter)  # (kind, outcome)


@dataclass(frozen=True)
class Ready:
    """A taken row, composed: what to send and what to remember once it is out."""

    delivery_id: int
    kind: str
    target: str
    message: Message
    detail: dict[str, Any]
    # Taken before and not marked sent: it may be out already (see ``Outbox._send``).
    taken_before: datetime | None = None


class Marks:
    """Marks rows sent: at once when sends are few; under a stream of sends, a batch every
    ``MARK_EVERY``, so that marking costs one short write every so often rather than one per
    message. ``add`` does not wait; ``settled`` writes what is waiting at once and returns once
    every mark added so far is written."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._waiting: list[dict[str, Any]] = []
        self._writer: asyncio.Task[None] | None = None
        self._hurry = asyncio.Event()
        self._last = float("-inf")  # when the latest write began (event loop time)

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
        loop = asyncio.get_running_loop()
        while self._waiting:
            # At most one write every MARK_EVERY: the first mark in a while is written at
            # once; under a stream of sends, marks gather for the next write meanwhile.
            wait = self._last + MARK_EVERY - loop.time()
            if wait > 0 and not self._hurry.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._hurry.wait(), wait)
            self._last = loop.time()
            batch, self._waiting = self._waiting, []
            try:
                async with writing(self.db) as session:
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


@dataclass
class Lane:
    """One workspace's share of a drain: rows to take, messages ready to send, sends in
    flight."""

    tenant: TenantRef
    messenger: Messenger
    rows: deque[tuple[int, str]] = field(default_factory=deque)  # (delivery id, kind)
    ready: deque[Ready] = field(default_factory=deque)
    held: list[int] = field(default_factory=list)  # items that wait for their digest
    flying: int = 0  # sends under way
    blocked: bool = False  # its digest is being sent: nothing more is taken meanwhile
    stocked: asyncio.Event = field(default_factory=asyncio.Event)  # ready got more
    worker: asyncio.Task[None] | None = None

    @property
    def idle(self) -> bool:
        return not self.ready and (self.worker is None or self.worker.done())

    def wants(self) -> int:
        """How many rows to take for it now (0: it has enough ahead, or must wait)."""
        if self.blocked or not self.rows:
            return 0
        room = AHEAD - len(self.ready) - self.flying
        return min(room, len(self.rows)) if room >= TOP_UP or not self.ready else 0


class Outbox:
    def __init__(
        self, db: Database, messengers: Mapping[str, Messenger], prompts: Prompts, clock: Clock
    ) -> None:
        self.db = db
        self.messengers = messengers
        self.clock = clock
        self.compose = Composer(prompts)
        self.marks = Marks(db)
        self.stopping = asyncio.Event()

    def stop(self) -> None:
        """Finish the drain under way gently (see the module's docstring); take no more."""
        self.stopping.set()

    async def drain(self, now: datetime, until: Awaitable[Any] | None = None) -> DrainReport:
        """Send everything pending that is due by ``now``.

        With ``until`` (the tick that is claiming rows), rows claimed while it runs are picked
        up and sent at once, workspace by workspace, until it is done.
        """
        report = DrainReport()
        pending = asyncio.ensure_future(until) if until is not None else None
        lanes: dict[TenantRef, Lane] = {}
        wake = asyncio.Event()  # a worker wants more, or is done, or a digest is out
        seen: set[int] = set()
        after = 0  # the newest row read: while the tick claims, only newer ones are read
        read_at = -POLL
        read_all = False
        loop = asyncio.get_running_loop()
        stopping = asyncio.ensure_future(self.stopping.wait())
        while not self.stopping.is_set():
            final = pending is None or pending.done()
            if final and not read_all:  # once, at the end: rows committed out of id order too
                read_all = True
                await self._read(now, 0, lanes, seen, report)
            elif not final and loop.time() - read_at >= POLL:
                read_at = loop.time()
                after = await self._read(now, after, lanes, seen, report)
            wake.clear()
            if await self._feed(lanes, now, report, wake):
                continue  # took some: look again at once
            if final and all(
                not lane.rows and lane.idle and not lane.blocked for lane in lanes.values()
            ):
                break
            waits: set[asyncio.Future[Any]] = {asyncio.ensure_future(wake.wait()), stopping}
            if pending is not None and not pending.done():
                waits.add(pending)
            await asyncio.wait(
                waits, timeout=None if final else POLL, return_when=asyncio.FIRST_COMPLETED
            )
            for waiter in waits - {pending, stopping}:
                waiter.cancel()
        stopping.cancel()
        if self.stopping.is_set():
            await self._wind_down(lanes, now)
        await self.marks.settled()
        report.waiting += sum(len(lane.held) for lane in lanes.values())
        return report

    async def _wind_down(self, lanes: dict[TenantRef, Lane], now: datetime) -> None:
        """Stopping: let the workers finish the sends under way, then give back what was taken
        and not sent."""
        workers = [lane.worker for lane in lanes.values() if lane.worker is not None]
        await asyncio.gather(*workers, return_exceptions=True)
        unsent = [ready for lane in lanes.values() for ready in lane.ready]
        if not unsent:
            return
        try:
            async with writing(self.db) as session:
                await session.execute(
                    DELIVERIES.update()
                    .where(DELIVERIES.c.id == bindparam("b_id"), DELIVERIES.c.status == "pending")
                    # Due again as before the take; ``taken_at`` as before it too: these never
                    # left, so no one needs to look for them on the platform.
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

    async def _read(
        self,
        now: datetime,
        after: int,
        lanes: dict[TenantRef, Lane],
        seen: set[int],
        report: DrainReport,
    ) -> int:
        """Queue the due rows with an id above ``after`` on their workspace's lane, page by
        page (reading thousands at once would stall the loop); return the newest id read."""
        while True:
            rows = await self._due(now, after)
            for delivery_id, platform, external_id, kind in rows:
                if delivery_id in seen:
                    continue
                seen.add(delivery_id)
                if platform not in self.messengers:
                    report.waiting += 1
                    continue
                tenant = TenantRef(platform, external_id)
                lane = lanes.get(tenant)
                if lane is None:
                    lane = lanes[tenant] = Lane(tenant, self.messengers[platform])
                if kind == DIGEST:  # before its items: they are replies in its thread
                    lane.rows.appendleft((delivery_id, kind))
                else:
                    lane.rows.append((delivery_id, kind))
            if rows:
                after = max(after, rows[-1][0])
            if len(rows) < PAGE:
                return after

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

    async def _feed(
        self, lanes: dict[TenantRef, Lane], now: datetime, report: DrainReport, wake: asyncio.Event
    ) -> bool:
        """Take rows for the lanes that want some, in one transaction (a digest alone: its
        lane waits until it is out), and start their workers. ``True`` if any were taken."""
        owner: dict[int, Lane] = {}
        digests: dict[int, Lane] = {}
        wanting = [lane for lane in lanes.values() if lane.wants()]
        # The neediest first, and a fair share each: no workspace waits behind the others.
        wanting.sort(key=lambda lane: len(lane.ready) + lane.flying)
        share = max(TOP_UP, TAKE // max(len(wanting), 1))
        for lane in wanting:
            wanted = min(lane.wants(), share)
            while wanted > 0 and lane.rows and len(owner) < TAKE:
                delivery_id, kind = lane.rows[0]
                if kind == DIGEST and any(o is lane for o in owner.values()):
                    break  # the digest goes on its own, next time
                lane.rows.popleft()
                owner[delivery_id] = lane
                wanted -= 1
                if kind == DIGEST:
                    lane.blocked = True
                    digests[delivery_id] = lane
                    break
        if not owner:
            return False
        held: list[int] = []
        taken = await self._take(list(owner), now, report, held)
        for ready in taken:
            lane = owner[ready.delivery_id]
            lane.ready.append(ready)
            lane.stocked.set()
            if lane.worker is None or lane.worker.done():
                lane.worker = asyncio.create_task(self._work(lane, now, report, wake))
        for delivery_id in held:
            owner[delivery_id].held.append(delivery_id)
        out = {ready.delivery_id for ready in taken}
        for delivery_id, lane in digests.items():
            if delivery_id not in out:
                lane.blocked = False  # not taken after all (sent by another outbox, or failed)
        return True

    async def _work(
        self, lane: Lane, now: datetime, report: DrainReport, wake: asyncio.Event
    ) -> None:
        """Send what is ready in one workspace, up to ``SENDERS`` at once, until it runs dry;
        a digest on its own, then the items that waited for it go back to be taken."""
        slots = asyncio.Semaphore(SENDERS)
        sending: set[asyncio.Task[None]] = set()

        def landed(task: asyncio.Task[None]) -> None:
            slots.release()
            sending.discard(task)
            lane.flying -= 1
            wake.set()

        try:
            while sending or (lane.ready and not self.stopping.is_set()):
                if self.stopping.is_set():  # what is on its way finishes and is marked
                    await asyncio.wait(set(sending))
                    continue
                if not lane.ready:
                    lane.stocked.clear()
                    wake.set()
                    stocked = asyncio.ensure_future(lane.stocked.wait())
                    stopping = asyncio.ensure_future(self.stopping.wait())
                    await asyncio.wait(
                        {stocked, stopping, *sending}, return_when=asyncio.FIRST_COMPLETED
                    )
                    stocked.cancel()
                    stopping.cancel()
                    continue
                ready = lane.ready.popleft()
                if ready.kind == DIGEST:
                    await asyncio.gather(*sending)
                await slots.acquire()
                if self.stopping.is_set():  # it stays unsent: given back with the rest
                    slots.release()
                    lane.ready.appendleft(ready)
                    continue
                lane.flying += 1
                task = asyncio.create_task(
                    self._send(lane.messenger, lane.tenant, ready, now, report)
                )
                task.add_done_callback(landed)
                sending.add(task)
                if ready.kind == DIGEST:  # its items need its message id: out and marked first
                    await asyncio.gather(*sending)
                    await self.marks.settled()
                    lane.rows.extendleft((i, DIGEST_ITEM) for i in reversed(lane.held))
                    lane.held.clear()
                    lane.blocked = False
        finally:
            for task in sending:  # cancelled (shutting down): nothing sends behind our back
                task.cancel()
            wake.set()  # the drain looks again: done, or more to take

    async def _take(
        self, ids: list[int], now: datetime, report: DrainReport, held: list[int]
    ) -> list[Ready]:
        """Take (lease) the rows of ``ids`` still pending and compose their messages, in one
        short transaction; rows another outbox took, or that were sent meanwhile, drop out.
        Digest items whose digest is not out yet are let go and added to ``held``."""
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
                            DELIVERIES.c.status == "pending",
                            DELIVERIES.c.next_attempt_at <= now,
                        )
                        .values(
                            next_attempt_at=taken_at + LEASE,
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
                    elif delivery.kind == DIGEST_ITEM:
                        delivery.next_attempt_at = now  # waits for its digest
                        if delivery.taken_at == taken_at:
                            delivery.taken_at = None  # let go unsent: nothing to look for
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
        if ready.taken_before is not None:
            found = await self._find(messenger, tenant, ready)
            if found is not None:
                log.info("delivery %s was out already (message %s)", ready.delivery_id, found)
                detail = {**ready.detail, **message.detail, **({"ts": found} if found else {})}
                self.marks.add(ready.delivery_id, self.clock.now(), detail)
                report.found += 1
                report.by_kind[ready.kind, "found"] += 1
                return
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
        report.by_kind[ready.kind, "sent"] += 1

    async def _find(self, messenger: Messenger, tenant: TenantRef, ready: Ready) -> str | None:
        """The platform's id of this row's message if an earlier try got it out after all."""
        assert ready.taken_before is not None
        message = ready.message
        to = (
            Recipient(user_id=ready.target)
            if message.channel is None
            else Recipient(channel_id=message.channel, thread_id=message.thread)
        )
        try:
            return await messenger.find_sent(tenant, to, message.body, ready.taken_before)
        except Exception as exc:  # cannot tell: sending again beats not sending at all
            log.warning("delivery %s: cannot check the platform: %s", ready.delivery_id, exc)
            return None

    async def _failed(
        self, delivery_id: int, now: datetime, exc: Exception, report: DrainReport
    ) -> None:
        log.warning("delivery %s failed: %s", delivery_id, type(exc).__name__)
        async with writing(self.db) as session:
            delivery = await session.get(Delivery, delivery_id)
            if delivery is None:
                return
            attempts = delivery.attempts + 1
            if attempts >= MAX_ATTEMPTS:
                values = {"attempts": attempts, "status": "failed"}
                report.failed += 1
                report.by_kind[delivery.kind, "failed"] += 1
            else:
                wait = timedelta(seconds=BACKOFF[min(attempts, len(BACKOFF)) - 1])
                values = {"attempts": attempts, "next_attempt_at": now + wait}
                report.retried += 1
                report.by_kind[delivery.kind, "retried"] += 1
            await session.execute(update(Delivery).where(Delivery.id == delivery_id).values(values))
