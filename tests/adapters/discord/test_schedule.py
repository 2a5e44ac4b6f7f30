"""The week, delivered through Discord: an opted-in member's prompt in DM, the team digest in
the team channel with published check-ins in its thread; nobody else is DMed unasked."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta

from bot.coach import Coach
from bot.ports import ManualClock
from bot.schedule.leader import Leadership
from bot.schedule.outbox import LEASE
from bot.schedule.runner import Scheduler
from tests.adapters.discord.conftest import LAB_CHANNEL
from tests.adapters.discord.test_commands import set_goal
from tests.adapters.discord.transcript import Bot, Researcher
from tests.fakes.discord import FakeDiscord
from tests.schedule.helpers import AnswerLost


async def test_a_week_through_discord(
    bot: Bot,
    fake: FakeDiscord,
    coach: Coach,
    clock: ManualClock,
    ada: Researcher,
    grace: Researcher,
) -> None:
    assert "This is now the team channel" in (await grace.slash("coach team channel")).text
    await set_goal(ada)
    assert "prompts are on" in (await ada.slash("coach weekly", state="on")).text
    opened = await ada.slash("checkin")
    answer = await ada.submit(opened.modal, did="Swapped in a conformer encoder")
    shared = await ada.press("Publish to team", answer)
    assert "team digest thread" in shared.text

    # A lock key of its own, so that parallel test runs on one PostgreSQL never meet.
    leadership = Leadership(coach.db, key=random.getrandbits(62))
    scheduler = Scheduler(
        coach.db, clock, {"discord": bot.current.messenger}, coach.prompts, leadership=leadership
    )
    try:
        for _ in range(8 * 24):  # eight days, an hour at a time
            clock.advance(timedelta(hours=1))
            await scheduler.run_once()
    finally:
        await scheduler.stop()

    prompts = [c.content for c in fake.posted_in(fake.dm_channel_of(4242))]
    assert sum("time for your weekly check-in" in (p or "") for p in prompts) == 1
    assert fake.dm_channel_of(4343) is None  # Grace never opted in: no DM at all
    digests = [c for c in fake.posted_in(LAB_CHANNEL) if "Team digest" in (c.content or "")]
    assert len(digests) == 1
    thread = [c.content for c in fake.posted_in(int(digests[0].response["id"]))]
    assert any("Swapped in a conformer encoder" in (t or "") for t in thread)


async def test_after_a_crash_discord_is_asked_before_a_prompt_is_sent_again(
    bot: Bot, fake: FakeDiscord, coach: Coach, clock: ManualClock, ada: Researcher
) -> None:
    fake.now = clock.now  # message ids are snowflakes of the test's clock
    await set_goal(ada)
    assert "prompts are on" in (await ada.slash("coach weekly", state="on")).text
    lost = AnswerLost(bot.current.messenger)
    dying = Scheduler(
        coach.db,
        clock,
        {"discord": lost},
        coach.prompts,
        leadership=Leadership(coach.db, key=random.getrandbits(62)),
    )

    async def week() -> None:
        for _ in range(8 * 24):  # an hour at a time, until her prompt goes out
            clock.advance(timedelta(hours=1))
            await dying.run_once()

    run = asyncio.create_task(week())
    await asyncio.wait_for(lost.hanging.wait(), 30)
    run.cancel()  # kill: Discord has the prompt, our row is still pending
    await asyncio.gather(run, return_exceptions=True)
    await dying.stop()

    restarted = Scheduler(
        coach.db,
        clock,
        {"discord": bot.current.messenger},
        coach.prompts,
        leadership=Leadership(coach.db, key=random.getrandbits(62)),
    )
    try:
        clock.advance(LEASE + timedelta(minutes=1))
        outcome = await restarted.run_once()
    finally:
        await restarted.stop()

    assert outcome is not None and outcome[1].found == 1
    dm = fake.dm_channel_of(4242)
    assert dm is not None
    prompts = [c for c in fake.posted_in(dm) if "weekly check-in" in (c.content or "")]
    assert len(prompts) == 1  # read back from the DM: not sent a second time
    assert fake.find("GET", rf"/channels/{dm}/messages")
