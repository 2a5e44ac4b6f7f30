"""``research-coach doctor``: a healthy deployment is all ok; the LLM is checked for real and only
ever warns. Slack's and Discord's own checks: tests/adapters/*/test_doctor.py."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from adapters.discord.cli import sync_commands
from bot.checks import Check, Status, failure_reason
from bot.doctor import make_url_safe
from bot.settings import Settings
from tests.diagnose import closed_port, diagnose
from tests.fakes.discord import APPLICATION_ID, FakeDiscord
from tests.fakes.llm import FakeLLM
from tests.fakes.slack import FakeSlack

BOT_TOKEN = "xoxb-healthy-bot-token"
APP_TOKEN = "xapp-healthy-app-token"
DISCORD_TOKEN = "discord-healthy-token-value"
LLM_KEY = "sk-llm-doctor-key"


@pytest.fixture
async def llm() -> AsyncIterator[FakeLLM]:
    async with FakeLLM(key=LLM_KEY) as server:
        yield server


def discord_settings(fake: FakeDiscord) -> Settings:
    values: dict[str, Any] = {"discord_token": DISCORD_TOKEN, "discord_api_url": fake.api_url}
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def llm_env(llm: FakeLLM, **extra: str) -> dict[str, str]:
    return {
        "COACH_LLM_BASE_URL": llm.base_url,
        "COACH_LLM_MODEL": "fake-model",
        "COACH_LLM_API_KEY": LLM_KEY,
        **extra,
    }


async def test_a_healthy_deployment_is_all_ok_and_exits_0(tmp_path: Path, llm: FakeLLM) -> None:
    async with FakeSlack() as slack:
        slack.add_workspace("T1", BOT_TOKEN, "UBOT", team_name="Lab")
        discord = await FakeDiscord().start()
        try:
            discord.bot_token = DISCORD_TOKEN
            env = {
                "COACH_SLACK_BOT_TOKEN": BOT_TOKEN,
                "COACH_SLACK_APP_TOKEN": APP_TOKEN,
                "COACH_SLACK_API_URL": slack.api_url,
                "COACH_DISCORD_TOKEN": DISCORD_TOKEN,
                "COACH_DISCORD_API_URL": discord.api_url,
                **llm_env(llm),
            }
            await sync_commands(discord_settings(discord))  # as `research-coach discord sync`
            found = await diagnose(tmp_path, **env)
        finally:
            await discord.close()

    assert found.code == 0, found.stdout + found.stderr
    assert found.labelled("warn") == [] and found.labelled("FAIL") == [], found.stdout
    assert found.line("ok   slack bot token").endswith("@coach (UBOT) in workspace Lab (T1)")
    found.line("ok   slack scopes: all 7 the manifest asks for")
    found.line("ok   slack socket mode: the app token opens a connection")
    assert f"({APPLICATION_ID})" in found.line("ok   discord bot token")
    found.line("ok   discord application")
    found.line("ok   discord intents: guilds, dm_messages (none privileged)")
    found.line("ok   discord commands: all 10 registered for every server")
    found.line("ok   LLM follow-ups: fake-model at")
    found.line("ok   database reachable")
    # Every check line is ok, or off on purpose (the analysis model, in this test).
    assert {line.split(" ", 1)[0] for line in found.lines} <= {"ok", "--"}, found.stdout
    # What the fakes were asked, with which token.
    assert [c.token for c in slack.calls("auth.test")] == [BOT_TOKEN]
    assert [c.token for c in slack.calls("apps.connections.open")] == [APP_TOKEN]
    assert [r.path for r in llm.requests] == ["/v1/models"]
    assert discord.find("GET", rf"/applications/{APPLICATION_ID}/commands")
    assert discord.unexpected() == []
    output = found.stdout + found.stderr
    for secret in (BOT_TOKEN, APP_TOKEN, DISCORD_TOKEN, LLM_KEY):
        assert secret not in output
    assert "Unclosed" not in found.stderr and "ResourceWarning" not in found.stderr


async def test_an_llm_that_is_down_only_warns(tmp_path: Path) -> None:
    down = f"http://127.0.0.1:{closed_port()}/v1"
    found = await diagnose(
        tmp_path, COACH_LLM_BASE_URL=down, COACH_LLM_MODEL="m", COACH_LLM_API_KEY=LLM_KEY
    )

    assert found.code == 0, found.stdout + found.stderr
    host = down.removesuffix("/v1")  # scheme and host only: a path may carry a key
    assert found.line("warn LLM follow-ups").endswith(f"{host} unreachable (cannot connect)")
    assert "template follow-ups" in found.hint("warn LLM follow-ups")
    assert LLM_KEY not in found.stdout + found.stderr


async def test_a_refused_llm_key_warns_without_showing_it(tmp_path: Path, llm: FakeLLM) -> None:
    wrong = "sk-wrong-key-for-doctor"
    found = await diagnose(tmp_path, **llm_env(llm, COACH_LLM_API_KEY=wrong))

    assert found.code == 0
    assert "refused the key (HTTP 401)" in found.line("warn LLM follow-ups")
    assert "COACH_LLM_API_KEY" in found.hint("warn LLM follow-ups")
    assert wrong not in found.stdout + found.stderr
    assert [r.headers["Authorization"] for r in llm.requests] == [f"Bearer {wrong}"]


async def test_a_model_the_llm_does_not_serve_warns(tmp_path: Path, llm: FakeLLM) -> None:
    llm.models = ["other-model", "third-model"]
    found = await diagnose(tmp_path, **llm_env(llm))

    assert found.code == 0
    line = found.line("warn LLM follow-ups")
    assert "does not serve fake-model (it lists other-model, third-model)" in line
    assert "COACH_LLM_MODEL" in found.hint("warn LLM follow-ups")


async def test_an_llm_without_a_model_list_gets_a_one_token_completion(
    tmp_path: Path, llm: FakeLLM
) -> None:
    llm.models = None  # GET /models: 404, as on servers that only do chat completions
    found = await diagnose(tmp_path, **llm_env(llm))

    assert found.code == 0
    assert found.line("ok   LLM follow-ups").endswith("answers (a one-token chat completion)")
    models, chat = llm.requests
    assert (models.path, chat.path) == ("/v1/models", "/v1/chat/completions")
    assert chat.body["model"] == "fake-model" and chat.body["max_tokens"] == 1


async def test_an_llm_model_unset_warns_and_is_not_called(tmp_path: Path, llm: FakeLLM) -> None:
    found = await diagnose(tmp_path, COACH_LLM_BASE_URL=llm.base_url)

    assert found.code == 0
    assert "COACH_LLM_MODEL is not set" in found.line("warn LLM follow-ups")
    assert llm.requests == []


async def test_a_key_in_the_llm_url_is_never_printed(tmp_path: Path, llm: FakeLLM) -> None:
    """Some LLM gateways take their key in the query string or the path: the doctor shows
    the scheme and host of the URL, nothing more, and still uses the whole of it."""
    query_key, path_key = "sk-query-key-4711", "pathkey-0815"
    url = f"{llm.base_url}/?api_key={query_key}&deployment={path_key}"
    found = await diagnose(tmp_path, **llm_env(llm, COACH_LLM_BASE_URL=url))

    host = llm.base_url.removesuffix("/v1")
    assert found.line("ok   LLM follow-ups").endswith(f"fake-model at {host} answers (GET /models)")
    output = found.stdout + found.stderr
    assert query_key not in output and path_key not in output and "/v1" not in output
    assert [r.path for r in llm.requests] == ["/v1/models"]  # the query kept, after the path


def test_a_url_is_shown_as_its_scheme_and_host_only() -> None:
    assert make_url_safe("https://u:pw@llm.example.org:8443/k/sk-1/v1?key=sk-2") == (
        "https://llm.example.org:8443"
    )
    assert make_url_safe("http://[::1]:8000/v1") == "http://[::1]:8000"
    assert make_url_safe("not a url ?key=sk-3") == "(the configured URL)"


def test_a_check_prints_its_label_and_its_hint_below() -> None:
    check = Check.fail("slack scopes: missing files:write", "reinstall the app")
    assert check.lines() == [
        "FAIL slack scopes: missing files:write",
        "     → reinstall the app",
    ]
    assert Check.ok("database reachable").lines() == ["ok   database reachable"]
    assert [s.value for s in Status] == ["ok", "warn", "FAIL", "--"]


def test_failure_reasons_carry_no_address() -> None:
    assert failure_reason(ConnectionRefusedError("127.0.0.1:9 refused")) == "cannot connect"
    assert failure_reason(TimeoutError()) == "no answer in time"
    assert failure_reason(ValueError("xoxb-secret")) == "ValueError"
