"""The discord.py client: what it listens to, how it mentions, where it connects.

- Intents: ``guilds`` (server joins and removals, channels and threads) and ``dm_messages``
  (reflection answers). Slash commands, buttons and modals need no intent; nothing here is
  privileged (no message content, members or presences).
- ``AllowedMentions.none()``: every message says ``allowed_mentions: {"parse": []}``, so no text
  can ping anyone even if it slipped past escaping.
- ``AutoShardedClient`` when ``COACH_DISCORD_SHARD_COUNT`` is set, running the shards in
  ``COACH_DISCORD_SHARD_IDS`` (all when unset), so replicas can split the shards.
- ``COACH_DISCORD_API_URL`` and ``COACH_DISCORD_GATEWAY_URL`` point discord.py elsewhere. It reads
  both from class attributes, so they apply to the whole process while the client runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.settings import Settings

DISCORD_API = "https://discord.com/api/v10"


def intents() -> discord.Intents:
    """Only what a slash-command bot that takes DM answers needs."""
    chosen = discord.Intents.none()
    chosen.guilds = True
    chosen.dm_messages = True
    return chosen


def shard_problems(settings: Settings) -> list[str]:
    """What is wrong with the shard settings, as setting names; empty when they are fine."""
    count, ids = settings.discord_shard_count, settings.discord_shard_ids
    if ids and count is None:
        return ["COACH_DISCORD_SHARD_COUNT"]
    if ids and count is not None and any(not 0 <= i < count for i in ids):
        return ["COACH_DISCORD_SHARD_IDS"]
    return []


def new_client(settings: Settings, **options: Any) -> discord.Client:
    """A client for ``settings``; ``options`` go to discord.py (tests shorten timeouts)."""
    common: dict[str, Any] = {
        "intents": intents(),
        "allowed_mentions": discord.AllowedMentions.none(),
        **options,
    }
    if settings.discord_shard_count is not None:
        if settings.discord_shard_ids:
            common["shard_ids"] = settings.discord_shard_ids
        return discord.AutoShardedClient(shard_count=settings.discord_shard_count, **common)
    return discord.Client(**common)


@contextmanager
def endpoints(api_url: str, gateway_url: str | None) -> Iterator[None]:
    """Point discord.py at ``api_url`` (and ``gateway_url`` when given); restore on exit."""
    base, gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    Route.BASE = api_url.rstrip("/")
    if gateway_url:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
    try:
        yield
    finally:
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = base, gateway


async def use_announced_gateway(client: discord.Client) -> None:
    """Connect to the gateway the REST API announces (``GET /gateway``).

    discord.py otherwise uses Discord's well-known gateway, which is right only when the REST
    root is Discord's own.
    """
    announced = await client.http.request(Route("GET", "/gateway"))
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(announced["url"])
