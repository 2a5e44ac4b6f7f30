"""Handled deliveries are remembered as long as a platform may retry them, and no longer: a
busy workspace does not grow a row per message for good."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.events import TenantRef
from bot.store import Database
from bot.store.models import ProcessedEvent
from bot.store.repos import EVENT_MEMORY
from tests.conftest import START

LAB = TenantRef("slack", "T1")


async def remembered(db: Database) -> int:
    async with db.session() as session:
        return int((await session.execute(select(func.count(ProcessedEvent.id)))).scalar_one())


async def test_old_deliveries_are_forgotten_and_retries_still_dropped(db: Database) -> None:
    async with db.scope(LAB, START) as scope:
        assert all([await scope.first_time(f"message:{n}", START) for n in range(300)])
        assert not await scope.first_time("message:7", START + timedelta(minutes=5))  # a retry
    assert await remembered(db) == 300

    later = START + EVENT_MEMORY + timedelta(seconds=1)
    async with db.scope(TenantRef("slack", "T2"), later) as other:
        assert await other.first_time("message:1", later)  # another workspace forgets nothing
    assert await remembered(db) == 301
    async with db.scope(LAB, later) as scope:
        assert await scope.first_time("message:300", later)
    assert await remembered(db) == 2
