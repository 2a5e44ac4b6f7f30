"""The fake Discord's REST answering a storm of 500s, 503s and 429s (``retry_after``): a
scheduled prompt and an interactive reply are retried and each arrives exactly once when the
storm ends; the failures are logged without the bot token or an interaction token."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.coach import Coach
from bot.events import TenantRef
from bot.logs import QUIET
from bot.ports import ManualClock
from bot.schedule.outbox import BACKOFF
from bot.schedule.runner import Scheduler
from bot.store.models import Delivery, Member, NotebookEntry
from tests.adapters.discord.transcript import TOKEN, Bot, Researcher, running
from tests.fakes.discord import FakeDiscord, Person, pointed_at
from tests.faults.bots import logged_without, seed_team

LAB = 80 << 22
LAB_CHANNEL = 8101
ADA = Person(4242, "Ada")
SENDS = r"/users/@me/channels|/channels/\d+/messages"  # open a DM, post in it
WAIT = 30.0


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = await FakeDiscord().start()
    server.add_guild(LAB, "Lab", LAB_CHANNEL)
    try:
        with pointed_at(server):
            yield server
    finally:
        await server.close()


@pytest.fixture
async def bot(fake: FakeDiscord, coach: Coach) -> AsyncIterator[Bot]:
    async with running(fake, coach) as started:
        yield started


def logged_without_secrets(caplog: pytest.LogCaptureFixture, fake: FakeDiscord) -> str:
    """Every log line (at INFO, the libraries as ``bot.logs`` sets them), tracebacks included;
    fails if one holds the bot token or an interaction token."""
    return logged_without(caplog, [TOKEN, *fake._tokens])


@pytest.fixture
def product_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO)
    for name in QUIET:
        caplog.set_level(logging.INFO, logger=name)
    return caplog


async def test_a_scheduled_prompt_waits_out_a_storm_and_arrives_once(
    bot: Bot, fake: FakeDiscord, coach: Coach, product_logs: pytest.LogCaptureFixture
) -> None:
    clock = coach.clock
    assert isinstance(clock, ManualClock)
    await seed_team(coach.db, TenantRef("discord", str(LAB)), [str(ADA.id)], clock.now())
    async with coach.db.session() as session:  # weekly DMs are opt-in on Discord: Ada opted in
        await session.execute(update(Member).values(weekly_dm=True))
    scheduler = Scheduler(coach.db, clock, {"discord": bot.current.messenger}, coach.prompts)

    fake.storm("POST", SENDS)  # a 500 (retried by discord.py), a 429 (waited out), a 503
    ran = await scheduler.run_once()
    assert ran is not None and (ran[1].sent, ran[1].retried) == (0, 1)
    assert [c.status for c in fake.find("POST", SENDS)] == [500, 429, 503]
    fake.calm()
    clock.advance(timedelta(seconds=BACKOFF[0]))
    ran = await scheduler.run_once()
    assert ran is not None and ran[1].sent == 1

    dm = fake.dm_channel_of(ADA.id)
    assert dm is not None
    (prompt,) = fake.posted_in(dm)
    assert "time for your weekly check-in" in prompt.content
    async with coach.db.session() as session:
        (row,) = (await session.execute(select(Delivery))).scalars()
    assert (row.status, row.attempts) == ("sent", 2)
    said = logged_without_secrets(product_logs, fake)
    assert "failed: DiscordServerError" in said


async def test_an_interactive_reply_rides_out_a_storm_and_arrives_once(
    bot: Bot, fake: FakeDiscord, coach: Coach, product_logs: pytest.LogCaptureFixture
) -> None:
    ada = Researcher(bot, ADA, LAB, LAB_CHANNEL)
    callbacks = r"/interactions/\d+/[^/]+/callback"
    fake.storm("POST", callbacks, statuses=(500, 429, 429))
    answering = asyncio.create_task(ada.slash("log", text="Warmup fixes the spikes"))
    await fake.wait_until(lambda: len(fake.find("POST", callbacks)) >= 3, WAIT)
    fake.calm()  # the storm ends after three refused tries
    answer = await answering

    tries = fake.find("POST", callbacks)
    assert [c.status for c in tries] == [500, 429, 429, 200]
    shown = [c.content for c in answer.replies if c.status == 200]
    assert shown.count("Noted in your notebook.") == 1  # the member sees it once
    async with coach.db.session() as session:
        (entry,) = (await session.execute(select(NotebookEntry))).scalars()
    assert entry.text == "Warmup fixes the spikes"
    said = logged_without_secrets(product_logs, fake)
    assert "is rate limited. Retrying in 0.05 seconds." in said
