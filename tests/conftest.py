"""Shared fixtures: a real database (SQLite, and PostgreSQL when configured), a clock tests
move by hand, the coach, and console sessions that read like transcripts."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

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
from tests.privacy import Ledger, Watch

PG_URL = os.environ.get("COACH_TEST_DATABASE_URL")
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


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if PRIVACY.tests:
        terminalreporter.write_line(PRIVACY.summary())
        for name in PRIVACY.unread:
            terminalreporter.write_line(f"  not read: {name}")
        for leak in PRIVACY.leaks:
            terminalreporter.write_line(f"  LEAK {leak}", red=True)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # A leak already fails its test; this makes sure the run fails even if that were lost.
    if PRIVACY.leaks and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


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


@pytest.fixture(params=["sqlite", "postgresql"])
async def db(
    request: pytest.FixtureRequest, tmp_path: Path, privacy: Watch, migrated_sqlite: Path
) -> AsyncIterator[Database]:
    """A migrated, empty database: SQLite in a temp folder, or a fresh PostgreSQL schema.
    Before it goes, the privacy watch reads its private texts. The schema is the migrations'
    (tests/store/test_migrations.py proves the models build the same one); outside the
    migration tests it is copied or built from the models, in a fraction of the time."""
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
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    database = Database(
        create_engine(PG_URL, connect_args={"server_settings": {"search_path": schema}})
    )
    try:
        if migrations_under_test(request):
            await database.upgrade()
        else:
            async with database.engine.begin() as conn:
                await conn.run_sync(Base.metadata.create_all)
                # The Slack installation tables are kept in a metadata of their own.
                await conn.run_sync(installations.installations.metadata.create_all)
                await conn.run_sync(lambda c: command.stamp(alembic_config(c), "head"))
        yield database
        await privacy.read(database)
    finally:
        await database.dispose()
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
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
