"""The small surface the core offers platform adapters, and how it finds them: each adapter
package registers an entry point in the ``research_coach.adapters`` group (see pyproject.toml).

The runtime (``bot.runtime``) gives each adapter a ``RunOptions``, read only; an adapter
reports back through the run's ``Roster``: the messenger scheduled work reaches its platform
through, and whether its connection out is up.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from types import MappingProxyType
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from aiohttp import web

from bot.checks import Check
from bot.coach import Coach
from bot.ports import InstallationVault, Messenger, OAuthStates, OffsetClock
from bot.settings import Settings
from bot.store.installations import Installations, InstallStates

if TYPE_CHECKING:
    from bot.schedule.runner import Scheduler

GROUP = "research_coach.adapters"

# Is the adapter's connection out (Discord's gateway, Slack's Socket Mode) up right now?
ConnectionCheck = Callable[[], Awaitable[bool]]


class Roster:
    """The platforms one run reaches people through, as their adapters report them.

    >>> roster.attach("discord", messenger)  # scheduled deliveries to Discord go through it
    >>> roster.watch("discord", client_is_connected)  # /readyz asks it
    >>> roster.detach("discord")  # stopped: deliveries wait for the next start
    """

    def __init__(self) -> None:
        self._messengers: dict[str, Messenger] = {}
        self._checks: dict[str, ConnectionCheck] = {}
        # A live, read-only view: the scheduler's outbox looks a platform up at each send.
        self.messengers: Mapping[str, Messenger] = MappingProxyType(self._messengers)

    def attach(self, platform: str, messenger: Messenger) -> None:
        """From now on, scheduled work for ``platform`` is sent through ``messenger``."""
        self._messengers[platform] = messenger

    def watch(self, platform: str, connected: ConnectionCheck) -> None:
        """``platform`` holds a connection out: readiness asks ``connected`` whether it is up."""
        self._checks[platform] = connected

    def unwatch(self, platform: str) -> None:
        """``platform`` no longer holds a connection out (it is closing)."""
        self._checks.pop(platform, None)

    def detach(self, platform: str) -> None:
        """``platform``'s adapter stopped: a stopped client cannot send, so scheduled
        deliveries for it wait for the next start."""
        self._messengers.pop(platform, None)
        self._checks.pop(platform, None)

    def connections(self) -> dict[str, ConnectionCheck | None]:
        """Each attached platform, by name, with its connection check; ``None`` when it has
        no connection to lose (a server that is called, a terminal)."""
        return {name: self._checks.get(name) for name in sorted(self._messengers)}


@dataclass(frozen=True)
class RunOptions:
    """What the runtime gives each adapter for one run; read only. The adapter answers through
    ``platforms``."""

    member: str | None = None  # the console's "--as NAME"
    platforms: Roster = field(default_factory=Roster)
    scheduler: Scheduler | None = None  # the console's /tick runs it at once
    # Simulated time, moved by the console's /tick: only in the demo (``console --demo``), whose
    # database is thrown away. Elsewhere ``None``: a real run keeps the system clock, so no row
    # is ever stamped in the future.
    clock: OffsetClock | None = None
    # What an adapter with an HTTP server serves beside its own routes and the probes: the
    # push endpoint scripts record values through (``bot.push``). Empty in a console-only run.
    routes: Sequence[web.RouteDef] = ()


class Adapter(Protocol):
    name: str

    def missing(self, settings: Settings) -> list[str]:
        """The settings this adapter still needs to start; empty when it can start."""
        ...

    def serves_http(self, settings: Settings) -> bool:
        """Whether this adapter runs an HTTP server, with the operations endpoints on it
        (``bot.ops.Probes``) and ``RunOptions.routes``; when no running adapter does, the run
        serves them itself."""
        ...

    async def serve(self, coach: Coach, settings: Settings, options: RunOptions) -> None:
        """Run until stopped (or, for the console, until end of input), its messenger attached
        to ``options.platforms`` while it can send."""
        ...


@runtime_checkable
class SelfChecking(Protocol):
    """An adapter that checks its platform for ``research-coach doctor`` (optional)."""

    async def doctor(self, settings: Settings) -> list[Check]:
        """What works and what does not, e.g. tokens, scopes, reachability; called only when
        ``missing(settings)`` is empty. Never put a secret in a check."""
        ...


def oauth_stores(
    coach: Coach, client_id: str, keys: list[str]
) -> tuple[InstallationVault, OAuthStates]:
    """Where an adapter in OAuth mode keeps its app's installations (one per workspace, tokens
    sealed with ``keys``, newest first) and its install pages' states: the coach's database."""
    return Installations(coach.db, client_id, keys), InstallStates(coach.db)


def discover() -> dict[str, Adapter]:
    """Every installed adapter by name, e.g. ``discover()["console"]``."""
    found: dict[str, Adapter] = {}
    for point in entry_points(group=GROUP):
        adapter = point.load()()
        found[adapter.name] = adapter
    return found
