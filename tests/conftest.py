"""Shared fixtures: a real database (SQLite, and PostgreSQL when configured), a clock tests
move by hand, the coach, and console sessions that read like transcripts."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from adapters.console import ConsoleSession
from bot.coach import Coach
from bot.ports import ManualClock
from bot.store import Database, create_engine

PG_URL = os.environ.get("COACH_TEST_DATABASE_URL")
PG_SKIP = "COACH_TEST_DATABASE_URL is not set: the PostgreSQL run of this test is skipped"
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday


@pytest.fixture(params=["sqlite", "postgresql"])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated, empty database: SQLite in a temp folder, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        database = Database.from_url(f"sqlite+aiosqlite:///{tmp_path / 'coach.db'}")
        await database.upgrade()
        yield database
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
        await database.upgrade()
        yield database
    finally:
        await database.dispose()
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


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
