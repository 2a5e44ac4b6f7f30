"""Slack under test: the real Bolt app behind our real aiohttp server, requests signed like
Slack signs them, and a fake Slack Web API on 127.0.0.1 that records every call."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
import pytest
from slack_sdk.oauth.installation_store import Installation

from adapters.slack.app import SlackRuntime, build
from adapters.slack.http import SlackServer
from bot.coach import Coach
from bot.pacing import Pacer
from bot.settings import Settings
from tests.fakes import created
from tests.fakes.slack import FakeSlack, event_body, interaction_body, sign, slash_command_body

SECRET = "test-signing-secret"
TOKENS = {"T1": "xoxb-team-one", "T2": "xoxb-team-two"}


@dataclass
class SlackHarness:
    """Type at Slack as a member: ``await slack.command("/log", "ran the ablation")``."""

    fake: FakeSlack
    http: httpx.AsyncClient
    runtime: SlackRuntime
    server: SlackServer
    events_url: str
    sent: list[httpx.Response] = field(default_factory=list)
    triggers: list[str] = field(default_factory=list)  # given with each command or interaction

    def trigger(self) -> str:
        self.triggers.append(self.fake.trigger_id())
        return self.triggers[-1]

    async def post(
        self,
        body: str,
        content_type: str,
        headers: dict[str, str] | None = None,
        signed: bool = True,
    ) -> httpx.Response:
        all_headers = {"Content-Type": content_type, **(sign(SECRET, body) if signed else {})}
        all_headers.update(headers or {})
        answer = await self.http.post(self.events_url, content=body, headers=all_headers)
        self.sent.append(answer)
        return answer

    async def command(
        self,
        command: str,
        text: str = "",
        *,
        team: str = "T1",
        user: str = "U1",
        channel: str = "C1",
        key: str | None = None,
    ) -> httpx.Response:
        body = slash_command_body(
            command,
            text,
            team_id=team,
            user_id=user,
            channel_id=channel,
            response_url=self.fake.response_url(key or f"{team}-{user}"),
            trigger_id=self.trigger(),  # fresh, like Slack's: it opens one modal
        )
        return await self.post(body, "application/x-www-form-urlencoded")

    async def interact(self, payload: dict[str, Any]) -> httpx.Response:
        return await self.post(interaction_body(payload), "application/x-www-form-urlencoded")

    async def event(
        self,
        event: dict[str, Any],
        *,
        team: str = "T1",
        event_id: str = "Ev1",
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        return await self.post(
            event_body(event, team_id=team, event_id=event_id), "application/json", headers
        )

    async def submit(
        self, view: dict[str, Any], values: dict[str, str], *, team: str = "T1", user: str = "U1"
    ) -> httpx.Response:
        """Submit a modal the coach opened, filled in with ``values`` (block id → text)."""
        payload = {
            "type": "view_submission",
            "team": {"id": team, "domain": "lab"},
            "user": {"id": user, "name": user.lower(), "team_id": team},
            "api_app_id": "A1",
            "trigger_id": self.trigger(),
            "view": {**view, "id": "V1", "state": {"values": filled(view, values)}},
        }
        return await self.interact(payload)

    async def close(
        self, view: dict[str, Any], values: dict[str, str], *, team: str = "T1", user: str = "U1"
    ) -> httpx.Response:
        """Close a modal with Cancel after typing ``values``: Slack sends ``view_closed`` (with
        the view's state, and no trigger_id nor response_url) when it was opened with
        ``notify_on_close``, and nothing otherwise."""
        if not view.get("notify_on_close"):
            raise AssertionError("Slack sends nothing when this modal is closed")
        payload = {
            "type": "view_closed",
            "team": {"id": team, "domain": "lab"},
            "user": {"id": user, "name": user.lower(), "team_id": team},
            "api_app_id": "A1",
            "view": {**view, "id": "V1", "state": {"values": filled(view, values)}},
            "is_cleared": False,
        }
        return await self.interact(payload)

    async def press(
        self,
        button: dict[str, Any],
        *,
        team: str = "T1",
        user: str = "U1",
        channel: str = "C1",
        key: str | None = None,
    ) -> httpx.Response:
        """Press a button from a message the coach sent (an element of an actions block)."""
        payload = {
            "type": "block_actions",
            "team": {"id": team, "domain": "lab"},
            "user": {"id": user, "name": user.lower(), "team_id": team},
            "api_app_id": "A1",
            "trigger_id": self.trigger(),
            "channel": {"id": channel},
            "container": {"type": "message", "channel_id": channel, "is_ephemeral": True},
            "response_url": self.fake.response_url(key or f"{team}-{user}-button"),
            "actions": [{**button, "block_id": "rc-buttons", "type": "button", "action_ts": "1.0"}],
        }
        return await self.interact(payload)

    async def opened_view(self, count: int = 1) -> dict[str, Any]:
        """The modal of the ``count``-th views.open call."""
        calls = await self.fake.wait_for("views.open", count)
        view = calls[count - 1].args["view"]
        return view if isinstance(view, dict) else json.loads(view)

    async def responses(self, count: int = 1) -> list[dict[str, Any]]:
        """What the coach said through response_urls (private replies), oldest first."""
        return [c.args for c in await self.fake.wait_for("response_url", count)]


def filled(view: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
    """A modal's ``state.values`` as Slack sends them, with ``values`` (block id → text) typed."""
    state: dict[str, Any] = {}
    for block in view["blocks"]:
        element = block["element"]
        text = values.get(block["block_id"], "")
        if element["type"] == "static_select":
            option = next((o for o in element["options"] if o["value"] == text), None)
            typed = {"type": "static_select", "selected_option": option}
        else:
            typed = {"type": "plain_text_input", "value": text or None}
        state[block["block_id"]] = {"value": typed}
    return state


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 3.0) -> None:
    """Wait until ``check()`` holds: events are acked first and handled right after."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not await check():
        if loop.time() > deadline:
            raise AssertionError("the expected state never came")
        await asyncio.sleep(0.02)


def buttons_of(message: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Button label → button element, from a message's blocks."""
    found = {}
    for block in message.get("blocks") or []:
        if block.get("type") == "actions":
            for element in block["elements"]:
                found[element["text"]["text"]] = element
    return found


def text_of(message: dict[str, Any]) -> str:
    parts = [message.get("text") or ""]
    for block in message.get("blocks") or []:
        if block.get("type") == "section":
            parts.append(block["text"]["text"])
    return "\n".join(parts)


def settings_for(fake: FakeSlack, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": TOKENS["T1"],
        "slack_signing_secret": SECRET,
        "slack_api_url": fake.api_url,
        **extra,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


async def start(coach: Coach, fake: FakeSlack, settings: Settings) -> AsyncIterator[SlackHarness]:
    # Pacing is tested on its own (tests/test_pacing.py); here it would only slow the talk down.
    runtime = build(coach, settings, Pacer(per_channel=0.0, per_tenant=0.0))
    server = SlackServer(runtime.app)
    port = await server.start("127.0.0.1", 0)
    async with httpx.AsyncClient(timeout=10) as http:
        yield SlackHarness(fake, http, runtime, server, f"http://127.0.0.1:{port}/slack/events")
    await server.stop()


@pytest.fixture(autouse=True)
def slack_takes_every_request() -> Iterator[None]:
    """After each test, every request the fake Slack recorded is checked against Slack's
    published spec (methods, required arguments, types) and Block Kit's limits: the bot never
    sends what Slack would refuse, whatever the test looked at."""
    yield
    problems = [p for fake in created if isinstance(fake, FakeSlack) for p in fake.spec_problems()]
    assert problems == [], "Slack would refuse:\n" + "\n".join(problems)


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        for team, token in TOKENS.items():
            fake.add_workspace(team, token)
            fake.invite(team, "C1")  # the team channel, where the bot was invited at install
        fake.set_user("U1", name="ada", real_name="Ada Lovelace", tz="Europe/London")
        yield fake


@pytest.fixture
async def slack(coach: Coach, fake_slack: FakeSlack) -> AsyncIterator[SlackHarness]:
    """One workspace (T1), one bot token, HTTP mode."""
    async for harness in start(coach, fake_slack, settings_for(fake_slack)):
        yield harness


async def install_every_workspace(
    harness: SlackHarness, scopes: str = "commands,chat:write"
) -> None:
    """OAuth mode: each workspace of ``TOKENS`` installed, as the install flow would store it."""
    store = harness.runtime.listeners.installations
    assert store is not None
    for team, token in TOKENS.items():
        await store.async_save(
            Installation(
                app_id="A1",
                enterprise_id=None,
                team_id=team,
                team_name=team,
                bot_token=token,
                bot_id=f"B{team}",
                bot_user_id="UBOT",
                bot_scopes=scopes,
                user_id="UINSTALLER",
                installed_at=datetime.now().timestamp(),
            )
        )
