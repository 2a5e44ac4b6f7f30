"""``/checkin`` answered from the coach's view of the member: the modal goes out without waiting
on the database, and the coach still records the turn; a changed goal is never shown stale."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from sqlalchemy import select, update

from bot.coach import Coach
from bot.ports import ManualClock
from bot.store.models import Member
from tests.adapters.discord.test_commands import field_names, set_goal
from tests.adapters.discord.transcript import WAIT, Answer, Researcher


@asynccontextmanager
async def store_held(coach: Coach, user_id: str) -> AsyncIterator[None]:
    """The member's row locked by another writer for the block: a turn of the coach, which
    writes when they were last seen, waits until it ends (SQLite and PostgreSQL alike)."""
    async with coach.db.session() as session:
        await session.execute(
            update(Member).where(Member.user_id == user_id).values(display_name="Ada")
        )
        yield


async def slash_checkin(who: Researcher) -> tuple[dict[str, object], Answer]:
    """``/checkin``: its first response as soon as Discord has it, then the whole answer."""
    payload = who._interaction(2, {"id": "1", "name": "checkin", "type": 1}, None, in_dm=False)
    interaction_id = int(payload["id"])
    fake = who.fake
    async with store_held(who.bot.coach, who.user_id):
        answered = asyncio.ensure_future(who._send(payload))
        await fake.wait_until(lambda: bool(fake.answers_to(interaction_id)), WAIT)
        first = fake.answers_to(interaction_id)[0].json
    return first, await answered


async def test_a_second_checkin_opens_its_modal_while_the_store_is_busy(
    ada: Researcher, coach: Coach, clock: ManualClock
) -> None:
    await set_goal(ada)
    opened = await ada.slash("checkin")  # the coach's answer, kept in its view
    clock.advance(timedelta(minutes=5))  # the next turn writes when Ada was last seen
    first, answer = await slash_checkin(ada)
    assert first["type"] == 9
    assert first["data"] == opened.modal  # type: ignore[comparison-overlap]
    assert len(answer.calls) == 1  # only the modal: the coach's same answer is not repeated
    async with coach.db.session() as session:  # the coach's turn ran all the same, after
        seen = await session.scalar(select(Member.last_seen_at))
    assert seen is not None and seen == coach.clock.now()


async def test_a_goal_set_since_is_asked_of_the_coach(ada: Researcher) -> None:
    await set_goal(ada)
    await ada.slash("checkin")
    await set_goal(ada, "Summarise radiology reports", "ROUGE-L")
    asked = await ada.slash("checkin")  # two goals: which one first, a message not a modal
    assert asked.first.json["type"] == 4
    assert "Summarise radiology reports" in asked.labels()


async def test_autocomplete_and_the_modal_follow_an_abandoned_goal(ada: Researcher) -> None:
    await set_goal(ada)
    await set_goal(ada, "Summarise radiology reports", "ROUGE-L")
    assert len(await ada.autocomplete("checkin", "goal", "")) == 2
    asked = await ada.slash("goal abandon", number=1)
    await ada.press("Yes, abandon goal 1", on=asked)
    assert [c["value"] for c in await ada.autocomplete("checkin", "goal", "")] == [2]
    opened = await ada.slash("checkin")
    assert opened.first.json["type"] == 9
    assert "ROUGE-L now" in str(opened.modal)
    assert "metric_value" in field_names(opened.modal)
