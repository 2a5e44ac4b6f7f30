"""The best five, reviewed, in the console: Ada adds best works with ``/wins add``; when
``/tick`` plays out the first Monday of the quarter, her check-in time, the review is printed as
a DM, once, with the five, the question and the "Name my bet" button. Typing the button's
number opens the one-field form; the answer lands in her notebook (``/log search Bet`` finds
it). Turned off with ``/coach quarterly off``, the next quarter prints no review."""

from __future__ import annotations

import random
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.console import ConsoleSession
from bot.coach import Coach
from bot.ports import ManualClock
from bot.schedule.leader import Leadership
from bot.schedule.runner import Scheduler
from tests.adapters.quarterly import next_review
from tests.conftest import say

WORKS = [
    ("Geometry prover", "https://example.org/prover"),
    ("Clinic ASR harness", ""),
    ("Sparse attention note", ""),
]
JANUARY = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)  # first Monday, the team's check-in time
APRIL = datetime(2027, 4, 5, 10, 0, tzinfo=UTC)  # the next one


@pytest.fixture
async def ticking(coach: Coach, clock: ManualClock, exports: Path) -> AsyncIterator[ConsoleSession]:
    """Ada's console with the scheduler printing through the console's own messenger."""
    session = ConsoleSession(coach, "lab", "Ada", exports, clock=clock)
    leadership = Leadership(coach.db, random.getrandbits(62))  # parallel runs never wait
    messengers = {"console": session.messenger}
    session.scheduler = Scheduler(coach.db, clock, messengers, coach.prompts, leadership=leadership)
    try:
        yield session
    finally:
        await session.scheduler.stop()


def reviews(shown: str) -> list[str]:
    """The review DMs in a stretch of transcript: each from its ``[DM]`` line to its buttons."""
    return re.findall(r"^\[DM\] A new quarter.*?Name my bet.*?$", shown, re.M | re.S)


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)  # the console's own database
async def test_the_review_prints_as_a_dm_and_its_button_keeps_the_bet(
    ticking: ConsoleSession, clock: ManualClock
) -> None:
    ada = ticking
    for title, link in WORKS:
        assert f"Added to your best works: {title}" in await say(ada, "/wins add", title, link, "")
    # Up to an hour before the review is due; /tick plays out the rest.
    clock.advance(JANUARY.replace(hour=9) - clock.now())
    await say(ada, "/tick 30m")
    assert await next_review(ada.coach) == JANUARY  # her check-in time, in her time zone

    shown = await say(ada, "/tick 2h")

    (review,) = reviews(shown)
    assert "A new quarter, Ada." in review and "best few works" in review
    for number, (title, _) in enumerate(WORKS, start=1):
        assert f"{number}. {title}" in review
    assert "Which one bet would most change this list by next quarter?" in review
    assert "[#team]" not in shown  # nothing reached the team channel
    (number,) = re.findall(r"^\s*\((\d+)\) Name my bet$", review, re.M)

    form = await say(ada, number)
    assert "Next quarter's bet" in form
    bet = "Scale the prover to IMO shortlists with a lemma library"
    kept = await say(ada, bet)
    assert kept.startswith("[only you] Noted in your notebook")
    found = await say(ada, "/log search Bet")
    assert f"Bet for 2027-Q1: {bet}" in found

    assert reviews(await say(ada, "/tick 1d")) == []  # once a quarter
    assert "is off" in await say(ada, "/coach quarterly off")
    clock.advance(APRIL.replace(hour=9) - clock.now())
    assert reviews(await say(ada, "/tick 2h")) == []
    assert await next_review(ada.coach) is None
