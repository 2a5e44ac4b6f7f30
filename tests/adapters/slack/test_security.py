"""Requests that Slack did not sign, or signed long ago, are refused and change nothing."""

from __future__ import annotations

import time

import httpx
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
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


async def test_ready_when_the_database_answers(coach: Coach) -> None:
    from adapters.slack.http import SlackServer
    from bot.adapter import RunOptions
    from bot.health import readiness
    from bot.store import Database

    unreachable = Coach(Database.from_url("postgresql+asyncpg://postgres@127.0.0.1:1/none"))
    answers = []
    for which in (coach, unreachable):
        options = RunOptions()
        server = SlackServer(slack_app(), lambda w=which, o=options: readiness(w, o))
        port = await server.start("127.0.0.1", 0)
        async with httpx.AsyncClient() as http:
            answers.append(await http.get(f"http://127.0.0.1:{port}/readyz"))
        await server.stop()
    await unreachable.db.dispose()
    ready, down = answers
    assert ready.status_code == 200 and ready.json()["database"] == "ok"
    assert down.status_code == 503 and down.json()["database"] == "unreachable"


def slack_app() -> AsyncApp:
    return AsyncApp(signing_secret="s", client=AsyncWebClient(token="xoxb-1"))
