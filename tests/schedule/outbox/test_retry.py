"""Rule 6 (retry): a failed try leaves the row pending, due after a backoff; the last one
gives it up, and a row given up is never sent."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from bot.ports import ManualClock
from bot.schedule.outbox import BACKOFF, LEASE, MAX_ATTEMPTS, DrainReport
from bot.schedule.outbox.retry import backoff, retry_later
from bot.store import Database
from bot.store.deliveries import DeliveryStatus
from bot.store.models import Delivery
from tests.schedule.outbox.seed import NOW, pending, read, taker, workspace


class Refused(Exception):
    """A platform error."""


async def test_a_failed_try_is_due_again_after_its_backoff(db: Database) -> None:
    row = await pending(db, await workspace(db), "U1")
    report = DrainReport()

    await retry_later(db, row, NOW, Refused(), report)
    delivery = await read(db, row)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
    assert delivery.next_attempt_at == NOW + timedelta(seconds=BACKOFF[0])
    assert (report.retried, report.by_kind["notebook_review", "retried"]) == (1, 1)


def test_the_backoff_grows_then_stays_at_its_last_step() -> None:
    waits = [backoff(n).total_seconds() for n in range(1, MAX_ATTEMPTS + 2)]
    assert waits == [*BACKOFF, BACKOFF[-1], BACKOFF[-1]]


async def test_the_last_failed_try_gives_the_row_up_and_it_is_never_sent(db: Database) -> None:
    clock = ManualClock(NOW)
    row = await pending(db, await workspace(db), "U1")
    report = DrainReport()

    for _ in range(MAX_ATTEMPTS):
        await retry_later(db, row, NOW, Refused(), report)
    delivery = await read(db, row)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, MAX_ATTEMPTS)
    assert (report.retried, report.failed) == (MAX_ATTEMPTS - 1, 1)
    clock.advance(timedelta(days=1))
    assert await taker(db, clock).take([row], clock.now(), DrainReport(), []) == []


async def test_a_message_that_cannot_be_composed_is_a_failed_try_and_the_rest_go(
    db: Database,
) -> None:
    clock = ManualClock(NOW)
    tenant = await workspace(db)
    broken, fine = await pending(db, tenant, "U1"), await pending(db, tenant, "U2")
    async with db.session() as session:  # a kind this version cannot compose
        await session.execute(update(Delivery).where(Delivery.id == broken).values(kind="gone"))
    report = DrainReport()

    taken = await taker(db, clock).take([broken, fine], clock.now(), report, [])
    assert [r.delivery_id for r in taken] == [fine]
    delivery = await read(db, broken)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
    assert delivery.next_attempt_at == NOW + timedelta(seconds=BACKOFF[0]) < NOW + LEASE
    assert report.retried == 1
