"""The ``Messenger`` scheduled work uses: DMs, channel and thread posts, pacing, 429s."""

from __future__ import annotations

import asyncio

import discord
import pytest

from adapters.discord import DmRefused
from adapters.discord.messenger import ChannelRefused, DiscordMessenger, pacer
from adapters.discord.refusals import HeldBack
from bot.coach import Coach
from bot.events import Action, Button, Mention, TenantRef, UserText, content
from bot.pacing import Pacer
from tests.adapters.discord.conftest import LAB, LAB_CHANNEL, LAB_THREAD
from tests.adapters.discord.transcript import Bot
from tests.fakes.discord import FakeDiscord

LAB_TENANT = TenantRef("discord", str(LAB))


async def test_a_429_is_waited_out_and_the_message_delivered_once(
    bot: Bot, fake: FakeDiscord
) -> None:
    fake.rate_limit_once("POST", rf"/channels/{LAB_CHANNEL}/messages", retry_after=0.05)

    sent = await bot.current.messenger.post(LAB_TENANT, str(LAB_CHANNEL), content("Digest"))

    tries = fake.find("POST", rf"/channels/{LAB_CHANNEL}/messages")
    assert [c.status for c in tries] == [429, 200]
    assert tries[1].at - tries[0].at >= 0.05  # discord.py waited retry_after
    (delivered,) = fake.posted_in(LAB_CHANNEL)
    assert sent == delivered.response["id"]


async def test_a_thread_post_goes_to_the_thread(bot: Bot, fake: FakeDiscord) -> None:
    await bot.current.messenger.post(LAB_TENANT, str(LAB_CHANNEL), content("Hi"), str(LAB_THREAD))
    assert fake.posted_in(LAB_THREAD) and not fake.posted_in(LAB_CHANNEL)


async def test_a_digest_thread_is_started_from_its_message_on_first_use(
    bot: Bot, fake: FakeDiscord
) -> None:
    messenger = bot.current.messenger
    digest = await messenger.post(LAB_TENANT, str(LAB_CHANNEL), content("This week's digest"))

    await messenger.post(LAB_TENANT, str(LAB_CHANNEL), content("Ada checked in."), digest)
    await messenger.post(LAB_TENANT, str(LAB_CHANNEL), content("Lin checked in."), digest)

    (started,) = fake.find("POST", rf"/channels/{LAB_CHANNEL}/messages/{digest}/threads")
    assert started.json["name"] == "Team check-ins"
    assert [c.content for c in fake.posted_in(int(digest))] == [
        "Ada checked in.",
        "Lin checked in.",
    ]


async def test_a_dm_opens_the_channel_once_and_its_buttons_name_the_guild(
    bot: Bot, fake: FakeDiscord
) -> None:
    messenger = bot.current.messenger
    button = Button("Check in", Action.OPEN_CHECKIN)
    await messenger.send_dm(LAB_TENANT, "4242", content("Time for your weekly check-in"), (button,))
    await messenger.send_dm(LAB_TENANT, "4242", content("Another"))

    assert len(fake.find("POST", r"/users/@me/channels")) == 1  # DM channel ids are cached
    dm = fake.dm_channel_of(4242)
    first, _ = fake.posted_in(dm)  # type: ignore[arg-type]
    (row,) = first.json["components"]
    assert row["components"][0]["custom_id"] == f"rc:checkin.open::{LAB}"
    assert first.json["allowed_mentions"] == {"parse": []}


async def test_a_refused_dm_raises_and_is_recorded(
    bot: Bot, fake: FakeDiscord, coach: Coach
) -> None:
    from bot.events import Actor, CommandInvoked, Place

    await coach.handle(CommandInvoked(Actor(LAB_TENANT, "4242", "Ada"), Place.dm(), "coach"))
    fake.refuse_dms.add(4242)

    try:
        await bot.current.messenger.send_dm(LAB_TENANT, "4242", content("Weekly check-in"))
    except DmRefused as refused:
        assert refused.user_id == "4242"
    else:
        raise AssertionError("a refused DM must not pass silently")
    async with coach.db.scope(LAB_TENANT, coach.clock.now()) as scope:
        member = await scope.member("4242")
        assert member is not None and member.dm_refused_at is not None


async def test_sends_are_paced_per_channel(fake: FakeDiscord, coach: Coach) -> None:
    from tests.adapters.discord.transcript import settings

    now = [0.0]
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)
        now[0] += seconds

    paced = Bot(fake, coach, settings(fake), {"pace": Pacer(1.0, 0.0, lambda: now[0], sleep)})
    await paced.start()
    try:
        messenger = paced.current.messenger
        await messenger.post(LAB_TENANT, str(LAB_CHANNEL), content("one"))
        await messenger.post(LAB_TENANT, "8102", content("elsewhere"))
        await messenger.post(LAB_TENANT, str(LAB_CHANNEL), content("two"))
    finally:
        await paced.stop()
    assert waited == [1.0]  # only the second message in the same channel waited


async def test_a_deliberate_tag_pings_those_members_and_nobody_else(
    bot: Bot, fake: FakeDiscord
) -> None:
    body = content(
        "Still to check in this week:",
        " ",
        Mention("4242"),
        ", ",
        Mention("4343"),
        " ",
        UserText("(and @everyone <@999>)"),
    )
    await bot.current.messenger.post(LAB_TENANT, str(LAB_CHANNEL), body)

    (post,) = fake.posted_in(LAB_CHANNEL)
    assert "<@4242>, <@4343>" in post.content
    assert "<@999>" not in post.content and "@everyone" not in post.content
    assert post.json["allowed_mentions"] == {"parse": [], "users": [4242, 4343]}


async def test_many_guilds_at_once_stay_under_the_bots_global_limit(
    bot: Bot, fake: FakeDiscord
) -> None:
    # Discord's 50 a second, scaled to 20 per half second so the test stays short: the
    # bot's pacer is built for the same limit, as production builds it for 50 a second.
    fake.limits.global_limit, fake.limits.global_per = 20, 0.5
    guilds = [fake.add_guild((200 + i) << 22, f"Lab {i}", 9000 + i) for i in range(25)]
    messenger = DiscordMessenger(bot.current.client, bot.current.record_dm_refusal, pacer(20, 0.5))

    await asyncio.gather(
        *(
            messenger.post(TenantRef("discord", str(g.id)), str(g.channels[0]), content("Digest"))
            for g in guilds
        )
    )

    assert fake.limits.global_refusals == 0
    assert fake.limits.peak <= 20  # as the fake counted arrivals, every guild together
    assert all(len(fake.posted_in(g.channels[0])) == 1 for g in guilds)


async def test_a_member_whose_dms_answer_403_is_not_asked_again(
    bot: Bot, fake: FakeDiscord
) -> None:
    fake.refuse_dms.add(4242)
    for _ in range(3):  # the outbox retries a failed delivery
        with pytest.raises(DmRefused):
            await bot.current.messenger.send_dm(LAB_TENANT, "4242", content("Weekly check-in"))

    dm = fake.dm_channel_of(4242)
    assert [c.status for c in fake.find("POST", rf"/channels/{dm}/messages")] == [403]


async def test_a_channel_that_answers_403_is_not_posted_to_again(
    bot: Bot, fake: FakeDiscord
) -> None:
    fake.forbidden.add(8102)
    messenger = bot.current.messenger
    with pytest.raises(discord.Forbidden):
        await messenger.post(LAB_TENANT, "8102", content("Digest"))
    for _ in range(2):
        with pytest.raises(ChannelRefused):
            await messenger.post(LAB_TENANT, "8102", content("Digest"))

    assert [c.status for c in fake.find("POST", r"/channels/8102/messages")] == [403]
    await messenger.post(LAB_TENANT, str(LAB_CHANNEL), content("Digest"))  # others still work


async def test_sends_are_held_back_once_invalid_requests_reach_the_budget(
    bot: Bot, fake: FakeDiscord
) -> None:
    refusals = bot.current.refusals
    refusals.budget = 2  # of Discord's 10,000 in 10 minutes, the bot allows itself a tenth
    fake.forbidden.update({8102, LAB_CHANNEL})
    for channel in (8102, LAB_CHANNEL):
        with pytest.raises(discord.Forbidden):
            await bot.current.messenger.post(LAB_TENANT, str(channel), content("Digest"))
    before = len(fake.calls)

    with pytest.raises(HeldBack):
        await bot.current.messenger.send_dm(LAB_TENANT, "4242", content("Weekly check-in"))

    assert refusals.invalid_in_window() == 2  # counted from the wire, as Discord counts
    assert len(fake.calls) == before  # nothing more was asked of Discord
