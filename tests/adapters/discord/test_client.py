"""Start-up: log in, identify with only the intents a slash-command bot needs, never sync
commands, shard across replicas, point at another API and gateway, keep secrets out of logs."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import discord
import pytest
import yarl
from discord.gateway import DiscordWebSocket

from adapters.discord import DiscordAdapter, DiscordMessenger
from bot.adapter import RunOptions, discover
from bot.coach import Coach
from bot.settings import Settings
from tests.adapters.discord.conftest import LAB, LAB_CHANNEL, OTHER, OTHER_CHANNEL
from tests.adapters.discord.transcript import TOKEN, Bot, Researcher, settings
from tests.fakes.discord import FakeDiscord, Person

GUILDS, DIRECT_MESSAGES = 1 << 0, 1 << 12


async def test_login_identifies_with_guild_and_dm_intents_only(bot: Bot, fake: FakeDiscord) -> None:
    assert fake.find("GET", r"/users/@me")
    assert fake.find("GET", r"/oauth2/applications/@me")
    (session,) = fake.sessions
    assert session.identify["token"] == TOKEN
    assert session.identify["intents"] == GUILDS | DIRECT_MESSAGES  # nothing privileged
    assert not any("/commands" in c.path for c in fake.calls)  # never synced on start
    client = bot.current.client
    assert type(client) is discord.Client
    assert client.allowed_mentions is not None
    assert client.allowed_mentions.to_dict() == {"parse": []}


def test_the_adapter_is_discovered_and_needs_a_token(no_env: None) -> None:
    adapter = discover()["discord"]
    assert isinstance(adapter, DiscordAdapter)
    assert adapter.missing(Settings(_env_file=None)) == ["COACH_DISCORD_TOKEN"]  # type: ignore[call-arg]
    assert adapter.missing(Settings(_env_file=None, discord_token="t")) == []  # type: ignore[call-arg]
    ids_without_count = Settings(_env_file=None, discord_token="t", discord_shard_ids="0,1")  # type: ignore[call-arg]
    assert adapter.missing(ids_without_count) == ["COACH_DISCORD_SHARD_COUNT"]
    outside = Settings(
        _env_file=None, discord_token="t", discord_shard_count=2, discord_shard_ids="2"
    )  # type: ignore[call-arg]
    assert adapter.missing(outside) == ["COACH_DISCORD_SHARD_IDS"]


async def test_serve_registers_its_messenger_uses_the_announced_gateway_and_logs_no_token(
    fake: FakeDiscord, coach: Coach, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    discord_logger = logging.getLogger("discord")
    level = discord_logger.level
    # Only the REST root is configured: the gateway comes from GET /gateway.
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL("ws://127.0.0.1:9/unreachable")
    options = RunOptions()
    serving = asyncio.create_task(
        DiscordAdapter().serve(coach, settings(fake, discord_gateway_url=None), options)
    )
    try:
        await fake.wait_connected()
        # The scheduler reaches members through the messenger the adapter registered.
        assert isinstance(options.platforms.messengers["discord"], DiscordMessenger)
        assert fake.find("GET", r"/gateway")
        ada = Researcher(Bot(fake, coach, settings(fake)), Person(4242, "Ada"), LAB, LAB_CHANNEL)
        payload = fake.interaction(
            2, ada.person, LAB, LAB_CHANNEL, {"id": "1", "name": "review", "type": 1}
        )
        await fake.push("INTERACTION_CREATE", payload, LAB)
        await fake.wait_until(lambda: bool(fake.answers_to(int(payload["id"]))))
    finally:
        serving.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await serving
        discord_logger.setLevel(level)
    assert "discord" not in options.platforms.messengers  # a stopped client delivers nothing
    assert str(DiscordWebSocket.DEFAULT_GATEWAY) == "ws://127.0.0.1:9/unreachable"  # restored
    assert TOKEN not in caplog.text
    assert payload["token"] not in caplog.text  # discord.py's DEBUG lines carry these


async def test_sharded_replicas_each_run_their_shards(fake: FakeDiscord, coach: Coach) -> None:
    both = Bot(fake, coach, settings(fake, discord_shard_count=2))
    await both.start(shards=2)
    try:
        assert isinstance(both.current.client, discord.AutoShardedClient)
        assert sorted(tuple(s.identify["shard"]) for s in fake.sessions) == [(0, 2), (1, 2)]
        in_lab = Researcher(both, Person(1, "Ada"), LAB, LAB_CHANNEL)
        in_other = Researcher(both, Person(2, "Lin"), OTHER, OTHER_CHANNEL)
        assert "I'm your research coach" in (await in_lab.slash("coach help")).text
        assert "I'm your research coach" in (await in_other.slash("coach help")).text
    finally:
        await both.stop()


async def test_a_replica_runs_only_its_shard_ids(fake: FakeDiscord, coach: Coach) -> None:
    second = Bot(fake, coach, settings(fake, discord_shard_count=2, discord_shard_ids=[1]))
    await second.start()
    try:
        (session,) = fake.sessions
        assert session.identify["shard"] == [1, 2]
        in_other = Researcher(second, Person(2, "Lin"), OTHER, OTHER_CHANNEL)
        assert "I'm your research coach" in (await in_other.slash("coach help")).text
    finally:
        await second.stop()


async def test_a_thread_is_a_place_in_its_channel(bot: Bot, coach: Coach) -> None:
    from tests.adapters.discord.conftest import LAB_THREAD

    seen = []
    handle = coach.handle

    async def spy(event):  # type: ignore[no-untyped-def]
        seen.append(event.place)
        return await handle(event)

    coach.handle = spy  # type: ignore[method-assign]
    in_thread = Researcher(bot, Person(4242, "Ada"), LAB, LAB_THREAD)
    await in_thread.slash("coach help")
    assert (seen[0].channel_id, seen[0].thread_id) == (str(LAB_CHANNEL), str(LAB_THREAD))
