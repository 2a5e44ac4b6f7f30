"""Start-up: the Discord adapter builds one client, wires it to the coach and runs it.

``DiscordAdapter`` is the entry point the core discovers (``research_coach.adapters``);
``DiscordApp`` is one running client with its command tree, components, dispatcher and
messenger. Commands are never synced here: ``research-coach discord sync`` does that.
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from adapters.discord import commands, components
from adapters.discord.client import (
    DISCORD_API,
    endpoints,
    new_client,
    shard_problems,
    use_announced_gateway,
)
from adapters.discord.dispatch import Dispatcher
from adapters.discord.dm_routes import DmRoutes
from adapters.discord.doctor import checkup
from adapters.discord.messenger import DiscordMessenger
from adapters.discord.observe import Observer
from adapters.discord.refusals import Refusals
from bot.ack import ACK_BUDGET
from bot.adapter import RunOptions
from bot.checks import Check
from bot.coach import Coach
from bot.events import Actor, DmRefused, Intent, MemberLeft, TenantRef, TryAgainLater
from bot.pacing import Pacer
from bot.settings import Settings

log = logging.getLogger(__name__)

DRAIN_SECONDS = 10.0  # on stop, answers in flight get this long to finish


class DiscordApp:
    """One Discord client serving the coach.

    >>> app = DiscordApp(coach, settings)
    >>> await app.run()  # until cancelled
    """

    def __init__(
        self,
        coach: Coach,
        settings: Settings,
        *,
        ack_budget: float = ACK_BUDGET,
        pace: Pacer | None = None,
        **client_options: Any,
    ) -> None:
        self.coach = coach
        self.settings = settings
        self.refusals = Refusals()  # 403s and invalid requests, far from Discord's ban
        self.observer = Observer(self.refusals)  # 429s and ack times, for bot.metrics
        self.client = new_client(settings, http_trace=self.observer.trace(), **client_options)
        self.tree = commands.new_tree(self.client)
        self.routes = DmRoutes(coach.surface)
        self.messenger = DiscordMessenger(
            self.client,
            self.record_dm_refusal,
            pace,
            self.routes.dm_sent,
            self.refusals,
            record_departure=self.record_departure,
            prompts=coach.prompts,
        )
        self.dispatcher = Dispatcher(
            coach, self.messenger, self.routes, ack_budget=ack_budget, observer=self.observer
        )
        commands.install(self.tree, self.dispatcher, coach.prompts)
        components.bind(self.client, self.dispatcher)
        self._listen()

    def _listen(self) -> None:
        dispatcher = self.dispatcher

        @self.client.event
        async def on_interaction(interaction: discord.Interaction) -> None:
            await dispatcher.on_interaction(interaction)

        @self.client.event
        async def on_message(message: discord.Message) -> None:
            await dispatcher.on_message(message)

        @self.client.event
        async def on_guild_remove(guild: discord.Guild) -> None:
            await dispatcher.on_guild_remove(guild)

    async def run(self) -> None:
        """Log in and serve until cancelled or disconnected for good."""
        if self.settings.discord_token is None:
            raise ValueError("COACH_DISCORD_TOKEN is not set")
        api, gateway = self.settings.discord_api_url, self.settings.discord_gateway_url
        with endpoints(api, gateway):
            try:
                await self.client.login(self.settings.discord_token.get_secret_value())
                if gateway is None and api.rstrip("/") != DISCORD_API:
                    await use_announced_gateway(self.client)
                await self.client.connect()
            finally:
                await self.close()

    async def connected(self) -> bool:
        """Logged in, and every gateway connection open (false while discord.py reconnects)."""
        client = self.client
        if not client.is_ready() or client.is_closed():
            return False
        if isinstance(client, discord.AutoShardedClient):
            return all(not shard.is_closed() for shard in client.shards.values())
        return client.ws is not None and client.ws.open

    async def close(self) -> None:
        """Let answers in flight finish (briefly), then disconnect."""
        if not await self.dispatcher.inflight.drain(DRAIN_SECONDS):
            log.warning("stopping with %d answers unfinished", self.dispatcher.inflight.busy)
        await self.client.close()

    async def record_dm_refusal(self, tenant: TenantRef, user_id: str) -> None:
        """Tell the coach Discord refused a DM to a member (error 50007): it records so."""
        if _not_saved(await self.coach.handle(DmRefused(Actor(tenant, user_id)))):
            log.warning("could not record a refused DM: the database is unavailable")

    async def record_departure(self, tenant: TenantRef, user_id: str) -> None:
        """Tell the coach a member left the server (Discord answered 10007 Unknown Member)."""
        if _not_saved(await self.coach.handle(MemberLeft(Actor(tenant, user_id)))):
            log.warning("could not record a departure: the database is unavailable")


def _not_saved(intents: list[Intent]) -> bool:
    """The coach could not save (its database is unavailable); ``handle`` never raises so."""
    return any(isinstance(i, TryAgainLater) for i in intents)


class DiscordAdapter:
    """The coach on Discord; starts when ``COACH_DISCORD_TOKEN`` is set."""

    name = "discord"

    def missing(self, settings: Settings) -> list[str]:
        """``["COACH_DISCORD_TOKEN"]`` without a token; a shard setting that does not add up."""
        if settings.discord_token is None:
            return ["COACH_DISCORD_TOKEN"]
        return shard_problems(settings)

    def serves_http(self, settings: Settings) -> bool:
        return False  # the gateway is a connection out: the run serves the probes itself

    async def doctor(self, settings: Settings) -> list[Check]:
        """The token, the application's settings and the synced commands, for
        ``research-coach doctor``."""
        return await checkup(settings)

    async def serve(self, coach: Coach, settings: Settings, options: RunOptions) -> None:
        """Run the bot until cancelled; its messenger is registered for the scheduler."""
        # discord.py's DEBUG output carries interaction tokens and message text.
        library = logging.getLogger("discord")
        if library.getEffectiveLevel() < logging.INFO:
            library.setLevel(logging.INFO)
        app = DiscordApp(coach, settings)
        options.platforms.attach("discord", app.messenger)  # the scheduler reaches members so
        options.platforms.watch("discord", app.connected)
        try:
            await app.run()
        except discord.LoginFailure:
            log.error("Discord refused the bot token: check COACH_DISCORD_TOKEN")
            raise
        except discord.PrivilegedIntentsRequired:  # we ask for none; a changed intent would
            log.error("Discord refused an intent this bot does not need: please report it")
            raise
        finally:
            options.platforms.detach("discord")  # deliveries wait for the next start
