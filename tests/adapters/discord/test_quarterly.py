"""The best five, reviewed, in Discord: a member adds best works with ``/wins add``; on the
first Monday of the quarter, at her check-in time, the scheduler's tick and outbox send one DM
through the real discord.py client, listing the five with the question and the "Name my bet"
button; nothing is posted in a server channel. The button opens the one-field modal in the
DM; the answer lands in her notebook. Turned off with ``/coach quarterly``, the next quarter
brings no DM."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.coach import Coach
from bot.ports import ManualClock
from bot.store.models import NotebookEntry
from tests.adapters.discord.transcript import Answer, Researcher, scheduler
from tests.adapters.quarterly import next_review, tick_at
from tests.fakes.discord import FakeDiscord

WORKS = ["Geometry prover", "Clinic ASR harness", "Sparse attention note"]
JANUARY = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)  # first Monday, the team's check-in time
APRIL = datetime(2027, 4, 5, 10, 0, tzinfo=UTC)  # the next one


def reviews(fake: FakeDiscord, ada: Researcher) -> list[str]:
    """The quarterly DMs sent to Ada: her DM channel's messages carrying the bet button."""
    channel = fake.dm_channel_of(ada.person.id)
    if channel is None:
        return []
    return [
        c.content or ""
        for c in fake.posted_in(channel)
        if "Name my bet" in str((c.json or {}).get("components"))
    ]


async def test_the_quarterly_dm_lists_the_five_and_its_button_keeps_the_bet(
    fake: FakeDiscord, coach: Coach, clock: ManualClock, ada: Researcher
) -> None:
    for title in WORKS:
        opened = await ada.slash("wins add", title=title)
        added = await ada.submit(opened.modal)
        assert f"Added to your best works: {title}" in added.text
    running = scheduler(coach, clock, ada.bot.current.messenger)
    try:
        await running.run_once()
        assert await next_review(coach) == JANUARY
        assert reviews(fake, ada) == []

        before = len(fake.calls)
        await tick_at(running, clock, JANUARY)
        await fake.wait_until(lambda: bool(reviews(fake, ada)))
        prompt = Answer(None, fake.calls[before:], fake)
        (text,) = reviews(fake, ada)
        assert "A new quarter, Ada." in text and "best few works" in text
        for number, title in enumerate(WORKS, start=1):
            assert f"{number}. {title}" in text
        assert "Which one bet would most change this list by next quarter?" in text
        assert prompt.posts == []  # nothing in a server channel

        opened = await ada.press("Name my bet", on=prompt, in_dm=True)
        assert opened.modal["title"] == "Next quarter's bet"
        bet = "Scale the prover to IMO shortlists with a lemma library"
        kept = await ada.submit(opened.modal, in_dm=True, bet=bet)
        assert "Noted in your notebook" in kept.text and kept.posts == []
        async with coach.db.session() as session:
            notes = (await session.execute(select(NotebookEntry.text))).scalars().all()
        assert notes == [f"Bet for 2027-Q1: {bet}"]

        off = await ada.slash("coach quarterly", state="off")
        assert off.ephemeral and "is off" in off.text
        await tick_at(running, clock, APRIL)
        assert len(reviews(fake, ada)) == 1  # none the next quarter
        assert await next_review(coach) is None
    finally:
        await running.stop()
