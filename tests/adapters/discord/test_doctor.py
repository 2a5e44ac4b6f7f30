"""``research-coach doctor`` on Discord, run for real against the fake Discord: the token, the
application's settings, the intents and the synced commands."""

from __future__ import annotations

from pathlib import Path

import discord
import pytest

from adapters.discord import cli
from adapters.discord.client import intents
from adapters.discord.doctor import commands_check, intents_check
from bot.checks import Status
from tests.adapters.discord.transcript import TOKEN, settings
from tests.diagnose import Diagnosis, diagnose
from tests.fakes.discord import APPLICATION_ID, FakeDiscord

SYNC = "research-coach discord sync"


async def doctor(tmp_path: Path, fake: FakeDiscord, token: str = TOKEN) -> Diagnosis:
    return await diagnose(tmp_path, COACH_DISCORD_TOKEN=token, COACH_DISCORD_API_URL=fake.api_url)


async def test_a_refused_token_fails_with_a_hint_and_is_never_printed(
    tmp_path: Path, fake: FakeDiscord
) -> None:
    fake.bot_token = TOKEN
    wrong = "not-the-bot-token-of-this-app"
    found = await doctor(tmp_path, fake, wrong)

    assert found.code == 1
    assert found.line("FAIL discord bot token") == (
        "FAIL discord bot token: Discord refused it (401)"
    )
    assert "COACH_DISCORD_TOKEN" in found.hint("FAIL discord bot token")
    assert [c.status for c in fake.calls] == [401]  # one login attempt, refused
    assert wrong not in found.stdout + found.stderr


async def test_commands_not_synced_warn_and_say_how_to_sync(
    tmp_path: Path, fake: FakeDiscord
) -> None:
    fake.bot_token = TOKEN
    found = await doctor(tmp_path, fake)

    assert found.code == 0, found.stdout + found.stderr
    assert found.line("warn discord commands") == (
        "warn discord commands: none registered for every server"
    )
    assert SYNC in found.hint("warn discord commands")
    found.line("ok   discord bot token")
    assert fake.find("GET", rf"/applications/{APPLICATION_ID}/commands")
    assert TOKEN not in found.stdout + found.stderr


async def test_commands_of_another_version_are_named(tmp_path: Path, fake: FakeDiscord) -> None:
    await cli.sync_commands(settings(fake))
    synced = fake.commands["global"]
    goal = next(c for c in synced if c["name"] == "goal")
    goal["options"] = [o for o in goal["options"] if o["name"] != "abandon"]
    synced[:] = [c for c in synced if c["name"] != "review"]
    synced.append({"name": "standup", "description": "an old command", "type": 1})
    found = await doctor(tmp_path, fake)

    assert found.code == 0
    assert found.line("warn discord commands") == (
        "warn discord commands: out of date: missing /review; changed /goal; not ours /standup"
    )
    assert SYNC in found.hint("warn discord commands")


async def test_an_interactions_endpoint_url_fails(tmp_path: Path, fake: FakeDiscord) -> None:
    await cli.sync_commands(settings(fake))
    fake.application["interactions_endpoint_url"] = "https://elsewhere.example/interactions"
    found = await doctor(tmp_path, fake)

    assert found.code == 1
    assert "Interactions Endpoint URL is set" in found.line("FAIL discord application")
    assert "clear it" in found.hint("FAIL discord application")
    found.line("ok   discord commands: all 10 registered")


async def test_a_code_grant_and_the_server_limit_warn(tmp_path: Path, fake: FakeDiscord) -> None:
    await cli.sync_commands(settings(fake))
    fake.application["bot_require_code_grant"] = True
    fake.application["flags"] = discord.ApplicationFlags(
        verification_pending_guild_limit=True
    ).value
    found = await doctor(tmp_path, fake)

    assert found.code == 0
    warned = found.labelled("warn")
    assert len(warned) == 2, found.stdout
    assert "OAuth2 code grant" in warned[0]
    assert "server limit" in warned[1]
    assert not any(line.startswith("ok   discord application") for line in found.lines)


@pytest.mark.parametrize(
    ("flags", "status"),
    [
        (discord.ApplicationFlags(), Status.fail),
        (discord.ApplicationFlags(gateway_message_content_limited=True), Status.ok),
        (discord.ApplicationFlags(gateway_message_content=True), Status.ok),
    ],
)
def test_a_privileged_intent_needs_its_flag(
    flags: discord.ApplicationFlags, status: Status
) -> None:
    chosen = intents()
    chosen.message_content = True  # suppose a later version read message text
    check = intents_check(chosen, flags)
    assert check.status is status
    assert "message_content" in check.what


def test_the_intents_we_use_need_nothing_from_the_portal() -> None:
    check = intents_check(intents(), discord.ApplicationFlags())
    assert check.status is Status.ok
    assert check.what == "discord intents: guilds, dm_messages (none privileged)"


def test_commands_are_compared_by_name_and_subcommand() -> None:
    listed = [{"name": "goal", "options": [{"name": "list", "type": 1}]}]
    check = commands_check(listed)
    assert check.status is Status.warn
    assert "missing /checkin" in check.what and "changed /goal" in check.what
