"""Scheduled work through each adapter's own Messenger: the console (``/tick``) and Slack (against
the fake Slack Web API). Discord's Messenger is tested with the Discord adapter
(tests/adapters/discord/test_schedule.py)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from adapters.console import ConsoleSession
from bot.coach import Coach
from bot.events import Actor, TenantRef
from bot.ports import ManualClock, Messenger
from bot.schedule.leader import Leadership
from bot.schedule.outbox import LEASE, LOOK_AGAIN
from bot.schedule.runner import Scheduler
from bot.store.models import Delivery
from tests.adapters.slack.conftest import TOKENS, SlackHarness, buttons_of, settings_for, start
from tests.adapters.slack.conftest import text_of as slack_text
from tests.conftest import say
from tests.fakes.slack import FakeSlack
from tests.schedule.helpers import AnswerLost, Rig

MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # the clock fixture's start


def scheduler(coach: Coach, clock: ManualClock, messengers: dict[str, Messenger]) -> Scheduler:
    # A lock key of its own, so parallel PostgreSQL runs never wait for each other's leader.
    return Scheduler(
        coach.db,
        clock,
        messengers,
        coach.prompts,
        leadership=Leadership(coach.db, random.getrandbits(62)),
    )


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)  # the console's own database
async def test_console_tick_shows_a_week_of_prompts_and_the_digest(
    coach: Coach, clock: ManualClock, exports: Path
) -> None:
    messengers: dict[str, Messenger] = {}
    running = scheduler(coach, clock, messengers)
    ada = ConsoleSession(coach, "lab", "Ada", exports, running, clock)
    messengers["console"] = ada.messenger
    try:
        await say(ada, "/coach team channel")
        saved = await say(ada, "/checkin", "ADA-SHARED swapped in a conformer", "", "", "", "")
        assert "(1) Publish to team" in saved
        assert "digest" in await say(ada, "1")
        await say(ada, "/as Grace", "/coach")  # Grace is at the keyboard for the week

        week = await say(ada, "/tick 7d")
        answer = await say(ada, "1")  # the prompt's button, pressed in the terminal
    finally:
        await running.stop()

    lines = week.splitlines()
    prompt = [i for i, line in enumerate(lines) if line.startswith("[DM] Hi Grace")]
    assert len(prompt) == 1 and "time for your weekly check-in" in lines[prompt[0]]
    assert lines[prompt[0] + 1].strip().startswith("(1) Check in")
    assert len([line for line in lines if line.startswith("[DM] A gentle reminder")]) == 1
    assert not [line for line in lines if line.startswith("[DM to ada]")]  # she checked in early
    digest = lines.index(next(line for line in lines if line.startswith("[#team] Team digest")))
    item = lines.index("[#team › thread] Ada checked in.")
    assert digest < item and "ADA-SHARED swapped in a conformer" in lines[item + 1]
    assert len([line for line in lines if "Team digest" in line]) == 1
    assert lines[-1] == "[console] The clock moved 7d: now Mon 2026-11-09 09:00 UTC."
    assert "Weekly check-in 1/5" in answer


@pytest.fixture
async def slack(coach: Coach) -> AsyncIterator[SlackHarness]:
    async with FakeSlack() as fake:
        fake.add_workspace("T1", TOKENS["T1"])
        fake.invite("T1", "C1")  # the team channel, where the bot was invited at install
        async for harness in start(coach, fake, settings_for(fake)):
            yield harness
        assert fake.spec_problems() == []  # every request is one Slack's spec allows


async def test_slack_messenger_delivers_the_prompt_and_the_digest_thread(
    slack: SlackHarness, coach: Coach, clock: ManualClock
) -> None:
    team = TenantRef("slack", "T1")
    rig = Rig(coach.db, clock.now())  # its coach acts as members; its clock is not used here
    admin = Actor(team, "U1", "Ada", "Europe/London", is_admin=True)
    quiet = Actor(team, "U2", "Grace", "Europe/London")
    await rig.command(admin, "coach", "team channel")
    await rig.join(quiet)
    shared = await rig.check_in(admin, "ADA-SHARED <!here> swapped the encoder")
    await rig.publish(admin, shared)

    running = scheduler(coach, clock, {"slack": slack.runtime.messenger})
    try:
        for at in (timedelta(hours=1), timedelta(days=4, hours=6)):  # Monday 10:00, Friday 16:00
            clock.advance(at)
            assert await running.run_once() is not None
    finally:
        await running.stop()

    posts = [c.args for c in slack.fake.calls("chat.postMessage")]
    (dm,) = [p for p in posts if p["channel"] == "DU2"]
    assert "time for your weekly check-in" in slack_text(dm)
    assert "Check in" in buttons_of(dm)
    assert not [p for p in posts if p["channel"] == "DU1"]  # Ada checked in early
    channel = [p for p in posts if p["channel"] == "C1"]
    (parent,) = [p for p in channel if "Team digest" in slack_text(p)]
    assert not parent.get("thread_ts")
    assert "week of 2 November 2026" in slack_text(parent) and "• Ada" in slack_text(parent)
    (reply,) = [p for p in channel if p.get("thread_ts")]
    async with coach.db.session() as session:
        digest = (
            await session.execute(select(Delivery).where(Delivery.kind == "digest"))
        ).scalar_one()
    assert reply["thread_ts"] == digest.detail["ts"] != ""  # the ts Slack gave the parent
    assert channel.index(parent) < channel.index(reply)
    assert "ADA-SHARED" in slack_text(reply)
    assert "<!here>" not in slack_text(reply)  # member words escaped: no one is pinged


async def test_after_a_crash_slack_is_asked_before_a_prompt_is_sent_again(
    slack: SlackHarness, coach: Coach, clock: ManualClock
) -> None:
    await crash_after_slack_took_the_prompt(slack, coach, clock)
    (outcome,) = await runs_after_the_lease(slack, coach, clock)

    assert outcome is not None and outcome[1].found == 1
    prompts = [c for c in slack.fake.calls("chat.postMessage") if c.args["channel"] == "DU2"]
    assert len(prompts) == 1  # found in the DM's history: not sent a second time
    assert [c.args["channel"] for c in slack.fake.calls("conversations.history")] == ["DU2"]
    async with coach.db.session() as session:
        row = (
            await session.execute(select(Delivery).where(Delivery.kind == "checkin"))
        ).scalar_one()
    assert row.status == "sent" and row.detail["ts"] == slack.fake.history["DU2"][0]["ts"]


async def crash_after_slack_took_the_prompt(
    slack: SlackHarness, coach: Coach, clock: ManualClock
) -> None:
    """Grace's weekly prompt reaches Slack, then the process dies before marking it."""
    slack.fake.now = clock.now  # message ts on the test's clock, as history is read by it
    rig = Rig(coach.db, clock.now())
    await rig.join(Actor(TenantRef("slack", "T1"), "U2", "Grace", "Europe/London"))
    clock.advance(timedelta(hours=1))
    lost = AnswerLost(slack.runtime.messenger)
    dying = scheduler(coach, clock, {"slack": lost})
    run = asyncio.create_task(dying.run_once())
    await asyncio.wait_for(lost.hanging.wait(), 10)
    run.cancel()  # kill: Slack has the prompt, our row is still pending
    await asyncio.gather(run, return_exceptions=True)
    await dying.stop()


async def runs_after_the_lease(
    slack: SlackHarness, coach: Coach, clock: ManualClock, between: Callable[[], None] | None = None
) -> list[Any]:
    """The restarted scheduler's runs once the dead one's lease has passed: one, or two with
    ``between`` done between them."""
    restarted = scheduler(coach, clock, {"slack": slack.runtime.messenger})
    outcomes = []
    try:
        clock.advance(LEASE + timedelta(minutes=1))
        outcomes.append(await restarted.run_once())
        if between is not None:
            between()
            outcomes.append(await restarted.run_once())
    finally:
        await restarted.stop()
    return outcomes


@pytest.mark.parametrize("refusal", ["429", "text/html", "text/plain", "application/json"])
async def test_a_refused_history_lookup_leaves_the_prompt_in_doubt_never_sent_twice(
    slack: SlackHarness, coach: Coach, clock: ManualClock, refusal: str
) -> None:
    """Slack refuses the lookup (a 429 asking for an hour, or a proxy's 502 page): the prompt
    is not sent blind; the row waits, and the next try finds it in the DM and marks it."""
    await crash_after_slack_took_the_prompt(slack, coach, clock)
    if refusal == "429":
        slack.fake.fail_next("conversations.history", retry_after=3600)
    else:
        slack.fake.fail_next("conversations.history", html=True, page_type=refusal)
    refused, found = await runs_after_the_lease(
        slack, coach, clock, lambda: clock.advance(LOOK_AGAIN)
    )

    assert refused is not None and (refused[1].sent, refused[1].found, refused[1].in_doubt) == (
        0,
        0,
        1,
    )  # waiting for Slack to answer, without spending one of the row's tries
    assert found is not None and found[1].found == 1
    prompts = [c for c in slack.fake.calls("chat.postMessage") if c.args["channel"] == "DU2"]
    assert len(prompts) == 1  # the 429 did not turn into a second prompt
    lookups = slack.fake.calls("conversations.history")
    assert [c.status for c in lookups] == [429 if refusal == "429" else 502, 200]
    assert all(int(c.args["limit"]) <= 15 for c in lookups)


async def test_a_dm_busier_than_one_page_is_read_a_page_a_turn(
    slack: SlackHarness, coach: Coach, clock: ManualClock
) -> None:
    """Twenty messages came after the prompt: Slack gives 15 a call and one call a minute, so
    the lookup goes on from its cursor on the next try instead of sending again."""
    await crash_after_slack_took_the_prompt(slack, coach, clock)
    client = slack.runtime.app.client
    for n in range(20):
        clock.advance(timedelta(seconds=1))
        await client.chat_postMessage(channel="DU2", text=f"chatter {n}")
    minutes = [0.0]
    slack.fake.clock = lambda: minutes[0] * 60

    def a_minute_later() -> None:
        clock.advance(LOOK_AGAIN)
        minutes[0] += 1

    first, second = await runs_after_the_lease(slack, coach, clock, a_minute_later)

    assert first is not None and (first[1].sent, first[1].found) == (0, 0)
    assert second is not None and second[1].found == 1
    lookups = slack.fake.calls("conversations.history")
    assert [c.args.get("cursor") for c in lookups] == [None, "page:15"]
    prompts = [
        c
        for c in slack.fake.calls("chat.postMessage")
        if c.args["channel"] == "DU2" and "chatter" not in c.args["text"]
    ]
    assert len(prompts) == 1


async def test_an_unanswered_lookup_leaves_the_prompt_in_doubt_never_sent_twice(
    slack: SlackHarness, coach: Coach, clock: ManualClock
) -> None:
    """No answer at all to the lookup (the connection cut, retry included): the prompt is not
    sent blind, though a send would have gone through."""
    await crash_after_slack_took_the_prompt(slack, coach, clock)
    slack.fake.storm("conversations.history", statuses=(0,))  # retries included

    def answered_again() -> None:
        slack.fake.calm()
        clock.advance(LOOK_AGAIN)

    cut_off, found = await runs_after_the_lease(slack, coach, clock, answered_again)
    assert cut_off is not None and (cut_off[1].sent, cut_off[1].found) == (0, 0)
    assert found is not None and found[1].found == 1
    prompts = [c for c in slack.fake.calls("chat.postMessage") if c.args["channel"] == "DU2"]
    assert len(prompts) == 1
