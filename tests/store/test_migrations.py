"""Alembic migrations build the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import command as command_
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from bot.coach import Coach
from bot.events import Reply
from bot.store import Database
from bot.store.db import alembic_config, include_name
from bot.store.models import Base, CheckIn, Goal
from tests.coach.helpers import check_in, command, member, only, rows, set_goal, text
from tests.conftest import START, ManualClock


def _diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(
        connection,
        opts={
            "compare_type": True,
            "include_name": include_name,
        },
    )
    return list(compare_metadata(context, Base.metadata))


async def test_migrated_schema_matches_the_models(db: Database) -> None:
    current, head = await db.revisions()
    assert current == head is not None
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_diff) == []


async def test_downgrade_to_base_and_upgrade_again(db: Database) -> None:
    async with db.engine.begin() as conn:
        await conn.run_sync(lambda c: command_.downgrade(alembic_config(c), "base"))
    assert (await db.revisions())[0] is None
    await db.upgrade()
    await db.upgrade()  # a second upgrade is a no-op
    current, head = await db.revisions()
    assert current == head


async def test_numbers_kept_as_typed_and_rows_from_before_shown_from_their_value(
    db: Database,
) -> None:
    coach = Coach(db, ManualClock(START))
    await set_goal(coach, member(), direction="up", baseline="0.50", target="0.90")
    await check_in(coach, member(), metric_value="0.70")
    shown = text(only(await command(coach, member(), "goal", "show 1"), Reply))
    assert (
        "best 0.70 (target 0.90)" in shown and "Baseline 0.50. Recent values: 0.50 → 0.70" in shown
    )

    # Back to the schema before the typed text (its columns dropped), then up again: those
    # rows have no text, and are shown as they were before it was kept.
    async with db.engine.begin() as conn:
        await conn.run_sync(lambda c: command_.downgrade(alembic_config(c), "0010"))
        names = await conn.run_sync(lambda c: [c["name"] for c in inspect(c).get_columns("goals")])
    assert "baseline_text" not in names and "baseline" in names
    await db.upgrade()
    (goal,) = await rows(coach, Goal)
    assert (goal.baseline, goal.baseline_text, goal.current_best_text) == (0.5, None, None)
    (checkin,) = await rows(coach, CheckIn)
    assert (checkin.metric_value, checkin.metric_value_text) == (0.7, None)
    shown = text(only(await command(coach, member(), "goal", "show 1"), Reply))
    assert "best 0.7 (target 0.9)" in shown and "Baseline 0.5. Recent values: 0.5 → 0.7" in shown
