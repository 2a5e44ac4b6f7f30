"""Slack answering a storm of 500s, 503s and 429s (with ``Retry-After``): scheduled prompts and
interactive replies are retried with backoff and each arrives exactly once when the storm ends;
the failures are logged, without a token or a response URL in any line."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from adapters.slack.app import build
from bot.coach import Coach
from bot.events import TenantRef
from bot.logs import QUIET
from bot.pacing import Pacer
from bot.ports import ManualClock
from bot.schedule.outbox import BACKOFF
from bot.schedule.runner import Scheduler
from bot.store.models import Delivery, Goal, NotebookEntry
from tests.adapters.slack.conftest import TOKENS, SlackHarness, settings_for, start, text_of
from tests.adapters.slack.test_checkin import GOAL
from tests.fakes.slack import FakeSlack
from tests.faults.bots import logged_without, seed_team

TEAM = TenantRef("slack", "T1")
STORM = 3  # failed tries Slack answers before a reply's storm ends (500, 503, then 429)
WAIT = 30.0  # seconds: retries back off for a few seconds; longer is a bug


@pytest.fixture
async def slack(coach: Coach, fake_slack: FakeSlack) -> AsyncIterator[SlackHarness]:
    async for harness in start(coach, fake_slack, settings_for(fake_slack)):
        yield harness


def log_as_the_product(caplog: pytest.LogCaptureFixture) -> None:
    """Capture at INFO with the chatty libraries' loggers set as ``bot.logs.configure`` sets
    them (``COACH_LOG_LEVEL=INFO``)."""
    caplog.set_level(logging.INFO)
    for name in QUIET:
        caplog.set_level(logging.INFO, logger=name)


def logged_without_secrets(caplog: pytest.LogCaptureFixture, fake: FakeSlack) -> str:
    # A response_url's last part is its secret: no key any answer went to may be logged.
    keys = {call.args["_key"] for call in fake.calls("response_url")}
    return logged_without(caplog, [*TOKENS.values(), fake.response_url(""), *keys])


async def test_scheduled_prompts_wait_out_a_storm_and_arrive_once(
    coach: Coach, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    log_as_the_product(caplog)
    clock = coach.clock
    assert isinstance(clock, ManualClock)
    members = ["U1", "U2", "U3"]
    await seed_team(coach.db, TEAM, members, clock.now())
    runtime = build(coach, settings_for(fake_slack), Pacer(per_channel=0, per_tenant=0))
    scheduler = Scheduler(coach.db, clock, {"slack": runtime.messenger}, coach.prompts)
    # The rows are in doubt when tried again, so each is looked for in its DM first; Slack
    # answers one history read a minute, and the minutes pass on the fake's clock, not slept.
    waited = [0.0]
    fake_slack.clock = lambda: waited[0]

    async def wait_on_the_fake(seconds: float) -> None:
        waited[0] += seconds

    runtime.messenger.sleep = wait_on_the_fake

    fake_slack.storm()  # every method: Slack is having a bad time
    ran = await scheduler.run_once()
    # Each send was tried again inside its call, then given back to the outbox for later.
    assert ran is not None and (ran[1].sent, ran[1].retried) == (0, len(members))
    assert len(fake_slack.calls()) >= len(members) * 4  # a try and 3 retries each
    assert fake_slack.accepted() == []
    for row in await deliveries(coach):
        assert (row.status, row.attempts) == ("pending", 1)
        assert row.next_attempt_at == clock.now() + timedelta(seconds=BACKOFF[0])

    fake_slack.calm()
    await scheduler.run_once()  # not before its backoff
    assert fake_slack.accepted("chat.postMessage") == []
    clock.advance(timedelta(seconds=BACKOFF[0]))
    ran = await scheduler.run_once()
    assert ran is not None and ran[1].sent == len(members)

    prompted = [c.args["channel"] for c in fake_slack.accepted("chat.postMessage")]
    assert sorted(prompted) == [f"D{m}" for m in members]  # each once
    assert {(r.status, r.attempts) for r in await deliveries(coach)} == {("sent", 2)}
    said = logged_without_secrets(caplog, fake_slack)
    assert "Slack answered 503 to conversations.open; trying again" in said
    assert said.count("failed: SlackApiError") == len(members)


async def test_replies_ride_out_a_storm_and_arrive_once(
    slack: SlackHarness, coach: Coach, caplog: pytest.LogCaptureFixture
) -> None:
    log_as_the_product(caplog)
    fake = slack.fake

    # A command's private answer goes through its response_url.
    fake.storm("response_url")
    answer = await slack.command("/log", "Warmup fixes the spikes")
    assert answer.status_code == 200
    await ends_after_some_failures(fake, "response_url")
    await fake.wait_until(lambda: bool(fake.accepted("response_url")), WAIT, "the reply")
    (reply,) = fake.accepted("response_url")
    assert "Noted in your notebook." in text_of(reply.args)

    # A form's answer goes through chat.postEphemeral (the Web API client's retries).
    await slack.command("/goal", "set")
    view = await slack.opened_view()
    fake.storm("chat.postEphemeral")
    assert (await slack.submit(view, GOAL)).status_code == 200
    await ends_after_some_failures(fake, "chat.postEphemeral")
    await fake.wait_until(lambda: bool(fake.accepted("chat.postEphemeral")), WAIT, "the reply")
    (reply,) = fake.accepted("chat.postEphemeral")
    assert "Goal 1 set" in text_of(reply.args)

    async with coach.db.session() as session:
        assert len((await session.execute(select(NotebookEntry))).scalars().all()) == 1
        assert len((await session.execute(select(Goal))).scalars().all()) == 1
    assert len(fake.accepted("response_url")) == len(fake.accepted("chat.postEphemeral")) == 1
    said = logged_without_secrets(caplog, fake)
    assert "Slack answered 500 to a reply; trying again" in said
    assert "Slack answered 503 to chat.postEphemeral; trying again" in said


async def ends_after_some_failures(fake: FakeSlack, method: str) -> None:
    """The storm ends once ``method`` was refused ``STORM`` times (a 500, a 503, a 429)."""

    def refused() -> bool:
        return sum(not c.ok for c in fake.calls(method)) >= STORM

    await fake.wait_until(refused, WAIT, f"{STORM} refused tries of {method}")
    fake.calm()


async def deliveries(coach: Coach) -> list[Delivery]:
    async with coach.db.session() as session:
        return list((await session.execute(select(Delivery))).scalars())
