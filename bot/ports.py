"""The ports: the two the core uses for work it starts on its own, a Messenger and a Clock;
and the two it offers adapters to keep an app's installations and install states.

Adapters implement ``Messenger`` so scheduled work reaches their platform. Every run keeps
the ``SystemClock``, except the console's demo, whose ``OffsetClock`` its ``/tick`` moves
forward; tests move a ``ManualClock``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from bot.events import Button, Chart, Content, TenantRef


@dataclass(frozen=True)
class Recipient:
    """Where a message goes: a member's DM (``user_id``), or a channel or one of its threads."""

    user_id: str | None = None
    channel_id: str | None = None
    thread_id: str | None = None


class NotKnownYet(Exception):
    """A Messenger cannot say yet whether an earlier try of this message got out (the
    platform refused the lookup: rate limited, an outage), so it does not send it now. The
    outbox asks again later without counting a failed try: waiting out a platform's limit on
    lookups is not the message failing."""


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

    async def find_sent(
        self, tenant: TenantRef, to: Recipient, body: Content, since: datetime
    ) -> str | None:
        """The id of a message with ``body`` this bot sent to ``to`` since ``since``; ``None``
        when there is none, or when the platform cannot tell.

        The outbox asks before it sends a row a second time: a send cut short (a crash, a
        timeout) may have reached the platform all the same.
        """
        ...


@runtime_checkable
class ChartPoster(Protocol):
    """A Messenger that can also show pictures. Scheduled messages that come with a chart (a
    new best, the digest's team chart) send their words through the ``Messenger``, then the
    chart through this, when the platform's messenger has it."""

    async def post_chart(
        self, tenant: TenantRef, channel_id: str, chart: Chart, thread_id: str | None = None
    ) -> str:
        """Show ``chart`` in a channel (or a thread in it); return the new message's id."""
        ...

    async def send_dm_chart(self, tenant: TenantRef, user_id: str, chart: Chart) -> None:
        """Show ``chart`` in the member's DM with the coach."""
        ...


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    """Real time: what every run keeps, so no row is ever stamped in the future."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class OffsetClock:
    """The system clock, moved forward on demand: the demo's simulated time (the console's
    ``/tick 7d``), on a database thrown away when the demo ends."""

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


class InstallationVault(Protocol):
    """Where an adapter keeps its app's installations (OAuth mode): one per workspace, the
    latest; its tokens sealed at rest. Rows are mappings of the installation's fields (ids,
    names, tokens, scopes, ``installed_at``), as the platform's SDK names them."""

    async def save_installation(self, row: Mapping[str, Any]) -> None: ...

    async def save_bot(self, row: Mapping[str, Any]) -> None: ...

    async def find_installation(
        self, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> dict[str, Any] | None:
        """The latest installation; ``None`` when there is none or its tokens cannot be read."""
        ...

    async def find_bot(
        self, enterprise_id: str | None, team_id: str | None
    ) -> dict[str, Any] | None:
        """The latest bot with a token; ``None`` as for an installation."""
        ...

    async def delete_installation(
        self, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None: ...

    async def delete_bot(self, enterprise_id: str | None, team_id: str | None) -> None: ...


class OAuthStates(Protocol):
    """The states of install pages not yet answered, each consumed at most once."""

    async def issue(self, state: str, expire_at: datetime) -> None: ...

    async def consume(self, state: str, now: datetime) -> bool:
        """Whether ``state`` was issued and has not expired by ``now``; if so, it is spent."""
        ...

    async def prune(self, now: datetime, kept: int = ...) -> None:
        """Forget the states expired by ``now``, and all but the ``kept`` newest."""
        ...
