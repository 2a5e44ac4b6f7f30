"""PostgreSQL unreachable for 30 seconds, behind a proxy the test cuts: first the network drops
everything (nothing answers at all, not even the connections already open), then the server is
gone (connections reset).

Members keep using the coach through real adapters (a console session, Slack through Bolt and
the fake Slack) and the scheduler keeps ticking. During the outage every command gets a clear
answer that nothing was saved and where their words are; afterwards, with no restart, the next
command works, what they wrote is saved once (/retry, the modal still open), and the tick sends
what fell due meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import select

from adapters.console import ConsoleSession
from bot.coach import Coach
from bot.ports import ManualClock
from bot.schedule.runner import Scheduler
from bot.store import Database
from bot.store.models import CheckIn, Delivery, NotebookEntry
from tests.adapters.slack.conftest import SlackHarness, settings_for, start, text_of
from tests.adapters.slack.test_checkin import GOAL
from tests.coach.test_outage import UNREACHABLE
from tests.fakes.slack import FakeSlack
from tests.faults.conftest import CuttableDatabase

OUTAGE = 30.0  # seconds, as the issue asks: half refused, half silent
MONDAY = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)  # prompts fall due at the team's 10:00 UTC
BOUND = 60.0  # seconds: an answer slower than this during the outage is a hang, a bug
UNAVAILABLE = "I can't reach my database right now, so nothing was saved yet."

T = TypeVar("T")


async def within_bound(step: Awaitable[T]) -> T:
    """``step``, failing the test (instead of hanging it) if it never ends."""
    async with asyncio.timeout(BOUND):
        return await step


@pytest.fixture
async def coach(cuttable: CuttableDatabase) -> Coach:
    return Coach(cuttable.db, ManualClock(MONDAY))


@pytest.fixture
async def slack(coach: Coach, fake_slack: FakeSlack) -> AsyncIterator[SlackHarness]:
    for user in ("U1", "U2"):
        fake_slack.set_user(user, tz="UTC")
    async for harness in start(coach, fake_slack, settings_for(fake_slack)):
        yield harness


async def said_to(slack: SlackHarness, user: str, count: int) -> str:
    """The ``count``-th private reply to ``user``'s commands (through their response_urls)."""

    def replies() -> list[str]:
        calls = slack.fake.calls("response_url")
        return [text_of(c.args) for c in calls if c.args["_key"] == f"T1-{user}"]

    await slack.fake.wait_until(lambda: len(replies()) >= count, BOUND, f"reply {count}")
    return replies()[count - 1]


async def rows(coach: Coach, model: Any) -> list[Any]:
    async with coach.db.session() as session:
        return list((await session.execute(select(model))).scalars())


async def test_thirty_seconds_without_the_database(
    cuttable: CuttableDatabase, coach: Coach, slack: SlackHarness, tmp_path: Path
) -> None:
    proxy, clock = cuttable.proxy, coach.clock
    assert isinstance(clock, ManualClock)
    ada = ConsoleSession(coach, "lab", "Ada", tmp_path / "exports")
    scheduler = Scheduler(coach.db, clock, {"slack": slack.runtime.messenger}, coach.prompts)
    # Before: Grace (U1) and Lin (U2) on Slack, Grace with a goal and her check-in form open;
    # Ada in a terminal, halfway through a check-in. The scheduler holds its lock.
    assert "Noted in your notebook." in await ada.send("/log Baseline WER 0.31")
    assert "no goal yet" in (await ada.send("/checkin")).lower()
    await slack.command("/goal", "set")
    goal = await slack.opened_view(1)
    assert (await slack.submit(goal, GOAL)).text == ""  # saved: the modal closes
    await slack.command("/coach", user="U2")
    await slack.command("/checkin")
    checkin = await slack.opened_view(2)
    assert await scheduler.run_once() is not None
    connected = proxy.forwarded

    loop = asyncio.get_running_loop()
    ends = loop.time() + OUTAGE
    # First the network drops everything: nothing answers, not even the pooled connections
    # and the scheduler's lock connection, which were open.
    proxy.cut(hang=True)

    async def lin_logs() -> str:
        answer = await slack.command("/log", "LR warmup 2k steps", user="U2")
        assert answer.status_code == 200  # acknowledged within Slack's 3 s all the same
        return await said_to(slack, "U2", 2)

    async def ada_checks_in() -> str:
        for line in ("Read three papers on clinic ASR", "", "", ""):
            await ada.send(line)
        return await ada.send("")  # the form's last field: Ada's check-in goes in

    said, out, ticked = await within_bound(
        asyncio.gather(lin_logs(), ada_checks_in(), scheduler.run_once())
    )
    assert UNAVAILABLE in said and "You sent: /log LR warmup 2k steps" in said
    assert UNAVAILABLE in out and "Type /retry to send it again." in out
    assert ticked is None  # skipped, not stuck

    await asyncio.sleep(max(0.0, ends - OUTAGE / 2 - loop.time()))
    proxy.cut()  # then PostgreSQL is gone: every connection is refused (reset)

    out = await within_bound(ada.send("/log Loss spikes at step 40k"))
    assert UNAVAILABLE in out and "/retry" in out
    answer = await within_bound(slack.command("/log", "Warmup fixes the spikes"))
    assert answer.status_code == 200
    said = await said_to(slack, "U1", 1)
    assert UNAVAILABLE in said and "You sent: /log Warmup fixes the spikes" in said
    refused = await within_bound(slack.submit(checkin, {"did": "Tried SpecAugment"}))
    # The modal stays open with everything Grace typed, the reason under its first field.
    assert refused.json()["response_action"] == "errors"
    assert UNAVAILABLE in refused.json()["errors"]["did"]
    clock.advance(timedelta(hours=2, minutes=30))  # 10:30: the prompts are due
    assert await within_bound(scheduler.run_once()) is None
    assert slack.fake.calls("chat.postMessage") == []

    await asyncio.sleep(max(0.0, ends - loop.time()))
    proxy.restore()

    # With no restart, the next command works at once: the pool replaced its dead connections.
    await slack.command("/log", "Warmup fixes the spikes")  # Grace, from "You sent"
    assert "Noted in your notebook." in await said_to(slack, "U1", 2)
    assert proxy.forwarded > connected
    # The scheduler's next tick sends what fell due during the outage, once.
    assert await scheduler.run_once() is not None
    prompts = [
        c.args["channel"]
        for c in slack.fake.accepted("chat.postMessage")
        if "time for your weekly check-in" in c.args["text"]
    ]
    assert sorted(prompts) == ["DU1", "DU2"]
    out = await ada.send("/retry")  # both of Ada's, in the order she wrote them
    assert out.count("Noted in your notebook.") == 1 and "Check-in saved." in out
    assert "Nothing to retry" in await ada.send("/retry")
    saved = await slack.submit(checkin, {"did": "Tried SpecAugment"})
    assert saved.status_code == 200 and saved.text == ""  # the modal closes: it is saved

    notes = sorted(n.text for n in await rows(coach, NotebookEntry))
    assert notes == [
        "Baseline WER 0.31",
        "Loss spikes at step 40k",
        "Warmup fixes the spikes",
    ]
    assert sorted(c.did for c in await rows(coach, CheckIn)) == [
        "Read three papers on clinic ASR",
        "Tried SpecAugment",
    ]
    deliveries = await rows(coach, Delivery)
    assert sorted((d.target, d.status) for d in deliveries if d.kind == "checkin") == [
        ("U1", "sent"),
        ("U2", "sent"),
        ("ada", "pending"),  # the console has no messenger in this run: it waits, unlost
    ]
    await scheduler.stop()


async def test_slack_gives_back_the_words_of_a_command_it_could_not_take(
    fake_slack: FakeSlack,
) -> None:
    """Slack empties the message box once a command is sent: the answer holds the words."""
    coach = Coach(Database.from_url(UNREACHABLE), ManualClock(MONDAY))
    try:
        async for slack in start(coach, fake_slack, settings_for(fake_slack)):
            await slack.command("/log", "Warmup fixes it <!channel>")
            said = await said_to(slack, "U1", 1)
    finally:
        await coach.db.dispose()
    assert UNAVAILABLE in said and "You sent: /log Warmup fixes it" in said
    assert "<!channel>" not in said  # given back as text: it pings nobody
