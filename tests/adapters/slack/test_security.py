"""Requests that Slack did not sign, or signed long ago, are refused and change nothing."""

from __future__ import annotations

import time

from sqlalchemy import select

from bot.coach import Coach
from bot.store.models import NotebookEntry
from tests.adapters.slack.conftest import SlackHarness
from tests.fakes.slack import sign, slash_command_body


async def nothing_stored(coach: Coach) -> bool:
    async with coach.db.session() as session:
        return (await session.execute(select(NotebookEntry))).scalars().all() == []


async def test_forged_stale_and_unsigned_requests_get_401(
    slack: SlackHarness, coach: Coach
) -> None:
    body = slash_command_body(
        "/log",
        "injected",
        team_id="T1",
        user_id="U1",
        channel_id="C1",
        response_url=slack.fake.response_url("x"),
    )
    form = "application/x-www-form-urlencoded"
    forged = await slack.post(body, form, headers=sign("not-the-secret", body), signed=False)
    stale = await slack.post(
        body, form, signed=False, headers=sign("test-signing-secret", body, int(time.time()) - 600)
    )
    unsigned = await slack.post(body, form, signed=False)
    tampered = await slack.post(
        body + "x", form, signed=False, headers=sign("test-signing-secret", body)
    )
    assert [r.status_code for r in (forged, stale, unsigned, tampered)] == [401] * 4
    assert await nothing_stored(coach)
    assert slack.fake.calls("response_url") == []


async def test_health_answers_when_ready(slack: SlackHarness) -> None:
    url = slack.events_url.replace("/slack/events", "/healthz")
    assert (await slack.http.get(url)).json() == {"status": "ok"}
