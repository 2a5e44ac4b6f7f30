"""Discord's part of ``research-coach doctor``: the token logs in, the application is set up so
slash commands reach this bot, the intents need nothing from the Developer Portal, and the
commands registered for every server are this version's.

It logs in over REST only (``GET /users/@me``, ``GET /oauth2/applications/@me``,
``GET /applications/{id}/commands``); it never opens the gateway, so a running bot is not
disturbed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from typing import Any

import aiohttp
import discord

from adapters.discord import commands
from adapters.discord.cli import NotServing
from adapters.discord.client import endpoints, intents, new_client
from bot.checks import Check, failure_reason
from bot.settings import Settings

DISCORD_SECONDS = 20.0  # the three requests together (discord.py retries a 5xx a few times)
TOKEN_HINT = "check COACH_DISCORD_TOKEN: Developer Portal → your application → Bot → Reset Token"
TROUBLE_HINT = "Discord may be having trouble (discordstatus.com); or check COACH_DISCORD_API_URL"
SYNC_HINT = (
    "run `research-coach discord sync` (after every upgrade too); commands synced with --guild "
    "are not counted here"
)
# A privileged intent and the application flags that allow it (full, or below 100 servers).
PRIVILEGED = {
    "members": ("gateway_guild_members", "gateway_guild_members_limited"),
    "presences": ("gateway_presence", "gateway_presence_limited"),
    "message_content": ("gateway_message_content", "gateway_message_content_limited"),
}
SUBCOMMAND, SUBCOMMAND_GROUP = 1, 2  # Discord's option types


async def checkup(settings: Settings) -> list[Check]:
    """Every Discord check for these settings; a refused token or no answer stops the rest."""
    if settings.discord_token is None:
        return [Check.off("discord: COACH_DISCORD_TOKEN is not set")]
    client = new_client(settings)
    where = settings.discord_api_url
    with endpoints(where, None):  # REST only: the gateway is never opened here
        try:
            async with asyncio.timeout(DISCORD_SECONDS):
                await client.login(settings.discord_token.get_secret_value())
                info = client.application or await client.application_info()
                listed = await client.http.get_global_commands(info.id)
        except discord.LoginFailure:
            return [Check.fail("discord bot token: Discord refused it (401)", TOKEN_HINT)]
        except discord.HTTPException as exc:
            hint = TOKEN_HINT if exc.status in (401, 403) else TROUBLE_HINT
            return [Check.fail(f"discord: {where} answered HTTP {exc.status}", hint)]
        except (aiohttp.ClientError, OSError) as exc:
            return [
                Check.fail(
                    f"discord: no answer from {where} ({failure_reason(exc)})",
                    "check the network and proxy to Discord (or COACH_DISCORD_API_URL)",
                )
            ]
        finally:
            await client.close()
    return [
        Check.ok(f"discord bot token: bot {client.user} of application {info.name} ({info.id})"),
        *application_checks(info),
        intents_check(intents(), info.flags),
        commands_check(listed),
    ]


def application_checks(info: discord.AppInfo) -> list[Check]:
    """Application settings that keep slash commands or invites from working."""
    checks = []
    if info.interactions_endpoint_url:
        checks.append(
            Check.fail(
                "discord application: an Interactions Endpoint URL is set, so Discord sends "
                "slash commands and buttons there instead of to this bot",
                "clear it: Developer Portal → General Information → Interactions Endpoint URL",
            )
        )
    if info.bot_require_code_grant:
        checks.append(
            Check.warn(
                "discord application: adding the bot requires the full OAuth2 code grant, so "
                "the usual invite link fails",
                "turn off Developer Portal → Bot → Requires OAuth2 Code Grant",
            )
        )
    if info.flags.verification_pending_guild_limit:
        checks.append(
            Check.warn(
                "discord application: at the server limit of unverified apps; no new server "
                "can add the bot until Discord verifies it",
                "apply under Developer Portal → App Verification",
            )
        )
    if not checks:
        checks.append(Check.ok("discord application: slash commands come to this bot"))
    return checks


def intents_check(chosen: discord.Intents, flags: discord.ApplicationFlags) -> Check:
    """Whether the portal allows every privileged intent we ask for (today: none)."""
    used = [name for name, on in chosen if on]
    blocked = [
        name
        for name, allowed_by in PRIVILEGED.items()
        if getattr(chosen, name) and not any(getattr(flags, flag) for flag in allowed_by)
    ]
    if blocked:
        return Check.fail(
            f"discord intents: {', '.join(blocked)} not enabled for the application",
            "enable them under Developer Portal → Bot → Privileged Gateway Intents",
        )
    privileged = [name for name in PRIVILEGED if getattr(chosen, name)]
    enabled = f"{', '.join(privileged)} enabled" if privileged else "none privileged"
    return Check.ok(f"discord intents: {', '.join(used)} ({enabled})")


def commands_check(listed: Iterable[Mapping[str, Any]]) -> Check:
    """Whether the commands Discord lists for every server are this version's, by name and
    subcommand."""
    ours = {command.name: _ours(command) for command in commands.build(NotServing())}
    theirs = {str(c["name"]): _theirs(c) for c in listed}
    if not theirs:
        return Check.warn("discord commands: none registered for every server", SYNC_HINT)
    missing = [f"/{name}" for name in ours if name not in theirs]
    changed = [f"/{name}" for name in ours if name in theirs and theirs[name] != ours[name]]
    extra = [f"/{name}" for name in theirs if name not in ours]
    if missing or changed or extra:
        problems = [
            f"{label} {' '.join(names)}"
            for label, names in (("missing", missing), ("changed", changed), ("not ours", extra))
            if names
        ]
        return Check.warn(f"discord commands: out of date: {'; '.join(problems)}", SYNC_HINT)
    return Check.ok(f"discord commands: all {len(ours)} registered for every server")


def _ours(command: Any) -> list[str]:
    return sorted(sub.name for sub in getattr(command, "commands", []))


def _theirs(command: Mapping[str, Any]) -> list[str]:
    options = command.get("options") or []
    return sorted(
        str(o["name"]) for o in options if o.get("type") in (SUBCOMMAND, SUBCOMMAND_GROUP)
    )
