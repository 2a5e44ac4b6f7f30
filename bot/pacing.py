"""Spacing out sends so platforms rarely answer 429: at most one message per interval in a
channel, a tighter interval across a whole workspace (Slack: about 1 per second per channel), and
optionally one across the whole bot, for limits that count every workspace together (Discord:
50 requests a second per bot)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

PRUNE_AT = 10_000  # forget idle keys past this many, so a long-running bot stays small


class Pacer:
    """``await pacer.wait(tenant, channel)`` before each send.

    A send that leaves late (the event loop was busy, or the process did not get the CPU) would
    leave the next ones too close behind it, and after a long pause every send due meanwhile
    would leave at once: a burst the platform refuses. So lateness beyond a quarter of the
    tightest interval (``jitter``) is made up: every send booked behind it in the same channel,
    workspace (or bot) moves back by as much. Sends are then never closer than their interval
    less ``jitter``, which a platform's own tolerance of early requests absorbs.

    >>> pacer = Pacer(per_channel=1.0, per_tenant=0.05)
    >>> shared = Pacer(per_channel=1.0, per_tenant=0.025, per_bot=0.025)  # 40/s in all
    """

    def __init__(
        self,
        per_channel: float = 1.0,
        per_tenant: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        *,
        per_bot: float = 0.0,
    ) -> None:
        self.per_channel = per_channel
        self.per_tenant = per_tenant
        self.per_bot = per_bot
        self._clock = clock
        self._sleep = sleep
        self._next: dict[tuple[str, ...], float] = {}
        # Lateness made up so far, per key: a send compares it before and after its sleep.
        self._late: dict[tuple[str, ...], float] = {}
        intervals = [i for i in (per_channel, per_tenant, per_bot) if i > 0]
        self.jitter = min(intervals, default=0.0) / 4  # lateness this small is not made up

    def reserve(self, tenant: str, channel: str) -> float:
        """Book the next free slot for this channel; return how long to wait for it."""
        now = self._clock()
        if len(self._next) > PRUNE_AT:
            self._next = {k: t for k, t in self._next.items() if t > now}
            self._late = {k: t for k, t in self._late.items() if k in self._next}
        bot_key, tenant_key, channel_key = (), (tenant,), (tenant, channel)
        # Reading and booking happen with no await between them, so concurrent senders
        # on one event loop each get their own slot.
        slot = max(
            now,
            self._next.get(bot_key, now),
            self._next.get(tenant_key, now),
            self._next.get(channel_key, now),
        )
        if self.per_bot > 0:
            self._next[bot_key] = slot + self.per_bot
        self._next[tenant_key] = slot + self.per_tenant
        self._next[channel_key] = slot + self.per_channel
        return slot - now

    async def wait(self, tenant: str, channel: str) -> None:
        keys = [
            key
            for key, interval in (
                ((), self.per_bot),
                ((tenant,), self.per_tenant),
                ((tenant, channel), self.per_channel),
            )
            if interval > 0
        ]
        seen = [self._late.get(key, 0.0) for key in keys]
        delay = self.reserve(tenant, channel)
        if delay <= 0:
            return  # no await since booking: nobody's lateness to make up, none of our own
        slot = self._clock() + delay
        await self._sleep(delay)
        while True:  # sends booked ahead of this one left late: move back behind them
            now = [self._late.get(key, 0.0) for key in keys]
            behind = max(b - a for a, b in zip(seen, now, strict=True))
            if behind <= 0:
                break
            seen, slot = now, slot + behind
            if slot > (at := self._clock()):
                await self._sleep(slot - at)
        late = self._clock() - slot - self.jitter
        if late > 0:  # the sends booked behind this one move back as far
            for key in keys:
                self._late[key] = self._late.get(key, 0.0) + late
                self._next[key] = self._next.get(key, slot) + late
