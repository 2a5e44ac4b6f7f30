"""Start-up: the Bolt app, in Socket Mode (one workspace, no public URL) or HTTP mode (one
URL for events, commands and interactivity; OAuth for many workspaces)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import doctor, translate
from adapters.slack.client import secret, web_client
from adapters.slack.deliver import Outbox
from adapters.slack.directory import Directory
from adapters.slack.http import SlackServer
from adapters.slack.install_states import StateStore
from adapters.slack.installations import InstallationStore
from adapters.slack.listeners import Listeners
from adapters.slack.manifest import BOT_SCOPES
from adapters.slack.messenger import SlackMessenger
from bot.adapter import RunOptions, oauth_stores
from bot.checks import Check
from bot.coach import Coach
from bot.events import TenantRef, plain
from bot.health import readiness
from bot.pacing import Pacer
from bot.prompts import load_prompts
from bot.settings import Settings, token_keys

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
OAUTH_STATE_SECONDS = 600
# The name Bolt logs under: given, since without one Bolt names the app after the file that
# built it by walking the whole call stack (inspect.stack), a tenth of a second each time.
BOLT_NAME = "app.py"


@dataclass
class SlackRuntime:
    """Everything one Slack app needs, built once: tests drive it directly."""

    app: AsyncApp
    listeners: Listeners
    messenger: SlackMessenger
    socket_mode: bool


def build(coach: Coach, settings: Settings, pacer: Pacer | None = None) -> SlackRuntime:
    bot_token = secret(settings.slack_bot_token)
    app_token = secret(settings.slack_app_token)
    client_secret = secret(settings.slack_client_secret)
    socket_mode = app_token is not None
    directory = Directory()

    def forget(tenant: TenantRef, user: str) -> None:  # a member asked to be forgotten
        if tenant.platform == translate.PLATFORM:
            directory.forget_member(tenant.external_id, user)

    coach.forgetting.add(forget)
    outbox = Outbox(directory, pacer or Pacer(), coach.prompts, coach.follow_up, coach.handle)
    installations = None
    if settings.slack_client_id and client_secret and not socket_mode:
        vault, states = oauth_stores(
            coach, settings.slack_client_id, token_keys(settings.slack_token_keys)
        )
        installations = InstallationStore(vault)
        app = AsyncApp(
            name=BOLT_NAME,
            signing_secret=secret(settings.slack_signing_secret) or "",
            client=web_client(settings),
            oauth_settings=AsyncOAuthSettings(
                client_id=settings.slack_client_id,
                client_secret=client_secret,
                scopes=list(BOT_SCOPES),
                installation_store=installations,
                state_store=StateStore(states, OAUTH_STATE_SECONDS),
                install_path=INSTALL_PATH,
                redirect_uri_path=REDIRECT_PATH,
            ),
        )
    else:
        app = AsyncApp(
            name=BOLT_NAME,
            signing_secret=secret(settings.slack_signing_secret) or "",
            client=web_client(settings, bot_token),
            # Socket Mode requests come over our own websocket, not signed HTTP.
            request_verification_enabled=not socket_mode,
        )
    listeners = Listeners(coach, outbox, directory, installations)
    listeners.register(app)
    app.error(_log_error)
    messenger = SlackMessenger(
        outbox, lambda team: _client_for(settings, bot_token, installations, team)
    )
    return SlackRuntime(app, listeners, messenger, socket_mode)


async def _client_for(
    settings: Settings,
    bot_token: str | None,
    installations: InstallationStore | None,
    team: str,
) -> AsyncWebClient:
    """A client holding the bot token of ``team`` (one token, or the team's installation)."""
    if installations is None:
        return web_client(settings, bot_token)
    bot = await installations.async_find_bot(enterprise_id=None, team_id=team)
    if bot is None or not bot.bot_token:
        raise LookupError(f"no Slack installation for workspace {team}")
    return web_client(settings, bot.bot_token)


async def _log_error(error: Exception) -> None:
    # Our RedactingFilter keeps tokens out of this line.
    log.error("Slack listener failed: %s", error, exc_info=error)


class SlackAdapter:
    """Slack: needs a bot token (or an OAuth client) and a mode (app token or signing secret)."""

    name = "slack"

    def missing(self, settings: Settings) -> list[str]:
        needs = []
        oauth = settings.slack_client_id and settings.slack_client_secret
        if settings.slack_app_token is None and settings.slack_signing_secret is None:
            needs.append(plain(load_prompts().say("slack_needs_a_mode")))
        if settings.slack_bot_token is None and (not oauth or settings.slack_app_token):
            needs.append("COACH_SLACK_BOT_TOKEN")
        return needs

    def serves_http(self, settings: Settings) -> bool:
        return settings.slack_app_token is None  # HTTP mode; Socket Mode connects out

    async def doctor(self, settings: Settings) -> list[Check]:
        """Tokens, scopes and reachability, for ``research-coach doctor``."""
        return await doctor.checkup(settings)

    async def serve(self, coach: Coach, settings: Settings, options: RunOptions) -> None:
        runtime = build(coach, settings)
        options.platforms.attach("slack", runtime.messenger)
        if runtime.socket_mode:
            handler = AsyncSocketModeHandler(
                runtime.app,
                secret(settings.slack_app_token),
                web_client=web_client(settings),
            )
            log.info("Slack: Socket Mode")
            await handler.connect_async()  # type: ignore[no-untyped-call]
            options.platforms.watch("slack", handler.client.is_connected)
            try:
                await asyncio.Event().wait()
            finally:
                options.platforms.unwatch("slack")
                await handler.close_async()  # type: ignore[no-untyped-call]
            return
        server = SlackServer(
            runtime.app, lambda: readiness(coach, options), extra_routes=options.routes
        )
        port = await server.start(settings.http_host, settings.http_port)
        log.info("Slack: HTTP mode on %s:%s (POST /slack/events)", settings.http_host, port)
        try:
            await asyncio.Event().wait()
        finally:
            await server.stop()
