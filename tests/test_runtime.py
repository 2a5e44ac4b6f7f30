"""The runtime: a run starts its parts and adapters, answers ready, stops in order on SIGTERM,
says clearly when its database is dead, and keeps real time everywhere but in the demo.

The adapter here is a test run's own ("probe"): it attaches a messenger and a connection
check as a platform adapter does, and notes what it saw when it was stopped."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grimp
import httpx
import pytest

from adapters.slack.app import SlackAdapter
from bot import analysis
from bot import runtime as runtime_module
from bot.adapter import Adapter, RunOptions
from bot.charts import worker
from bot.coach import Coach
from bot.ports import ManualClock, OffsetClock, SystemClock
from bot.runtime import DatabaseUnavailable, Runtime, chart_links
from bot.settings import Settings
from tests.schedule.helpers import RecordingMessenger

PASSWORD = "s3cr3t-pw"
DEAD_DATABASE = f"postgresql+asyncpg://coach:{PASSWORD}@127.0.0.1:1/none"


class Probe:
    """A platform adapter of the test's own: a connection out, up until told otherwise."""

    name = "probe"

    def __init__(self) -> None:
        self.messenger = RecordingMessenger(ManualClock())  # no tenant of its platform: idle
        self.up = True
        self.serving = asyncio.Event()
        self.options: RunOptions | None = None
        self.stopped = False
        self.scheduler_stopping_when_stopped: bool | None = None

    def missing(self, settings: Settings) -> list[str]:
        return []

    def serves_http(self, settings: Settings) -> bool:
        return False  # the run serves the operations endpoints itself

    async def connected(self) -> bool:
        return self.up

    async def serve(self, coach: Coach, settings: Settings, options: RunOptions) -> None:
        self.options = options
        options.platforms.attach(self.name, self.messenger)
        options.platforms.watch(self.name, self.connected)
        self.serving.set()
        try:
            await asyncio.Event().wait()
        finally:
            assert options.scheduler is not None
            self.scheduler_stopping_when_stopped = options.scheduler.outbox.stopping.is_set()
            self.stopped = True
            options.platforms.detach(self.name)


@pytest.fixture(autouse=True)
def analysis_as_it_was() -> Iterator[None]:
    """A run chooses the analyser for the whole process: give the other tests theirs back."""
    state = analysis._state
    kept = (state.enabled, state.model_file, state.analyzer, state.error)
    yield
    state.enabled, state.model_file, state.analyzer, state.error = kept


def settings_for(folder: Path, **values: Any) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        data_dir=folder / "data",
        analysis_model=False,
        http_port=0,
        tick_seconds=3600,
        **values,
    )


def probe_run(folder: Path, **values: Any) -> tuple[Runtime, Probe]:
    probe = Probe()
    adapters: dict[str, Adapter] = {"probe": probe}
    return Runtime(settings_for(folder, **values), ["probe"], adapters=adapters), probe


async def until(event: asyncio.Event, run: asyncio.Task[None]) -> None:
    """Wait for ``event``; a run that ends first shows why (a guard against a hang, not a
    measurement)."""
    async with asyncio.timeout(30):
        waiting = asyncio.ensure_future(event.wait())
        await asyncio.wait({waiting, run}, return_when=asyncio.FIRST_COMPLETED)
    if not waiting.done():
        waiting.cancel()
        run.result()  # raises what ended the run
        raise AssertionError("the run ended before its adapter served")


# --- start, ready, stop -----------------------------------------------------------------------


async def test_a_run_starts_its_adapter_answers_ready_and_stops(tmp_path: Path) -> None:
    runtime, probe = probe_run(tmp_path)
    run = asyncio.create_task(runtime.run())
    try:
        await until(probe.serving, run)
        assert runtime.ops_port  # a platform with no HTTP server of its own: the run serves them
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{runtime.ops_port}", timeout=10
        ) as http:
            ready = await http.get("/readyz")
            probe.up = False  # its connection out dropped
            not_ready = await http.get("/readyz")
        # The scheduler reaches the platform through the messenger the adapter attached.
        assert probe.options is not None
        assert probe.options.platforms.messengers == {"probe": probe.messenger}
    finally:
        run.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await run
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ok",
        "database": "ok",
        "adapters": {"probe": "connected"},
        "scheduler": "leader",
    }
    assert not_ready.status_code == 503
    assert not_ready.json()["adapters"] == {"probe": "disconnected"}
    # Stopped: the adapter, its messenger detached, the ops server closed, the database let go.
    assert probe.stopped and probe.options.platforms.messengers == {}
    assert runtime.ops is None and runtime.db is None and runtime.scheduler is None
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient(timeout=10) as http:
            await http.get(f"http://127.0.0.1:{runtime.ops_port}/healthz")


async def test_the_options_an_adapter_gets_are_read_only(tmp_path: Path) -> None:
    runtime, probe = probe_run(tmp_path)
    run = asyncio.create_task(runtime.run())
    try:
        await until(probe.serving, run)
        options = probe.options
        assert options is not None and options.scheduler is runtime.scheduler
        with pytest.raises(AttributeError):
            options.scheduler = None  # type: ignore[misc]
        with pytest.raises(TypeError):  # the scheduler's view of the messengers
            options.platforms.messengers["other"] = probe.messenger  # type: ignore[index]
    finally:
        run.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await run


async def test_sigterm_stops_the_scheduler_first_then_the_adapters_and_the_run_returns(
    tmp_path: Path,
) -> None:
    before = signal.getsignal(signal.SIGTERM)
    runtime, probe = probe_run(tmp_path)
    run = asyncio.create_task(runtime.run())
    await until(probe.serving, run)
    # The run's event loop takes SIGTERM now (else it would end this test process).
    assert signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, signal.SIG_IGN, None)
    signal.raise_signal(signal.SIGTERM)
    async with asyncio.timeout(30):  # a guard against a hang, not a measurement
        await run  # returns: a stop asked for is a normal end
    assert probe.stopped
    # The scheduler had stopped taking work before the adapter was stopped: the sends under
    # way could finish while the platform was still connected.
    assert probe.scheduler_stopping_when_stopped is True
    assert runtime.db is None and runtime.ops is None
    assert signal.getsignal(signal.SIGTERM) == before  # the run gave the signal back


class Visit(Probe):
    """An adapter whose work ends by itself, as the console's at the end of its input."""

    async def serve(self, coach: Coach, settings: Settings, options: RunOptions) -> None:
        options.platforms.attach(self.name, self.messenger)
        self.serving.set()


def test_a_process_run_ends_with_its_adapters_and_gives_sigterm_back(tmp_path: Path) -> None:
    before = signal.getsignal(signal.SIGTERM)
    visit = Visit()
    runtime = Runtime(settings_for(tmp_path), ["probe"], adapters={"probe": visit})
    runtime.run_process()  # returns: the only adapter is done
    assert visit.serving.is_set() and runtime.db is None
    assert signal.getsignal(signal.SIGTERM) == before


# --- a dead database --------------------------------------------------------------------------


async def test_a_dead_database_at_start_is_answered_clearly_and_nothing_starts(
    tmp_path: Path,
) -> None:
    before = signal.getsignal(signal.SIGTERM)
    runtime, probe = probe_run(tmp_path, database_url=DEAD_DATABASE)
    with pytest.raises(DatabaseUnavailable) as refused:
        await runtime.run()
    error = refused.value
    assert error.where == "postgresql+asyncpg://coach:***@127.0.0.1:1/none"
    assert error.cause.isidentifier()  # the error's type, e.g. ConnectionRefusedError
    assert PASSWORD not in str(error)
    # The driver's own message (which may quote the URL) is not chained to it either.
    assert error.__cause__ is None and error.__suppress_context__
    assert not probe.serving.is_set()
    assert runtime.scheduler is None and runtime.ops is None and runtime.coach is None
    assert signal.getsignal(signal.SIGTERM) == before


# --- time -------------------------------------------------------------------------------------


async def test_run_and_console_keep_the_system_clock(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    plain = Runtime.for_run(settings)  # what `research-coach run` starts (no tokens: console)
    assert [a.name for a in plain.running] == ["console"]
    for runtime in (plain, Runtime.for_console(settings, member="ada")):
        assert isinstance(runtime.clock, SystemClock) and runtime.simulated is None
    await plain.start()
    try:
        assert plain.coach is not None and plain.scheduler is not None
        assert plain.coach.clock is plain.clock and plain.scheduler.clock is plain.clock
        assert plain.options is not None and plain.options.clock is None  # /tick is refused
    finally:
        await plain.stop()
    assert (settings.data_dir / "coach.db").exists()


async def test_only_the_demo_moves_time_on_a_throwaway_database(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    demo = Runtime.for_console(settings, demo=True)  # `research-coach console --demo`
    assert isinstance(demo.clock, OffsetClock) and demo.simulated is demo.clock
    await demo.start()
    try:
        assert demo.coach is not None and demo.coach.clock is demo.clock
        assert demo.options is not None and demo.options.clock is demo.clock
        throwaway = demo.settings.data_dir
        assert throwaway != settings.data_dir and throwaway.is_dir()
    finally:
        await demo.stop()
    assert not throwaway.exists()
    assert not settings.data_dir.exists()  # the member's data folder was not touched
    assert demo.settings is settings


# --- where the runtime sits -------------------------------------------------------------------


@pytest.fixture(scope="module")
def imports() -> grimp.ImportGraph:
    return grimp.build_graph("bot", cache_dir=None)


@pytest.mark.parametrize(
    "lower",
    ["events", "ports", "settings", "prompts", "store", "analysis", "llm", "schedule", "coach"],
)
def test_no_layer_below_the_runtime_imports_it(imports: grimp.ImportGraph, lower: str) -> None:
    assert not imports.find_shortest_chains(importer=f"bot.{lower}", imported="bot.runtime")


def test_the_runtime_never_imports_the_cli_and_the_cli_calls_it(
    imports: grimp.ImportGraph,
) -> None:
    assert not imports.find_shortest_chains(importer="bot.runtime", imported="bot.cli")
    assert imports.direct_import_exists(importer="bot.cli", imported="bot.runtime")


def test_chart_links_are_served_only_for_slack_in_http_mode_with_a_public_url(
    tmp_path: Path,
) -> None:
    """Slack's App Home fetches each goal's chart from a signed link under COACH_PUBLIC_URL:
    only a run with Slack serving HTTP (its signing secret keys the links) and that URL."""
    slack: list[Adapter] = [SlackAdapter()]
    base = {"slack_bot_token": "xoxb-1-2-abc", "slack_signing_secret": "s" * 32}
    http = settings_for(tmp_path, public_url="https://coach.example.org", **base)
    socket = settings_for(
        tmp_path, public_url="https://coach.example.org", slack_app_token="xapp-1-2", **base
    )
    no_url = settings_for(tmp_path, **base)
    db = object()  # not used to build the links

    links = chart_links(db, ManualClock(), slack, http)  # type: ignore[arg-type]
    assert links is not None and links.base == "https://coach.example.org"
    assert chart_links(db, ManualClock(), slack, socket) is None  # type: ignore[arg-type]
    assert chart_links(db, ManualClock(), slack, no_url) is None  # type: ignore[arg-type]
    assert chart_links(db, ManualClock(), [Probe()], http) is None  # type: ignore[arg-type]


async def test_a_platform_run_starts_the_chart_worker_soon_after_start_and_stops_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first member to ask for a chart does not wait for the worker to start; a stopped
    run leaves no worker behind."""
    monkeypatch.setattr(runtime_module, "WARM_UP_AFTER", 0.0)
    runtime, probe = probe_run(tmp_path)
    run = asyncio.create_task(runtime.run())
    try:
        await until(probe.serving, run)
        assert runtime._warming is not None
        await runtime._warming
        assert worker._pool is not None  # started, with matplotlib loaded
    finally:
        run.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await run
    assert worker._pool is None
