"""Socket Mode: with an app token the adapter connects out to Slack's websocket; no public URL."""

from __future__ import annotations

import asyncio
import contextlib

from sqlalchemy import select

from adapters.slack.app import SlackAdapter
from bot.adapter import RunOptions
from bot.coach import Coach
from bot.store.models import NotebookEntry
from tests.adapters.slack.conftest import settings_for, text_of
from tests.fakes.slack import FakeSlack


async def test_socket_mode_starts_and_serves_a_command(coach: Coach, fake_slack: FakeSlack) -> None:
    settings = settings_for(
        fake_slack, slack_app_token="xapp-1-A1-123-abc", slack_signing_secret=None
    )
    adapter = SlackAdapter()
    assert adapter.missing(settings) == []
    running = asyncio.create_task(adapter.serve(coach, settings, RunOptions()))
    try:
        await asyncio.wait_for(fake_slack.socket_connected.wait(), 5)
        (opened,) = fake_slack.calls("apps.connections.open")
        assert opened.token == "xapp-1-A1-123-abc"
        await fake_slack.socket_send(
            {
                "envelope_id": "env-1",
                "type": "slash_commands",
                "accepts_response_payload": True,
                "payload": {
                    "command": "/log",
                    "text": "over the socket",
                    "team_id": "T1",
                    "user_id": "U1",
                    "user_name": "ada",
                    "channel_id": "C1",
                    "trigger_id": fake_slack.trigger_id(),
                    "response_url": fake_slack.response_url("socket"),
                    "api_app_id": "A1",
                    "team_domain": "lab",
                    "channel_name": "team",
                },
            }
        )
        await fake_slack.wait_for_ack("env-1")
        (reply,) = [c.args for c in await fake_slack.wait_for("response_url")]
        assert "Noted in your notebook." in text_of(reply)
        async with coach.db.session() as session:
            stored = (await session.execute(select(NotebookEntry.text))).scalars().all()
        assert stored == ["over the socket"]
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running


def test_what_each_mode_needs(fake_slack: FakeSlack) -> None:
    adapter = SlackAdapter()
    nothing = settings_for(fake_slack, slack_bot_token=None, slack_signing_secret=None)
    assert len(adapter.missing(nothing)) == 2
    http = settings_for(fake_slack)
    assert adapter.missing(http) == []
    oauth = settings_for(
        fake_slack, slack_bot_token=None, slack_client_id="1.2", slack_client_secret="s"
    )
    assert adapter.missing(oauth) == []
    socket_without_bot = settings_for(
        fake_slack, slack_bot_token=None, slack_app_token="xapp-1", slack_signing_secret=None
    )
    assert adapter.missing(socket_without_bot) == ["COACH_SLACK_BOT_TOKEN"]
