"""SQLite migrations that rebuild a table (batch mode) keep every row of the tables that point
at it: the rebuild drops and recreates the parent, which with foreign keys on would cascade."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command as command_
from sqlalchemy import text
from sqlalchemy.engine import Connection

from bot.coach import Coach
from bot.store import Database
from bot.store.db import alembic_config
from tests.coach.helpers import check_in, command, dm, member, set_goal
from tests.conftest import START, ManualClock

COUNTED = (
    "tenants",
    "members",
    "goals",
    "checkins",
    "metric_points",
    "reflections",
    "notebook_entries",
    "best_works",
    "nudge_records",
    "drafts",
    "deliveries",
)


async def counts(db: Database) -> dict[str, int]:
    async with db.session() as session:
        return {
            table: (await session.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()
            for table in COUNTED
        }


def foreign_keys_on(connection: Connection) -> int:
    return int(connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one())


async def test_downgrade_and_upgrade_keep_every_child_row(tmp_path: Path) -> None:
    db = Database.from_url(f"sqlite+aiosqlite:///{tmp_path / 'coach.db'}")
    await db.upgrade()
    coach = Coach(db, ManualClock(START))
    try:
        ada, grace = member(), member("U2", "Grace")
        for actor in (ada, grace):
            await set_goal(coach, actor, baseline="0.50", target="0.90")
            await check_in(coach, actor, metric_value="0.70")
            await check_in(coach, actor, metric_value="0.60", failed="The run diverged")
            await command(coach, actor, "log", "Warmup matters more than expected")
            await command(coach, actor, "wins", "add Geometry prover")
            await dm(coach, actor, "hello")
        before = await counts(db)
        assert all(before[t] > 0 for t in ("members", "goals", "checkins", "metric_points"))
        assert before["notebook_entries"] == 2

        async with db.engine.begin() as conn:
            await conn.run_sync(lambda c: command_.downgrade(alembic_config(c), "0007"))
        assert (await db.revisions())[0] == "0007"
        await db.upgrade()

        assert await counts(db) == before
        async with db.engine.connect() as conn:  # back on for the coach's own work
            assert await conn.run_sync(foreign_keys_on) == 1
    finally:
        await db.dispose()


async def test_a_migration_that_leaves_a_dangling_row_is_refused(tmp_path: Path) -> None:
    db = Database.from_url(f"sqlite+aiosqlite:///{tmp_path / 'coach.db'}")
    await db.upgrade()
    coach = Coach(db, ManualClock(START))
    try:
        await set_goal(coach, member())
        async with db.engine.begin() as conn:
            await conn.run_sync(lambda c: command_.downgrade(alembic_config(c), "0010"))
        async with db.engine.begin() as conn:  # a member removed behind the keys' back
            await conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            await conn.exec_driver_sql("DELETE FROM members")
        with pytest.raises(RuntimeError, match="goals"):
            await db.upgrade()
        assert (await db.revisions())[0] == "0010"
    finally:
        await db.dispose()
