"""How the core finds platform adapters without importing them: each adapter package
registers an entry point in the ``research_coach.adapters`` group (see pyproject.toml)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from bot.checks import Check
from bot.coach import Coach
from bot.ports import Messenger, OffsetClock
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.ops import OpsServer
    from bot.schedule.runner import Scheduler

GROUP = "research_coach.adapters"


@dataclass
class RunOptions:
    """What one run shares with its adapters."""

    member: str | None = None  # the console's "--as NAME"
    # Each adapter registers its Messenger here, by platform, for the scheduler's deliveries.
    messengers: dict[str, Messenger] = field(default_factory=dict)
    # An adapter with a connection out (Discord's gateway, Slack's Socket Mode) says here, by
    # platform, whether it is up: /readyz reports it.
    connections: dict[str, Callable[[], Awaitable[bool]]] = field(default_factory=dict)
    scheduler: Scheduler | None = None
    # The demo (``research-coach console --demo``): a throw-away database, where simulated time
    # may run. Elsewhere the run keeps the system clock, so no row is ever stamped in the future.
    demo: bool = False
    clock: OffsetClock | None = None  # the demo's simulated time, moved by the console's /tick
    # The run's own server of /healthz, /readyz and /metrics, when no adapter serves HTTP.
    ops: OpsServer | None = None


class Adapter(Protocol):
    name: str

    def missing(self, settings: Settings) -> list[str]:
        """The settings this adapter still needs to start; empty when it can start."""
        ...

    def serves_http(self, settings: Settings) -> bool:
        """Whether this adapter runs an HTTP server, with the operations endpoints on it
        (``bot.ops.Probes``); when no running adapter does, the run serves them itself."""
        ...

    async def serve(self, coach: Coach, settings: Settings, options: RunOptions) -> None:
        """Run until stopped (or, for the console, until end of input)."""
        ...


@runtime_checkable
class SelfChecking(Protocol):
    """An adapter that checks its platform for ``research-coach doctor`` (optional)."""

    async def doctor(self, settings: Settings) -> list[Check]:
        """What works and what does not, e.g. tokens, scopes, reachability; called only when
        ``missing(settings)`` is empty. Never put a secret in a check."""
        ...


def discover() -> dict[str, Adapter]:
    """Every installed adapter by name, e.g. ``discover()["console"]``."""
    found: dict[str, Adapter] = {}
    for point in entry_points(group=GROUP):
        adapter = point.load()()
        found[adapter.name] = adapter
    return found
