"""The ack path: a first response within 3 s even when the coach is slow, then the answer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.coach import Coach
from bot.events import Event, Intent
from tests.adapters.discord.conftest import LAB, LAB_CHANNEL
from tests.adapters.discord.test_commands import set_goal
from tests.adapters.discord.transcript import Bot, Researcher, settings
from tests.fakes.discord import FakeDiscord, Person

# Seconds the coach takes below; the ack budget is a quarter of it: wide enough that a coach
# that is not slowed answers within it on a busy machine.
SLOW = 1.6


@pytest.fixture
async def slow_bot(fake: FakeDiscord, coach: Coach) -> AsyncIterator[Bot]:
    running = Bot(fake, coach, settings(fake), {"ack_budget": SLOW / 4})
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


def slow_down(coach: Coach) -> None:
    """Make every answer of the coach take ``SLOW`` seconds (analysis on a busy machine)."""
    handle = coach.handle

    async def slowly(event: Event) -> list[Intent]:
        await asyncio.sleep(SLOW)
        return await handle(event)

    coach.handle = slowly  # type: ignore[method-assign]


async def test_a_slow_modal_submit_is_deferred_then_followed_up(
    slow_bot: Bot, coach: Coach, fake: FakeDiscord
) -> None:
    ada = Researcher(slow_bot, Person(4242, "Ada"), LAB, LAB_CHANNEL)
    opened = await ada.slash("goal set")
    slow_down(coach)

    pushed = asyncio.get_running_loop().time()
    saved = await ada.submit(opened.modal, capability="Fold laundry", metric_name="success")

    callback, *followups = saved.calls
    assert callback.json == {"type": 5, "data": {"flags": 64}}  # "thinking…", ephemeral
    assert callback.at - pushed < 3.0
    assert followups and followups[0].at > callback.at
    assert "Goal 1 set: Fold laundry" in saved.text


async def test_a_slow_command_defers_after_the_budget(slow_bot: Bot, coach: Coach) -> None:
    ada = Researcher(slow_bot, Person(4242, "Ada"), LAB, LAB_CHANNEL)
    await ada.slash("coach help")  # first use done
    slow_down(coach)

    listed = await ada.slash("goal list")
    assert listed.deferred
    assert listed.calls[1].at > listed.first.at
    assert "You have no goal yet" in listed.text


async def test_a_slow_checkin_offers_a_button_that_opens_the_modal(
    slow_bot: Bot, coach: Coach
) -> None:
    ada = Researcher(slow_bot, Person(4242, "Ada"), LAB, LAB_CHANNEL)
    await set_goal(ada)
    slow_down(coach)

    answer = await ada.slash("checkin")
    assert answer.deferred  # too late for a modal as the first response
    opened = await ada.press("Open the form", on=answer)
    assert opened.first.json["type"] == 9  # a button press may answer with a modal at once
    assert opened.modal["title"] == "Weekly check-in"


async def test_a_fast_command_is_answered_without_deferral(ada: Researcher) -> None:
    answer = await ada.slash("coach help")
    assert answer.first.json["type"] == 4


async def test_an_empty_answer_is_still_acknowledged(ada: Researcher, coach: Coach) -> None:
    await ada.slash("coach help")  # first use done
    handle = coach.handle

    async def silent(event: Event) -> list[Intent]:
        await handle(event)
        return []

    coach.handle = silent  # type: ignore[method-assign]
    answer = await ada.slash("review")
    assert answer.deferred  # acknowledged, and the "thinking…" placeholder removed
    assert [c.method for c in answer.calls] == ["POST", "DELETE"]


async def test_an_empty_answer_to_a_button_is_acknowledged_silently(
    ada: Researcher, coach: Coach
) -> None:
    help_ = await ada.slash("coach help")
    handle = coach.handle

    async def silent(event: Event) -> list[Intent]:
        await handle(event)
        return []

    coach.handle = silent  # type: ignore[method-assign]
    pressed = await ada.press("Set my time zone", on=help_)
    assert pressed.first.json == {"type": 6}  # deferred update: nothing shown
