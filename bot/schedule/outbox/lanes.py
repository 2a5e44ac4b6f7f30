"""Workspaces side by side: each has a lane of rows to take, messages ready to send and sends in
flight. Rows are taken a batch at a time for every lane that wants some, the neediest first, a
fair share each, so that no workspace waits behind the others. A digest is taken on its own and
holds its lane until it is out: its items are replies in its thread and need its message id."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from bot.events import TenantRef
from bot.ports import Messenger
from bot.schedule.outbox.lease import Due, Ready
from bot.store.deliveries import DeliveryKind

AHEAD = 32  # messages taken (leased, composed) ahead of the sends, per workspace
TOP_UP = 8  # a workspace is topped up once this many of them are out
# Rows taken and composed in one transaction, for all workspaces. While a tick claims, the
# outbox writes only between its batches (SQLite, bot.schedule.writes): one take there must
# hold what every workspace sends meanwhile, or the last ones run dry.
TAKE = 300


@dataclass(eq=False)
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

    @property
    def done(self) -> bool:
        """Nothing left to take, to send, or to wait for."""
        return not self.rows and self.idle and not self.blocked

    def wants(self) -> int:
        """How many rows to take for it now (0: it has enough ahead, or must wait)."""
        if self.blocked or not self.rows:
            return 0
        room = AHEAD - len(self.ready) - self.flying
        return min(room, len(self.rows)) if room >= TOP_UP or not self.ready else 0

    @property
    def short(self) -> bool:
        """It has rows to take and fewer than ``TOP_UP`` messages ready or on their way: a
        take for it should not wait."""
        return bool(self.rows) and len(self.ready) + self.flying < TOP_UP and self.wants() > 0

    def digest_out(self) -> None:
        """Its digest is out and marked: the items that waited for it are taken next."""
        self.rows.extendleft((i, DeliveryKind.DIGEST_ITEM) for i in reversed(self.held))
        self.held.clear()
        self.blocked = False


@dataclass
class Take:
    """The rows chosen for one take, and the lane each is for."""

    owner: dict[int, Lane] = field(default_factory=dict)
    digests: dict[int, Lane] = field(default_factory=dict)  # taken alone, blocking their lane

    @property
    def ids(self) -> list[int]:
        return list(self.owner)

    def deal(self, taken: Iterable[Ready], held: Iterable[int]) -> list[Lane]:
        """Hand what was taken to its lanes; return the lanes that got messages to send."""
        stocked: dict[TenantRef, Lane] = {}
        out = set()
        for ready in taken:
            lane = self.owner[ready.delivery_id]
            lane.ready.append(ready)
            lane.stocked.set()
            stocked.setdefault(lane.tenant, lane)
            out.add(ready.delivery_id)
        for delivery_id in held:
            self.owner[delivery_id].held.append(delivery_id)
        for delivery_id, lane in self.digests.items():
            if delivery_id not in out:
                lane.blocked = False  # not taken after all (sent by another outbox, or failed)
        return list(stocked.values())


class Lanes:
    """The lanes of one drain, by workspace, for the platforms this process has a Messenger
    for."""

    def __init__(self, messengers: Mapping[str, Messenger]) -> None:
        self.messengers = messengers
        self._lanes: dict[TenantRef, Lane] = {}
        self._seen: set[int] = set()

    def __iter__(self) -> Iterator[Lane]:
        return iter(self._lanes.values())

    @property
    def done(self) -> bool:
        return all(lane.done for lane in self)

    @property
    def pressing(self) -> bool:
        """A take should not wait for its turn: a lane runs short, or together they want a
        whole take."""
        wanted = 0
        for lane in self:
            if lane.short:
                return True
            wanted += lane.wants()
        return wanted >= TAKE

    def queue(self, rows: Iterable[Due]) -> int:
        """Queue rows not seen before on their workspace's lane (a digest first: its items
        are replies in its thread); return how many wait for a platform not running here."""
        waiting = 0
        for row in rows:
            if row.delivery_id in self._seen:
                continue
            self._seen.add(row.delivery_id)
            messenger = self.messengers.get(row.platform)
            if messenger is None:
                waiting += 1
                continue
            tenant = TenantRef(row.platform, row.tenant)
            lane = self._lanes.get(tenant)
            if lane is None:
                lane = self._lanes[tenant] = Lane(tenant, messenger)
            if row.kind == DeliveryKind.DIGEST:
                lane.rows.appendleft((row.delivery_id, row.kind))
            else:
                lane.rows.append((row.delivery_id, row.kind))
        return waiting

    def choose(self) -> Take:
        """Rows to take now, up to ``TAKE``: for the lanes that want some, the neediest first
        and a fair share each; a digest alone, blocking its lane until it is out."""
        chosen = Take()
        wanting = [lane for lane in self if lane.wants()]
        wanting.sort(key=lambda lane: len(lane.ready) + lane.flying)
        share = max(TOP_UP, TAKE // max(len(wanting), 1))
        for lane in wanting:
            wanted = min(lane.wants(), share)
            while wanted > 0 and lane.rows and len(chosen.owner) < TAKE:
                delivery_id, kind = lane.rows[0]
                if kind == DeliveryKind.DIGEST and any(o is lane for o in chosen.owner.values()):
                    break  # the digest goes on its own, next time
                lane.rows.popleft()
                chosen.owner[delivery_id] = lane
                wanted -= 1
                if kind == DeliveryKind.DIGEST:
                    lane.blocked = True
                    chosen.digests[delivery_id] = lane
                    break
        return chosen
