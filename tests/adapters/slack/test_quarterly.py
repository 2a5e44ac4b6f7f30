"""The best five, reviewed, in Slack: a member adds best works with ``/wins add``; on the first
Monday of the quarter, at her check-in time, the scheduler's tick and outbox send one DM
through the real Slack messenger, in her IM channel only, listing the five with the question
and the "Name my bet" button. The button opens the one-field modal; the answer lands in her
notebook. Turned off with ``/coach quarterly off``, the next quarter brings no DM."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from bot.coach import Coach
from bot.ports import ManualClock
from bot.schedule.leader import Leadership
from bot.schedule.runner import Scheduler
from bot.store.models import NotebookEntry
from tests.adapters.quarterly import next_review, tick_at
from tests.adapters.slack.conftest import SlackHarness, buttons_of, eventually, text_of

WORKS = ["Geometry prover", "Clinic ASR harness", "Sparse attention note"]
JANUARY = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)  # first Monday, 10:00 in London (UTC)
APRIL = datetime(2027, 4, 5, 9, 0, tzinfo=UTC)  # first Monday, 10:00 in London (summer time)


@pytest.fixture
async def scheduler(
    slack: SlackHarness, coach: Coach, clock: ManualClock
) -> AsyncIterator[Scheduler]:
    # A lock key of its own, so that parallel test runs on one PostgreSQL never meet.
    leadership = Leadership(coach.db, key=random.getrandbits(62))
    messengers = {"slack": slack.runtime.messenger}
    running = Scheduler(coach.db, clock, messengers, coach.prompts, leadership=leadership)
    try:
        yield running
    finally:
        await running.stop()


def reviews(slack: SlackHarness) -> list[dict[str, Any]]:
    """Every message the bot posted that carries the bet button."""
    return [
        c.args for c in slack.fake.calls("chat.postMessage") if "Name my bet" in buttons_of(c.args)
    ]


def dm_text(slack: SlackHarness) -> str:
    """Everything the bot posted as messages (the test expects them all in her IM)."""
    return "\n".join(text_of(c.args) for c in slack.fake.calls("chat.postMessage"))


def said(slack: SlackHarness) -> str:
    """Everything the coach answered privately, through response_urls."""
    return "\n".join(text_of(c.args) for c in slack.fake.calls("response_url"))


async def test_the_quarterly_dm_lists_the_five_and_its_button_keeps_the_bet(
    slack: SlackHarness, coach: Coach, clock: ManualClock, scheduler: Scheduler
) -> None:
    for count, title in enumerate(WORKS, start=1):
        await slack.command("/wins", "add")
        answer = await slack.submit(await slack.opened_view(count), {"title": title})
        assert answer.status_code == 200
    await scheduler.run_once()
    assert await next_review(coach) == JANUARY  # her check-in time, in her time zone
    assert reviews(slack) == []
    acknowledged = len(slack.fake.calls("chat.postEphemeral"))  # "Added to your best works"

    await tick_at(scheduler, clock, JANUARY)

    await slack.fake.wait_until(lambda: bool(reviews(slack)))
    (review,) = reviews(slack)
    assert review["channel"] == "DU1"  # her IM channel
    text = text_of(review)
    assert "A new quarter" in text and "best few works" in text
    for number, title in enumerate(WORKS, start=1):
        assert f"{number}. {title}" in text
    assert "Which one bet would most change this list by next quarter?" in text
    channels = {c.args["channel"] for c in slack.fake.calls("chat.postMessage")}
    assert channels == {"DU1"}  # nothing reached the team channel
    assert len(slack.fake.calls("chat.postEphemeral")) == acknowledged

    await slack.press(buttons_of(review)["Name my bet"], channel="DU1")
    view = await slack.opened_view(len(WORKS) + 1)
    assert view["title"]["text"] == "Next quarter's bet"
    assert [b["block_id"] for b in view["blocks"]] == ["bet"]
    bet = "Scale the prover to IMO shortlists with a lemma library"
    submitted = await slack.submit(view, {"bet": bet})
    assert submitted.status_code == 200

    async def noted() -> bool:
        async with coach.db.session() as session:
            notes = (await session.execute(select(NotebookEntry.text))).scalars().all()
        return notes == [f"Bet for 2027-Q1: {bet}"]

    await eventually(noted)
    await slack.fake.wait_until(lambda: "Noted in your notebook" in dm_text(slack))
    assert {c.args["channel"] for c in slack.fake.calls("chat.postMessage")} == {"DU1"}

    # A second tick the same quarter sends nothing more.
    await tick_at(scheduler, clock, JANUARY.replace(hour=16))
    assert len(reviews(slack)) == 1

    # Turned off, the next quarter brings none.
    await slack.command("/coach", "quarterly off")
    await slack.fake.wait_until(lambda: "is off" in said(slack))
    await tick_at(scheduler, clock, APRIL)
    await tick_at(scheduler, clock, APRIL.replace(hour=16))
    await slack.fake.settle()
    assert len(reviews(slack)) == 1
    assert await next_review(coach) is None
