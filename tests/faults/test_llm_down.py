"""The LLM down while members check in through an adapter (refusing connections, answering 500s,
or never answering): the member gets the template reply and nothing else, never an error; the
log says why without the API key. (The LLM client's own retries and parsing are covered in
tests/analysis/test_llm_follow_up.py.)"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest

from bot.coach import Coach
from bot.llm.client import ChatClient
from bot.llm.followup import FollowUps
from bot.prompts import load_prompts
from tests.adapters.discord.test_commands import check_in
from tests.adapters.discord.test_commands import set_goal as set_goal_on_discord
from tests.adapters.discord.transcript import Bot, Researcher, settings
from tests.adapters.slack.conftest import SlackHarness, eventually, settings_for, start, text_of
from tests.adapters.slack.test_checkin import set_goal
from tests.fakes.discord import FakeDiscord, Person, pointed_at
from tests.fakes.llm import Answer, FakeLLM
from tests.fakes.slack import FakeSlack

KEY = "sk-fault-test-key-0123456789"
TIMEOUT = 0.5  # COACH_LLM_TIMEOUT for these tests: one follow-up, its retry included
NOTHING_LISTENS = "http://127.0.0.1:9/v1"  # the discard port: connections are refused
LAB, LAB_CHANNEL = 80 << 22, 8101


@pytest.fixture(params=["refused", "500s", "silent"])
async def llm_down(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """The base URL of an LLM that is down in one of three ways."""
    if request.param == "refused":
        yield NOTHING_LISTENS
        return
    async with FakeLLM() as llm:
        if request.param == "500s":
            llm.script(Answer.error(500))
        else:  # answers, but long after the deadline
            llm.script(Answer.json({"message": "too late"}, delay=TIMEOUT * 3))
        yield llm.base_url


@pytest.fixture
async def with_llm(coach: Coach, llm_down: str) -> AsyncIterator[Coach]:
    follow_ups = FollowUps(ChatClient(llm_down, "fake-model", KEY, TIMEOUT), load_prompts())
    yield Coach(coach.db, coach.clock, follow_ups=follow_ups)
    await follow_ups.aclose()


@pytest.fixture
async def slack(with_llm: Coach, fake_slack: FakeSlack) -> AsyncIterator[SlackHarness]:
    async for harness in start(with_llm, fake_slack, settings_for(fake_slack)):
        yield harness


async def fell_back(coach: Coach) -> None:
    """Wait until the follow-up gave up (its deadline is ``TIMEOUT``)."""

    async def done() -> bool:
        return coach.llm_stats().get("fallbacks", 0) == 1

    await eventually(done, seconds=10)


def quiet_about_it(caplog: pytest.LogCaptureFixture) -> None:
    """The fallback is a warning saying why, with no key in it; nothing is an error."""
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    (warning,) = [r.getMessage() for r in caplog.records if "template reply stands" in r.msg]
    assert KEY not in warning


async def test_slack_a_check_in_gets_the_template_reply_when_the_llm_is_down(
    slack: SlackHarness, with_llm: Coach, caplog: pytest.LogCaptureFixture
) -> None:
    await set_goal(slack)
    await slack.command("/checkin")
    submitted = await slack.submit(await slack.opened_view(2), {"did": "Tuned the decoder"})
    assert submitted.status_code == 200 and submitted.text == ""
    await fell_back(with_llm)

    replies = [text_of(c.args) for c in slack.fake.calls("chat.postEphemeral")]
    assert len(replies) == 2  # the goal's answer, the check-in's template reply: nothing more
    assert "Check-in saved for goal 1" in replies[1]
    assert not any("wrong" in r.lower() or "error" in r.lower() for r in replies)
    assert slack.fake.calls("response_url") == []
    quiet_about_it(caplog)


async def test_discord_a_check_in_gets_the_template_reply_when_the_llm_is_down(
    with_llm: Coach, caplog: pytest.LogCaptureFixture
) -> None:
    server = await FakeDiscord().start()
    server.add_guild(LAB, "Lab", LAB_CHANNEL)
    bot = Bot(server, with_llm, settings(server))
    try:
        with pointed_at(server):
            await bot.start()
            ada = Researcher(bot, Person(4242, "Ada"), LAB, LAB_CHANNEL)
            await set_goal_on_discord(ada)
            answer = await check_in(ada, did="Tuned the decoder")
            await fell_back(with_llm)
            await bot.stop()
    finally:
        await server.close()

    assert "Check-in saved for goal 1" in answer.text
    shown = [c.content for c in server.calls if c.status == 200 and c.content]
    assert not any("wrong" in s.lower() or "error" in s.lower() for s in shown)
    assert not [c for c in server.calls if c.status >= 400]
    quiet_about_it(caplog)
