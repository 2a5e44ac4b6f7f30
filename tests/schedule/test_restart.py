"""Downtime and crashes: what fell due is sent once within the grace window and recorded as missed
after it; a crash between claiming and sending, or a failing platform, never loses or doubles a
prompt. A restart is a new Ticker and Outbox on the same database (``rig.restart()``)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.events import Button, Content, TenantRef
from bot.schedule.outbox import BACKOFF, LEASE, MAX_ATTEMPTS
from bot.schedule.runner import Scheduler
from bot.store import Database
from bot.store.models import Delivery
from tests.schedule.helpers import AnswerLost, RecordingMessenger, Rig, person, utc

MONDAY = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)  # everyone's prompt: Monday 10:00 UTC


async def test_a_restart_within_grace_sends_once_and_after_grace_records_missed(
    db: Database,
) -> None:
    rig = Rig(db, MONDAY)
    late = person("U2")
    await rig.join(late)
    await rig.own_schedule(late, "monday", "11:00", "UTC")
    await rig.join(person("U3"))  # the team's Monday 10:00

    # Down from 08:00 until 16:30: U3's 10:00 prompt is then 6.5 h late, beyond the 6 h grace
    # window; U2's 11:00 one is 5.5 h late, within it.
    await rig.step()
    rig.clock.advance(timedelta(hours=8, minutes=30))
    rig.restart()
    await rig.step()
    assert [s.target for s in rig.messenger.dms()] == ["U2"]
    (missed,) = await rig.deliveries(Delivery.target == "U3")
    assert (missed.status, missed.due_at, missed.sent_at) == ("missed", utc(2026, 11, 2, 10), None)

    # Later ticks (and another restart) send nothing more for this week: no late flood.
    await rig.run_until(utc(2026, 11, 3, 8, 0), timedelta(hours=4))
    rig.restart()
    await rig.run_until(utc(2026, 11, 9, 9, 0), timedelta(hours=12))
    assert [len(rig.messenger.prompts_to(u)) for u in ("U2", "U3")] == [1, 0]
    assert rig.messenger.reminders_to("U3") == []  # nothing to remind of: it was never sent

    # Next week both come on time.
    await rig.run_until(utc(2026, 11, 9, 12, 0), timedelta(hours=1))
    assert [p.at for p in rig.messenger.prompts_to("U3")] == [utc(2026, 11, 9, 10)]
    assert [p.at for p in rig.messenger.prompts_to("U2")][-1] == utc(2026, 11, 9, 11)


async def test_the_grace_window_is_a_setting(db: Database) -> None:
    rig = Rig(db, MONDAY, grace=timedelta(hours=1))
    await rig.join(person("U1"))
    rig.clock.advance(timedelta(hours=3, minutes=30))  # 10:00 due, first tick at 11:30
    await rig.step()
    assert rig.messenger.dms() == []
    (row,) = await rig.deliveries()
    assert row.status == "missed"


async def test_a_crash_between_claiming_and_sending_sends_each_prompt_once(db: Database) -> None:
    rig = Rig(db, MONDAY)
    users = ["U1", "U2", "U3"]
    for user in users:
        await rig.join(person(user))
    rig.clock.advance(timedelta(hours=2))
    await rig.tick()  # claimed, then the process dies before the outbox ran
    assert {r.status for r in await rig.deliveries()} == {"pending"}
    assert rig.messenger.sent == []

    rig.restart()
    rig.clock.advance(timedelta(minutes=1))
    await rig.step()  # the new process ticks again (claims nothing new) and sends
    await rig.run(timedelta(hours=5), timedelta(minutes=30))
    assert sorted(s.target for s in rig.messenger.dms()) == users
    assert {r.status for r in await rig.deliveries()} == {"sent"}


class Crashing:
    """Sends the first message, then hangs on the second until the process is killed."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.hanging = asyncio.Event()

    async def send_dm(
        self, tenant: TenantRef, user_id: str, body: Content, buttons: tuple[Button, ...] = ()
    ) -> None:
        if self.sent:
            self.hanging.set()
            await asyncio.Event().wait()  # never returns: cancelled with the process
        self.sent.append(user_id)

    async def post(
        self, tenant: TenantRef, channel_id: str, body: Content, thread_id: str | None = None
    ) -> str:
        raise AssertionError("no channel posts in this test")


async def test_a_crash_in_the_middle_of_the_outbox_resumes_without_repeats(
    db: Database,
) -> None:
    """The outbox dies with a message in flight, after an earlier one was out and marked.

    (A mark is written at once when sends are few, and every ``MARK_EVERY`` under a stream of
    them: a crash inside that window resends those few once their lease has passed, as it does
    the messages in flight. That window is not what this test looks at.)
    """
    rig = Rig(db, MONDAY)
    users = ["U1", "U2", "U3"]
    for user in users:
        await rig.join(person(user))
    rig.clock.advance(timedelta(hours=2))
    await rig.tick()
    crashing = Crashing()
    rig.outbox.messengers = {"slack": crashing}
    drain = asyncio.create_task(rig.drain())
    await crashing.hanging.wait()
    await rig.outbox.marks.settled()  # U1 is out and marked
    drain.cancel()  # then the process dies, the second message in flight
    await asyncio.gather(drain, return_exceptions=True)

    rig.restart()
    await rig.step()
    first = crashing.sent
    assert first == ["U1"]
    # Rows the dead outbox had taken (the ones in flight) are leased for a while: nobody sends
    # them again at once; after the lease they go, once. The one already out never again.
    assert rig.messenger.dms() == []
    rig.clock.advance(LEASE)
    await rig.step()
    await rig.run(timedelta(hours=2), timedelta(minutes=30))
    assert sorted(first + [s.target for s in rig.messenger.dms()]) == users
    assert {r.status for r in await rig.deliveries()} == {"sent"}


async def test_a_message_out_before_the_crash_is_found_on_the_platform_not_sent_again(
    db: Database,
) -> None:
    rig = Rig(db, MONDAY)
    users = ["U1", "U2", "U3"]
    for user in users:
        await rig.join(person(user))
    rig.clock.advance(timedelta(hours=2))
    await rig.tick()
    lost = AnswerLost(rig.messenger, nth=2)
    rig.outbox.messengers = {"slack": lost}
    drain = asyncio.create_task(rig.drain())
    await lost.hanging.wait()
    drain.cancel()  # the process dies: the second message is on the platform, not marked
    await asyncio.gather(drain, return_exceptions=True)
    await rig.outbox.marks.settled()
    unmarked = [r.target for r in await rig.deliveries() if r.status == "pending"]
    assert lost.unanswered in unmarked  # out on the platform, pending in our books

    rig.restart()
    rig.clock.advance(LEASE)
    drained = await rig.outbox.drain(rig.now)
    await rig.run(timedelta(hours=2), timedelta(minutes=30))

    assert sorted(s.target for s in rig.messenger.dms()) == users  # each exactly once
    assert drained.found >= 1  # the unmarked one(s) were looked up, not sent again
    assert {r.status for r in await rig.deliveries()} == {"sent"}


async def test_a_failed_send_is_retried_later_and_delivered_once(db: Database) -> None:
    rig = Rig(db, MONDAY)
    for user in ("U1", "U2", "U3"):
        await rig.join(person(user))
    rig.messenger.fail(1, target="U2")
    rig.clock.advance(timedelta(hours=2))
    await rig.step()
    assert sorted(s.target for s in rig.messenger.dms()) == ["U1", "U3"]  # the others go on
    (row,) = await rig.deliveries(Delivery.target == "U2")
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.next_attempt_at == rig.now + timedelta(seconds=BACKOFF[0])

    await rig.drain()  # not before its backoff
    assert [s.target for s in rig.messenger.dms("U2")] == []
    rig.clock.advance(timedelta(seconds=BACKOFF[0]))
    await rig.step()
    await rig.run(timedelta(hours=3), timedelta(minutes=30))
    assert [s.target for s in rig.messenger.dms("U2")] == ["U2"]
    (row,) = await rig.deliveries(Delivery.target == "U2")
    assert (row.status, row.attempts) == ("sent", 2)


async def test_a_send_that_keeps_failing_is_given_up(db: Database) -> None:
    rig = Rig(db, MONDAY)
    await rig.join(person("U1"))
    rig.messenger.fail(MAX_ATTEMPTS + 3, target="U1")
    await rig.run(timedelta(hours=12), timedelta(minutes=15))
    (row,) = await rig.deliveries()
    assert (row.status, row.attempts) == ("failed", MAX_ATTEMPTS)
    assert rig.messenger.attempts == MAX_ATTEMPTS  # then left alone: no endless retries
    assert rig.messenger.dms() == []


@dataclass
class OneAtATime(RecordingMessenger):
    """A platform that takes one message at a time, each after a short round trip."""

    some: int = 10  # ``some_out`` is set once this many messages are out

    def __post_init__(self) -> None:
        super().__post_init__()
        self.some_out = asyncio.Event()
        self._line = asyncio.Lock()

    async def send_dm(
        self, tenant: TenantRef, user_id: str, body: Content, buttons: tuple[Button, ...] = ()
    ) -> None:
        async with self._line:
            await asyncio.sleep(0.005)
            await super().send_dm(tenant, user_id, body, buttons)
        if len(self.dms()) >= self.some:
            self.some_out.set()


async def test_a_stop_mid_fan_out_finishes_the_sends_under_way_and_gives_back_the_rest(
    db: Database,
) -> None:
    """SIGTERM in the middle of a fan-out: what was on its way goes out and is marked; what
    was taken and not sent is due again at once, for the next process, which sends it
    without looking on the platform first. Nobody gets two prompts or none."""
    rig = Rig(db, MONDAY)
    members = [f"U{n:02d}" for n in range(60)]
    for user in members:
        await rig.join(person(user))
    rig.clock.advance(timedelta(hours=2))  # Monday 10:00: everyone's prompt is due
    platform = OneAtATime(rig.clock)
    scheduler = Scheduler(db, rig.clock, {"slack": platform}, rig.prompts)
    running = asyncio.create_task(scheduler.run_once())
    await platform.some_out.wait()

    await scheduler.stop()
    assert running.done() and not running.cancelled()  # it finished, nothing cut short
    ran = running.result()
    assert ran is not None
    out = {s.target for s in platform.dms()}
    assert 10 <= len(out) < len(members) and ran[1].sent == len(out)
    rows = await rig.deliveries()
    assert {r.target for r in rows if r.status == "sent"} == out  # each send marked
    given_back = [r for r in rows if r.status == "pending"]
    assert len(given_back) == len(members) - len(out)
    assert all(r.next_attempt_at <= rig.now and r.taken_at is None for r in given_back)
    assert await scheduler.run_once() is None  # a stopped scheduler runs no more

    restarted = Scheduler(db, rig.clock, {"slack": platform}, rig.prompts)
    again = await restarted.run_once()  # at once: no lease to wait out
    assert again is not None and again[1].sent == len(given_back)
    assert platform.lookups == 0  # nothing was in doubt
    assert sorted(s.target for s in platform.dms()) == members  # each exactly once
    await restarted.stop()
