"""Shared fixtures: a real database (SQLite, and PostgreSQL when configured), a clock tests
move by hand, the coach, and console sessions that read like transcripts."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import make_url

from adapters.console import ConsoleSession
from adapters.console import render as console_render
from bot.coach import Coach
from bot.events import Event, FollowUp, Intent
from bot.ports import ManualClock
from bot.store import Database, create_engine, installations
from bot.store.db import alembic_config
from bot.store.models import Base
from tests import fakes
from tests.fakes.mlflow_server import LoggedRuns, MlflowServer
from tests.pg_schemas import Schemas
from tests.privacy import Ledger, Watch

# Each test process makes a PostgreSQL database of its own beside the configured one, at its
# start, and drops it at its end: ``test_gw0_1762074000_1a2b3c`` for worker gw0 of a run spread
# over processes (``pytest -n 2``, pytest-xdist) begun at that second, ``test_main_…`` for a
# run in one process. Runs and workers never meet, advisory locks (the scheduler's
# leadership) are per database, and no run inherits the catalog another run left behind.
WORKER = os.environ.get("PYTEST_XDIST_WORKER")  # "gw0", "gw1"… in a worker; unset otherwise
STALE_SECONDS = 24 * 3600  # a test database this old was left by a run that was killed


def own_database_url(url: str) -> str:
    """``url`` with its database renamed for this process of this run."""
    parsed = make_url(url)
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex
    name = f"{parsed.database}_{WORKER or 'main'}_{int(time.time())}_{run[:6]}"
    return parsed.set(database=name).render_as_string(hide_password=False)


PG_BASE_URL = os.environ.get("COACH_TEST_DATABASE_URL")
PG_URL = own_database_url(PG_BASE_URL) if PG_BASE_URL else None
PG_SKIP = "COACH_TEST_DATABASE_URL is not set: the PostgreSQL run of this test is skipped"
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday
PRIVACY = Ledger()  # what every test's privacy watch checked, reported at the end of the run


@pytest.fixture(autouse=True)
def privacy(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Watch]:
    """Every test: no private text (reflection, notebook, unpublished check-in, nudge) may
    reach a channel. Set up first, so it checks last, after every other fixture's teardown."""
    watch = Watch()
    fakes.created.clear()
    # Spies that only look: what the coach decides to post, what the console shows.
    handle, follow_up, show = Coach.handle, Coach.follow_up, console_render.message

    async def handled(coach: Coach, event: Event) -> list[Intent]:
        intents = await handle(coach, event)
        for intent in intents:
            watch.coach.seen(intent)
        return intents

    async def followed_up(coach: Coach, intent: FollowUp) -> list[Intent]:
        intents = await follow_up(coach, intent)
        for extra in intents:
            watch.coach.seen(extra)
        return intents

    def message(intent: Intent, me: str, channel_names: dict[str, str]) -> str | None:
        watch.console.seen(intent)
        return show(intent, me, channel_names)

    monkeypatch.setattr(Coach, "handle", handled)
    monkeypatch.setattr(Coach, "follow_up", followed_up)
    monkeypatch.setattr(console_render, "message", message)
    yield watch
    found = watch.check(fakes.created, PRIVACY, request.node.nodeid)
    fakes.created.clear()
    assert not found, "private text went to a channel:\n" + "\n".join(map(str, found))


async def _own_database(create: bool) -> None:
    """Make this process's database (dropping those killed runs left behind), or drop it."""
    assert PG_BASE_URL and PG_URL
    base, mine = make_url(PG_BASE_URL).database, make_url(PG_URL).database
    admin = create_engine(PG_BASE_URL, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            if not create:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{mine}" WITH (FORCE)'))
                return
            names = (await conn.execute(text("SELECT datname FROM pg_database"))).scalars()
            pattern = re.compile(rf"{re.escape(str(base))}_(?:gw\d+|main)_(\d+)_[0-9a-f]+")
            for name in names:
                found = pattern.fullmatch(name)
                if found and int(found[1]) < time.time() - STALE_SECONDS:
                    await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await conn.execute(text(f'CREATE DATABASE "{mine}"'))
    finally:
        await admin.dispose()


def pytest_sessionstart(session: pytest.Session) -> None:
    if PG_URL and not _controller(session):
        try:
            asyncio.run(_own_database(create=True))
        except Exception as exc:
            where = make_url(PG_URL).render_as_string(hide_password=True)
            raise pytest.UsageError(f"cannot make the test database {where}: {exc}") from exc


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if PRIVACY.tests:
        terminalreporter.write_line(PRIVACY.summary())
        for name in PRIVACY.unread:
            terminalreporter.write_line(f"  not read: {name}")
        for leak in PRIVACY.leaks:
            terminalreporter.write_line(f"  LEAK {leak}", red=True)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if PG_URL and not _controller(session):
        asyncio.run(_own_database(create=False))
    if WORKER:
        # A worker hands its counts to the process that reports (pytest_testnodedown).
        session.config.workeroutput["privacy"] = PRIVACY.as_dict()  # type: ignore[attr-defined]
    # A leak already fails its test; this makes sure the run fails even if that were lost.
    if PRIVACY.leaks and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _controller(session: pytest.Session) -> bool:
    """Is this the process that hands tests to workers (and runs none itself)?"""
    return bool(getattr(session.config.option, "numprocesses", None)) and not WORKER


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    """A worker finished (pytest-xdist): its privacy counts join the run's."""
    counts = getattr(node, "workeroutput", {}).get("privacy")
    if counts:
        PRIVACY.add(counts)


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to the newest schema once: each test gets a copy of it, which
    costs a file copy instead of every migration again."""
    path = tmp_path_factory.mktemp("template") / "coach.db"

    async def migrate() -> None:
        database = Database.from_url(f"sqlite+aiosqlite:///{path}")
        await database.upgrade()
        await database.wipe_journal()  # everything in the main file: one file to copy
        await database.dispose()

    asyncio.run(migrate())
    return path


def migrations_under_test(request: pytest.FixtureRequest) -> bool:
    """The migration tests run every migration on their own database."""
    return "migration" in request.node.nodeid


@pytest.fixture(scope="session")
def pg_schemas() -> Schemas:
    """The PostgreSQL schemas this process built for its tests and keeps between them
    (tests/pg_schemas.py); they go with the process's database at the end."""
    return Schemas()


@pytest.fixture(params=["sqlite", "postgresql"])
async def db(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    privacy: Watch,
    migrated_sqlite: Path,
    pg_schemas: Schemas,
) -> AsyncIterator[Database]:
    """A migrated, empty database: SQLite in a temp folder, or an empty PostgreSQL schema.
    Before it goes, the privacy watch reads its private texts. The schema is the migrations'
    (tests/store/test_migrations.py proves the models build the same one); outside the
    migration tests it is copied, or built from the models once and emptied between tests
    (tests/pg_schemas.py), in a fraction of the time."""
    if request.param == "sqlite":
        file = tmp_path / "coach.db"
        if migrations_under_test(request):
            database = Database.from_url(f"sqlite+aiosqlite:///{file}")
            await database.upgrade()
        else:
            shutil.copyfile(migrated_sqlite, file)
            database = Database.from_url(f"sqlite+aiosqlite:///{file}")
        yield database
        await privacy.read(database)
        await database.dispose()
        return
    if not PG_URL:
        pytest.skip(PG_SKIP)
    migrating = migrations_under_test(request)
    kept = None if migrating else pg_schemas.take()
    schema = kept or f"t_{uuid.uuid4().hex[:12]}"
    if kept is None:
        await _on_the_server(f'CREATE SCHEMA "{schema}"')
    database = Database(
        create_engine(PG_URL, connect_args={"server_settings": {"search_path": schema}})
    )
    try:
        if migrating:
            await database.upgrade()
        elif kept is None:
            async with database.engine.begin() as conn:
                await conn.run_sync(Base.metadata.create_all)
                # The Slack installation tables are kept in a metadata of their own.
                await conn.run_sync(installations.installations.metadata.create_all)
                await conn.run_sync(lambda c: command.stamp(alembic_config(c), "head"))
            async with database.engine.connect() as conn:
                await pg_schemas.built(conn, schema)
        yield database
        await privacy.read(database)
    finally:
        await _put_away(database, schema, pg_schemas)


async def _put_away(database: Database, schema: str, schemas: Schemas) -> None:
    """Keep a test's schema, emptied, for the next test; drop it if it cannot be."""
    emptied = False
    try:
        async with database.engine.begin() as conn:
            await conn.execute(text("SET LOCAL lock_timeout = '10s'"))
            emptied = await schemas.emptied(conn, schema)
    except Exception:  # a schema that cannot be emptied is dropped, as below
        emptied = False
    await database.dispose()
    if emptied:
        schemas.keep(schema)
        return
    schemas.forget(schema)
    await _on_the_server(f'DROP SCHEMA "{schema}" CASCADE')


async def _on_the_server(statement: str) -> None:
    """Run ``statement`` on this process's PostgreSQL database, on a connection of its own."""
    assert PG_URL
    admin = create_engine(PG_URL)
    try:
        async with admin.begin() as conn:
            await conn.execute(text(statement))
    finally:
        await admin.dispose()


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlflowServer]:
    """One real MLflow tracking server for the whole session (the tracker tests, the poller's)."""
    with MlflowServer(tmp_path_factory.mktemp("mlflow")) as server:
        yield server


@pytest.fixture(scope="session")
def mlflow_runs(mlflow_server: MlflowServer) -> LoggedRuns:
    """MLflow's own client on that server, to log runs as a training script would."""
    return mlflow_server.runs()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def coach(db: Database, clock: ManualClock) -> Coach:
    return Coach(db, clock)


@pytest.fixture
def exports(tmp_path: Path) -> Path:
    return tmp_path / "exports"


@pytest.fixture
def ada(coach: Coach, exports: Path) -> ConsoleSession:
    """Ada, in the console team "lab"."""
    return ConsoleSession(coach, "lab", "Ada", exports)


async def say(session: ConsoleSession, *lines: str) -> str:
    """Type each line in turn; return everything the coach answered to the last one."""
    out = ""
    for line in lines:
        out = await session.send(line)
    return out


async def transcript(session: ConsoleSession, *lines: str) -> str:
    """Type each line in turn; return every answer, joined."""
    return "\n".join([await session.send(line) for line in lines])
