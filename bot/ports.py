"""The two ports the core uses for work it starts on its own: a Messenger and a Clock.

Adapters implement ``Messenger`` so scheduled work reaches their platform; tests and the
console move a ``ManualClock``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.events import Button, Content, TenantRef


class Messenger(Protocol):
    """How the core reaches people when no event asked it to (scheduled prompts, digests)."""

    async def send_dm(
        self, tenant: TenantRef, user_id: str, body: Content, buttons: tuple[Button, ...] = ()
    ) -> None: ...

    async def post(
        self, tenant: TenantRef, channel_id: str, body: Content, thread_id: str | None = None
    ) -> str:
        """Post to a channel (or a thread in it); return the new message's id."""
        ...


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class OffsetClock:
    """The system clock, moved forward on demand (the console's ``/tick 7d``)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


class ManualClock:
    """A clock that only moves when told to, e.g. ``clock.advance(timedelta(days=7))``."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime.now(UTC)
        if self._now.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta
