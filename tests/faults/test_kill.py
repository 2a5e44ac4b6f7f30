"""``kill -9`` of the running bot in the middle of a weekly fan-out, then a restart: every member
gets exactly one check-in prompt.

The bot is its own process (``python -m bot run``, Slack HTTP mode) on a SQLite file, talking to
the fake Slack; it is killed the moment Slack has taken its 30th prompt, so a message Slack took
but the bot never wrote down is there in every run. What the outbox promises
(bot/schedule/outbox.py): a row is marked sent as soon as the platform took it; rows the dead
process had taken (leased) wait out their ``LEASE``; then, since Slack's chat.postMessage has no
idempotency key, the outbox looks in the member's DM (conversations.history) before sending such
a row again, and only what is not there is sent.

SIGTERM instead (``docker stop``, a rolling update): the bot lets the sends under way finish
and marks them, gives back the rows it had taken, and exits 0; nothing is left in doubt.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from adapters.slack.app import build
from bot.coach import Coach
from bot.events import TenantRef
from bot.ports import OffsetClock
from bot.schedule.outbox import LEASE
from bot.schedule.runner import Scheduler
from bot.store import Database
from bot.store.models import Delivery
from tests.adapters.slack.conftest import SECRET as SIGNING_SECRET
from tests.adapters.slack.conftest import TOKENS, settings_for
from tests.fakes.slack import FakeSlack
from tests.faults.bots import BotProcess, a_minute_ago, seed_team

TEAM = TenantRef("slack", "T1")
TOKEN = TOKENS["T1"]
MEMBERS = [f"U{n:03d}" for n in range(120)]  # about 6 s of paced DMs (20 a second)
KILL_AFTER = 30  # prompts Slack took before the kill
PROMPT = "time for your weekly check-in"
WAIT = 60.0  # seconds: a process start on a busy machine, then the fan-out


def prompts(slack: FakeSlack) -> Counter[str]:
    """How many weekly prompts Slack took, per member (a DM channel is D + the user id)."""
    return Counter(
        str(call.args["channel"]).removeprefix("D")
        for call in slack.accepted("chat.postMessage")
        if PROMPT in str(call.args.get("text", ""))
    )


async def rows(db: Database) -> list[Delivery]:
    async with db.session() as session:
        return list((await session.execute(select(Delivery))).scalars())


@dataclass
class Team:
    """MEMBERS of one Slack workspace, each with a weekly prompt due; the fake Slack; what a
    ``research-coach run`` for them is started with."""

    db: Database
    slack: FakeSlack
    env: dict[str, str]

    async def fan_out_under_way(self, folder: Path) -> BotProcess:
        """A bot started on the fan-out, once Slack has taken ``KILL_AFTER`` prompts."""
        bot = BotProcess.start(folder, "first", self.env)
        try:
            await self.slack.wait_until(
                lambda: sum(prompts(self.slack).values()) >= KILL_AFTER, WAIT, "the fan-out"
            )
        except BaseException:
            bot.kill()
            raise
        return bot


@pytest.fixture
async def team(tmp_path: Path) -> AsyncIterator[Team]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'coach.db'}"
    db = Database.from_url(url)
    try:
        await db.upgrade()
        await seed_team(db, TEAM, MEMBERS, a_minute_ago())
        async with FakeSlack() as slack:
            slack.add_workspace(TEAM.external_id, TOKEN)
            env = {
                "COACH_DATABASE_URL": url,
                "COACH_SLACK_BOT_TOKEN": TOKEN,
                "COACH_SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "COACH_SLACK_API_URL": slack.api_url,
                "COACH_HTTP_PORT": "0",
                "COACH_ANALYSIS_MODEL": "off",
                "COACH_LOG_LEVEL": "INFO",
            }
            yield Team(db, slack, env)
    finally:
        await db.dispose()


async def test_kill_9_in_the_middle_of_a_fan_out_then_a_restart_prompts_everyone(
    tmp_path: Path, team: Team
) -> None:
    db, slack, env = team.db, team.slack, team.env
    first = await team.fan_out_under_way(tmp_path)
    first.kill()
    await slack.settle()  # what the dead process had on the wire is in, or never was
    killed_at = datetime.now(UTC)
    before = prompts(slack)
    marked = {r.target for r in await rows(db) if r.status == "sent"}
    leased = {
        r.target for r in await rows(db) if r.status == "pending" and r.next_attempt_at > killed_at
    }
    # The kill came in the middle: some out, some taken and in flight, some untouched.
    assert 0 < len(before) < len(MEMBERS), before
    assert set(before.values()) == {1}
    assert marked <= set(before)  # nothing is marked that Slack did not take
    assert leased, "the dead process had nothing in flight: not a mid-fan-out kill"
    # Taken by Slack, not yet written down: the kill came before the mark.
    unmarked = set(before) - marked
    assert unmarked <= leased

    second = BotProcess.start(tmp_path, "second", env)
    untouched = set(MEMBERS) - set(before) - leased
    try:
        await slack.wait_until(
            lambda: untouched <= set(prompts(slack)), WAIT, "the restart's sends"
        )
    finally:
        stopped = await second.stop()
    assert stopped == 0, second.output()
    await slack.settle()
    after_restart = prompts(slack)
    # The restart resumed the fan-out, and sent nothing the dead process had taken:
    # those wait for their lease, the ones already out are never sent again.
    assert set(after_restart) == set(before) | untouched
    assert set(after_restart.values()) == {1}

    # What Slack took but nobody wrote down: only what was in flight at the kill (the
    # second process's stop, a SIGTERM, finished and marked its sends).
    out_unmarked = {r.target for r in await rows(db) if r.status != "sent"} & set(after_restart)
    assert out_unmarked == unmarked

    # The same bot once the lease has passed: what was in flight at the kill goes out,
    # after the outbox looked in each DM for a copy that got out before the kill. Slack lets
    # an app outside the Marketplace read history once a minute: each lookup after the first
    # is refused (429, Retry-After) and waited out (on the fake's clock, not slept); none is
    # sent blind.
    clock = OffsetClock()
    clock.advance(LEASE + timedelta(seconds=1))
    waited = [0.0]
    slack.clock = lambda: waited[0]
    coach = Coach(db, clock)
    slack_app = build(coach, settings_for(slack))

    async def wait_on_the_fake(seconds: float) -> None:
        waited[0] += seconds

    slack_app.messenger.sleep = wait_on_the_fake
    ran = await Scheduler(db, clock, {"slack": slack_app.messenger}, coach.prompts).run_once()
    assert ran is not None
    assert ran[1].found == len(out_unmarked)  # found in the DM: marked, not resent
    assert ran[1].sent == len(set(MEMBERS) - set(after_restart))
    lookups = slack.calls("conversations.history")
    assert all(int(c.args["limit"]) <= 15 for c in lookups)
    if len({c.args["channel"] for c in lookups}) > 1:
        assert any(c.status == 429 for c in lookups)  # Slack's limit was met, and waited out

    final = prompts(slack)
    assert set(final) == set(MEMBERS), set(MEMBERS) - set(final)
    assert set(final.values()) == {1}, {u: n for u, n in final.items() if n > 1}
    assert {r.status for r in await rows(db)} == {"sent"}
    assert len(await rows(db)) == len(MEMBERS)
    for run in (first, second):
        assert TOKEN not in run.output() and SIGNING_SECRET not in run.output()
    assert slack.spec_problems() == []  # every request is one Slack's spec allows


async def test_sigterm_in_the_middle_of_a_fan_out_finishes_what_was_under_way(
    tmp_path: Path, team: Team
) -> None:
    """``docker stop`` (SIGTERM) in the middle of the fan-out: the bot finishes and marks the
    sends under way, gives back what it had taken, and exits 0; a restart sends the rest at
    once, without a lease to wait out or a DM to look in."""
    db, slack, env = team.db, team.slack, team.env
    first = await team.fan_out_under_way(tmp_path)
    stopped = await first.stop()
    assert stopped == 0, first.output()
    stopped_at = datetime.now(UTC)
    before = prompts(slack)
    assert 0 < len(before) < len(MEMBERS), before
    rows_now = await rows(db)
    # Every prompt Slack took is marked; nothing is left taken.
    assert {r.target for r in rows_now if r.status == "sent"} == set(before)
    pending = [r for r in rows_now if r.status == "pending"]
    assert len(pending) == len(MEMBERS) - len(before)
    assert all(r.next_attempt_at <= stopped_at for r in pending)  # none left taken
    assert "given back unsent" in first.output()
    assert "Traceback" not in first.output(), first.output()

    second = BotProcess.start(tmp_path, "second", env)
    try:
        await slack.wait_until(
            lambda: set(prompts(slack)) == set(MEMBERS), WAIT, "the restart's sends"
        )
    finally:
        assert await second.stop() == 0, second.output()
    final = prompts(slack)
    assert set(final.values()) == {1}, {u: n for u, n in final.items() if n > 1}
    assert slack.calls("conversations.history") == []  # nothing was in doubt
    assert {r.status for r in await rows(db)} == {"sent"}
