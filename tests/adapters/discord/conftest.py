"""Fixtures: a fake Discord on 127.0.0.1, the adapter running against it with the real coach and
database, and members of two servers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from bot.coach import Coach
from tests.adapters.discord.transcript import Bot, Researcher, running
from tests.fakes import discord_spec
from tests.fakes.discord import FakeDiscord, Person, pointed_at
from tests.fakes.discord_spec_rate_limits import default_routes

LAB = 80 << 22  # a guild id on shard 0 of 2
LAB_CHANNEL = 8101
LAB_THREAD = 8109
OTHER = 81 << 22  # another server (shard 1 of 2)
OTHER_CHANNEL = 8201


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    """A fake Discord with two servers; discord.py points at it for the test only."""
    server = await FakeDiscord().start()
    server.add_guild(LAB, "Lab", LAB_CHANNEL, 8102)
    server.guilds[LAB].threads[LAB_THREAD] = LAB_CHANNEL
    server.add_guild(OTHER, "Other lab", OTHER_CHANNEL)
    # Route buckets with a tenth of their windows, so conversations that send much into one
    # channel stay quick; discord.py still reads and honours every header, and the global
    # limit stays 50 a second (test_spec checks the real windows).
    server.limits.routes = default_routes(scale=0.1)
    try:
        with pointed_at(server):
            yield server
    finally:
        await server.close()
    assert server.unexpected() == [], "the bot called endpoints the fake does not know"
    # Every body the bot sent, read again against Discord's published schema and limits: a
    # refusal the bot swallowed would otherwise pass unseen.
    assert discord_spec.breaches(server.calls) == [], "Discord would refuse these bodies"
    assert discord_spec.unchecked(server.calls) == [], "bodies on routes the spec check skips"


@pytest.fixture
async def bot(fake: FakeDiscord, coach: Coach) -> AsyncIterator[Bot]:
    async with running(fake, coach) as started:
        yield started


@pytest.fixture
def ada(bot: Bot) -> Researcher:
    return Researcher(bot, Person(4242, "Ada"), LAB, LAB_CHANNEL)


@pytest.fixture
def grace(bot: Bot) -> Researcher:
    return Researcher(bot, Person(4343, "Grace"), LAB, LAB_CHANNEL, admin=True)


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No COACH_DISCORD_* from the machine running the tests."""
    for name in (
        "COACH_DISCORD_TOKEN",
        "COACH_DISCORD_API_URL",
        "COACH_DISCORD_GATEWAY_URL",
        "COACH_DISCORD_SHARD_COUNT",
        "COACH_DISCORD_SHARD_IDS",
    ):
        monkeypatch.delenv(name, raising=False)
    yield
