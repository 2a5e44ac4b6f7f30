"""``research-coach discord sync [--guild ID]``: the only place commands are synced."""

from __future__ import annotations

import asyncio
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.discord import cli
from tests.adapters.discord.conftest import LAB
from tests.adapters.discord.transcript import TOKEN, settings
from tests.fakes.discord import APPLICATION_ID, FakeDiscord

SLASH = ["checkin", "goal", "reflect", "log", "review", "wins", "predict", "ask", "coach"]
# The slash commands, then the message command (a message's Apps menu).
ALL = [*SLASH, "Save to notebook"]


async def test_sync_registers_the_commands_globally(fake: FakeDiscord) -> None:
    names = await cli.sync_commands(settings(fake))

    assert names == ALL
    (put,) = fake.find("PUT", rf"/applications/{APPLICATION_ID}/commands")
    assert [c["name"] for c in put.json] == ALL
    assert [c.get("type", 1) for c in put.json] == [1] * len(SLASH) + [3]  # 3: MESSAGE
    goal = next(c for c in put.json if c["name"] == "goal")
    assert [o["name"] for o in goal["options"]] == [
        "list",
        "set",
        "show",
        "update",
        "achieved",
        "abandon",
        "premortem",
        "connect",
        "disconnect",
    ]
    checkin = next(c for c in put.json if c["name"] == "checkin")
    assert checkin["options"][0]["autocomplete"] is True
    assert all(c["contexts"] == [0] for c in put.json)  # servers only


@pytest.fixture(autouse=True)
def empty_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run where no .env file can add settings."""
    monkeypatch.chdir(tmp_path)


def _invoke(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    result = CliRunner().invoke(cli.app, args, env=env)
    return result.exit_code, result.output


async def test_the_cli_syncs_to_one_guild(fake: FakeDiscord) -> None:
    env = {"COACH_DISCORD_TOKEN": TOKEN, "COACH_DISCORD_API_URL": fake.api_url}
    # The command runs its own event loop, so it runs in a thread; the fake serves from here.
    code, output = await asyncio.to_thread(_invoke, ["sync", "--guild", str(LAB)], env)

    assert code == 0, output
    assert f"Synced 10 commands in server {LAB}: /checkin /goal" in output
    assert "/coach 'Save to notebook'" in output
    assert fake.find("PUT", rf"/applications/{APPLICATION_ID}/guilds/{LAB}/commands")
    assert TOKEN not in output


def test_the_cli_needs_a_token(no_env: None) -> None:
    code, output = _invoke(["sync"], {})
    assert code == 2
    assert "COACH_DISCORD_TOKEN" in output


async def test_a_refused_token_is_said_plainly(
    fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unauthorized(call: object) -> tuple[int, object]:
        return 401, {"message": "401: Unauthorized", "code": 0}

    routes = fake._routes

    def refusing():  # type: ignore[no-untyped-def]
        for method, path, handler in routes():
            yield method, path, unauthorized if path == r"/users/@me" else handler

    monkeypatch.setattr(fake, "_routes", refusing)
    env = {"COACH_DISCORD_TOKEN": TOKEN, "COACH_DISCORD_API_URL": fake.api_url}
    code, output = await asyncio.to_thread(_invoke, ["sync"], env)
    assert code == 1
    assert "Discord refused the token" in output
    assert TOKEN not in output


def test_the_subcommand_is_registered_for_research_coach() -> None:
    (point,) = [p for p in entry_points(group="research_coach.cli") if p.name == "discord"]
    assert point.load() is cli.app
