"""Slack's HTTP endpoint under abuse: JSON nested past what a parser goes gets a 400 (no
server error, no traceback in the log), and install pages opened by the hundred leave no rows
behind once their states expire."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import func, select, table

from adapters.slack import install_states
from adapters.slack.app import OAUTH_STATE_SECONDS, build
from adapters.slack.http import SlackServer
from bot.coach import Coach
from bot.pacing import Pacer
from bot.ports import ManualClock
from tests.adapters.slack.conftest import SlackHarness, settings_for, start
from tests.fakes.slack import FakeSlack

DEPTH = 100_000  # far past the recursion limit of any JSON parser in the request's path


def nested(depth: int = DEPTH) -> str:
    return '{"type": "event_callback", "event": ' + "[" * depth + "]" * depth + "}"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (nested(), "application/json"),
        ('{"a": ' * DEPTH + "1" + "}" * DEPTH, "application/json"),
        ("payload=" + quote(nested()), "application/x-www-form-urlencoded"),
    ],
    ids=["event", "object", "interaction"],
)
async def test_deeply_nested_json_gets_400_and_no_traceback(
    slack: SlackHarness, caplog: pytest.LogCaptureFixture, body: str, content_type: str
) -> None:
    caplog.set_level(logging.DEBUG)
    for signed in (True, False):
        answer = await slack.post(body, content_type, signed=signed)
        assert answer.status_code == 400
    assert [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR] == []
    assert "Traceback" not in caplog.text


@pytest.fixture
async def oauth(
    coach: Coach, fake_slack: FakeSlack
) -> AsyncIterator[tuple[SlackHarness, ManualClock]]:
    """OAuth mode, with the clock that tells which install states expired: the state store
    dates them by the system clock, so this one starts there."""
    settings = settings_for(
        fake_slack, slack_bot_token=None, slack_client_id="111.222", slack_client_secret="shh"
    )
    clock = ManualClock(datetime.now(UTC))
    async for slack in start(coach, fake_slack, settings):
        await slack.server.stop()
        slack.server = SlackServer(build(coach, settings, Pacer(0.0, 0.0)).app, clock=clock)
        port = await slack.server.start("127.0.0.1", 0)
        slack.events_url = f"http://127.0.0.1:{port}/slack/events"
        try:
            yield slack, clock
        finally:
            await slack.server.stop()


async def states(coach: Coach) -> int:
    """Install states stored (slack_sdk's table)."""
    async with coach.db.engine.connect() as connection:
        count = select(func.count()).select_from(table("slack_oauth_states"))
        return int((await connection.execute(count)).scalar_one())


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # aiohttp 3.14 deprecates BasicAuth
async def test_expired_install_states_are_pruned(
    oauth: tuple[SlackHarness, ManualClock], coach: Coach
) -> None:
    slack, clock = oauth
    install = slack.events_url.removesuffix("/slack/events") + "/slack/install"
    for _ in range(300):
        page = await slack.http.get(install)
        assert page.status_code == 200
    assert await states(coach) == 300  # none has expired yet: each page may still be answered
    # Past the last state's expiry, however long the 300 pages took to open.
    clock.advance(timedelta(seconds=OAUTH_STATE_SECONDS, hours=1))
    page = await slack.http.get(install)
    assert re.search(r"state=([\w-]+)", page.text)
    assert await states(coach) == 1  # the new page's


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
async def test_a_flood_of_install_pages_keeps_the_newest(
    oauth: tuple[SlackHarness, ManualClock], coach: Coach
) -> None:
    slack, clock = oauth
    flow = slack.server.bolt.oauth_flow
    assert flow is not None
    issued = [await flow.settings.state_store.async_issue() for _ in range(30)]
    await install_states.prune(flow.settings.state_store, clock.now(), kept=10)
    assert await states(coach) == 10
    assert await flow.settings.state_store.async_consume(issued[-1])  # the newest still work
    assert not await flow.settings.state_store.async_consume(issued[0])
