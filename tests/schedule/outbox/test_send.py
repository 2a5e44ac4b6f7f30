"""Rule 5 (recovery lookup): a row that may be out already is looked for on the platform
before it is sent, and never sent twice when the platform can tell."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.events import Button, Content, TenantRef
from bot.ports import ManualClock, NotKnownYet, Recipient
from bot.schedule.outbox import (
    BACKOFF,
    DOUBT_PATIENCE,
    LEASE,
    LOOK_AGAIN,
    MAX_ATTEMPTS,
    DrainReport,
)
from bot.schedule.outbox.lease import Ready
from bot.schedule.outbox.marks import Marks
from bot.schedule.outbox.send import Sender
from bot.store import Database
from bot.store.deliveries import DeliveryKind, DeliveryStatus
from tests.schedule.helpers import RecordingMessenger
from tests.schedule.outbox.seed import CHANNEL, NOW, pending, read, taker, workspace

TEAM = TenantRef("slack", "T1")


class CannotTell(RecordingMessenger):
    """A platform whose history cannot be read (the lookup fails)."""

    async def find_sent(
        self, tenant: TenantRef, to: Recipient, body: Content, since: datetime
    ) -> str | None:
        self.lookups += 1
        raise ConnectionError("history unavailable")


async def send(
    db: Database, clock: ManualClock, messenger: RecordingMessenger, ready: Ready
) -> DrainReport:
    """Send one taken row as the outbox does, and wait for its mark."""
    marks = Marks(db)
    report = DrainReport()
    await Sender(db, marks, clock).send(messenger, TEAM, ready, clock.now(), report)
    await marks.settled()
    return report


async def take_again_after_lease(db: Database, clock: ManualClock, row: int) -> Ready:
    clock.advance(LEASE)
    (ready,) = await taker(db, clock).take([row], clock.now(), DrainReport(), [])
    assert ready.in_doubt
    return ready


async def test_a_row_not_in_doubt_is_sent_without_a_lookup_and_marked(db: Database) -> None:
    clock = ManualClock(NOW)
    messenger = RecordingMessenger(clock)
    row = await pending(db, await workspace(db), "U1")
    (ready,) = await taker(db, clock).take([row], clock.now(), DrainReport(), [])

    report = await send(db, clock, messenger, ready)
    assert ([s.target for s in messenger.dms()], messenger.lookups) == (["U1"], 0)
    delivery = await read(db, row)
    assert (delivery.status, delivery.attempts, delivery.sent_at) == ("sent", 1, NOW)
    assert (report.sent, report.by_kind["notebook_review", "sent"]) == (1, 1)


async def test_an_in_doubt_row_found_on_the_platform_is_marked_with_its_id_not_resent(
    db: Database,
) -> None:
    clock = ManualClock(NOW)
    messenger = RecordingMessenger(clock)
    row = await pending(db, await workspace(db), CHANNEL, DeliveryKind.TAG, {"users": ["U1"]})
    (first,) = await taker(db, clock).take([row], clock.now(), DrainReport(), [])
    # The platform took the post; the process died before it heard back or marked it.
    ts = await messenger.post(TEAM, CHANNEL, first.message.body)

    report = await send(db, clock, messenger, await take_again_after_lease(db, clock, row))
    assert (len(messenger.posts()), messenger.lookups) == (1, 1)
    delivery = await read(db, row)
    assert (delivery.status, delivery.detail["ts"]) == (DeliveryStatus.SENT, ts)
    assert (report.found, report.sent, report.by_kind["tag", "found"]) == (1, 0, 1)


async def test_an_in_doubt_row_not_on_the_platform_is_sent(db: Database) -> None:
    clock = ManualClock(NOW)
    messenger = RecordingMessenger(clock)
    row = await pending(db, await workspace(db), "U1")
    await taker(db, clock).take([row], clock.now(), DrainReport(), [])  # died before sending

    report = await send(db, clock, messenger, await take_again_after_lease(db, clock, row))
    assert ([s.target for s in messenger.dms()], messenger.lookups) == (["U1"], 1)
    assert (report.sent, report.found) == (1, 0)
    assert (await read(db, row)).status == DeliveryStatus.SENT


async def test_a_platform_that_cannot_tell_gets_the_in_doubt_row_sent(db: Database) -> None:
    clock = ManualClock(NOW)
    messenger = CannotTell(clock)
    row = await pending(db, await workspace(db), "U1")
    await taker(db, clock).take([row], clock.now(), DrainReport(), [])

    await send(db, clock, messenger, await take_again_after_lease(db, clock, row))
    assert ([s.target for s in messenger.dms()], messenger.lookups) == (["U1"], 1)


async def test_a_platform_error_is_a_failed_try_left_pending_for_later(db: Database) -> None:
    clock = ManualClock(NOW)
    messenger = RecordingMessenger(clock)
    messenger.fail(1)
    row = await pending(db, await workspace(db), "U1")
    (ready,) = await taker(db, clock).take([row], clock.now(), DrainReport(), [])

    report = await send(db, clock, messenger, ready)
    assert (messenger.sent, report.retried) == ([], 1)
    delivery = await read(db, row)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
    assert delivery.next_attempt_at == NOW + timedelta(seconds=BACKOFF[0])


class NotYet(RecordingMessenger):
    """A platform that refuses the lookup for now (rate limited): the Messenger will not send
    a row whose earlier try it could not confirm, as the Slack one does."""

    async def find_sent(
        self, tenant: TenantRef, to: Recipient, body: Content, since: datetime
    ) -> str | None:
        self.lookups += 1
        return None

    async def send_dm(
        self, tenant: TenantRef, user_id: str, body: Content, buttons: tuple[Button, ...] = ()
    ) -> None:
        raise NotKnownYet("the lookup was rate limited")


async def test_a_row_the_platform_cannot_confirm_yet_waits_without_spending_a_try(
    db: Database,
) -> None:
    clock = ManualClock(NOW)
    messenger = NotYet(clock)
    row = await pending(db, await workspace(db), "U1")
    await taker(db, clock).take([row], clock.now(), DrainReport(), [])  # died mid-send

    ready = await take_again_after_lease(db, clock, row)
    for _ in range(MAX_ATTEMPTS + 2):  # more waits than a row has tries
        report = await send(db, clock, messenger, ready)
        assert (report.in_doubt, report.by_kind["notebook_review", "in_doubt"]) == (1, 1)
        delivery = await read(db, row)
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 0)
        assert delivery.next_attempt_at == clock.now() + LOOK_AGAIN
        clock.advance(LOOK_AGAIN)
        (ready,) = await taker(db, clock).take([row], clock.now(), DrainReport(), [])
        assert ready.in_doubt
    assert messenger.sent == [] and messenger.lookups == MAX_ATTEMPTS + 2


async def test_a_row_in_doubt_past_the_patience_spends_its_tries(db: Database) -> None:
    clock = ManualClock(NOW)
    messenger = NotYet(clock)
    row = await pending(db, await workspace(db), "U1")
    await taker(db, clock).take([row], clock.now(), DrainReport(), [])
    clock.advance(DOUBT_PATIENCE)

    report = await send(db, clock, messenger, await take_again_after_lease(db, clock, row))
    assert report.retried == 1
    assert (await read(db, row)).attempts == 1
