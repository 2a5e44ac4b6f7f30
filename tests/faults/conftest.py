"""Fixtures of the fault tests: PostgreSQL behind a proxy the test can cut, and Slack (the real
Bolt app on our real HTTP server) talking to the fake Slack."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.coach import Coach
from bot.ports import ManualClock
from bot.store import Database, create_engine
from tests.adapters.slack.conftest import TOKENS
from tests.conftest import PG_SKIP, PG_URL
from tests.fakes.proxy import TcpProxy
from tests.fakes.slack import FakeSlack

MONDAY_TEN = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # the teams' weekly check-in time


@pytest.fixture
async def coach(tmp_path: Path) -> AsyncIterator[Coach]:
    """The coach on its own SQLite file, its clock on Monday 10:00 UTC."""
    db = Database.from_url(f"sqlite+aiosqlite:///{tmp_path / 'coach.db'}")
    await db.upgrade()
    yield Coach(db, ManualClock(MONDAY_TEN))
    await db.dispose()


@dataclass
class CuttableDatabase:
    """A migrated, empty PostgreSQL schema that the coach reaches only through ``proxy``."""

    db: Database
    proxy: TcpProxy


@pytest.fixture
async def cuttable() -> AsyncIterator[CuttableDatabase]:
    if not PG_URL:
        pytest.skip(PG_SKIP)
    target = urlsplit(PG_URL)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        async with TcpProxy(target.hostname or "127.0.0.1", target.port or 5432) as proxy:
            url = make_url(PG_URL).set(host="127.0.0.1", port=proxy.port)
            engine = create_engine(
                url.render_as_string(hide_password=False),
                connect_args={"server_settings": {"search_path": schema}},
            )
            database = Database(engine)
            try:
                await database.upgrade()
                yield CuttableDatabase(database, proxy)
            finally:
                await database.dispose()
    finally:
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        for team, token in TOKENS.items():
            fake.add_workspace(team, token)
            fake.invite(team, "C1")  # the team channel, where the bot was invited at install
        yield fake
