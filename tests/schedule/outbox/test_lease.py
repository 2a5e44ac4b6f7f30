"""Rule 2 (lease), rule 4 (in doubt) and giving back: which outbox may send a row, and when a
row may already be out."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from bot.ports import ManualClock
from bot.schedule.outbox import LEASE, DrainReport
from bot.schedule.outbox.lease import due
from bot.store import Database
from bot.store.deliveries import DeliveryKind, DeliveryStatus
from bot.store.models import Delivery
from tests.schedule.outbox.seed import NOW, pending, read, taker, workspace


async def test_a_taken_row_is_not_taken_by_another_outbox_before_its_lease_passes(
    db: Database,
) -> None:
    clock = ManualClock(NOW)
    row = await pending(db, await workspace(db), "U1")
    first, second = taker(db, clock), taker(db, clock)

    (taken,) = await first.take([row], clock.now(), DrainReport(), [])
    assert taken.delivery_id == row and not taken.in_doubt
    assert await second.take([row], clock.now(), DrainReport(), []) == []
    clock.advance(LEASE - timedelta(seconds=1))
    assert await second.take([row], clock.now(), DrainReport(), []) == []
    assert await due(db, clock.now(), 0) == []  # not even read as due meanwhile


async def test_a_row_taken_again_after_its_lease_is_in_doubt_since_its_first_take(
    db: Database,
) -> None:
    clock = ManualClock(NOW)
    row = await pending(db, await workspace(db), "U1")
    await taker(db, clock).take([row], clock.now(), DrainReport(), [])
    clock.advance(LEASE)

    (again,) = await taker(db, clock).take([row], clock.now(), DrainReport(), [])
    assert again.in_doubt and again.taken_before == NOW
    clock.advance(LEASE)
    (third,) = await taker(db, clock).take([row], clock.now(), DrainReport(), [])
    assert third.taken_before == NOW  # the first take counts: an earlier try may be out


async def test_rows_given_back_are_due_at_once_and_not_in_doubt(db: Database) -> None:
    clock = ManualClock(NOW)
    row = await pending(db, await workspace(db), "U1")
    stopping = taker(db, clock)
    taken = await stopping.take([row], clock.now(), DrainReport(), [])

    await stopping.give_back(taken, clock.now())
    delivery = await read(db, row)
    assert (delivery.status, delivery.next_attempt_at, delivery.taken_at) == ("pending", NOW, None)
    (again,) = await taker(db, clock).take([row], clock.now(), DrainReport(), [])
    assert not again.in_doubt


async def test_only_pending_rows_are_taken(db: Database) -> None:
    clock = ManualClock(NOW)
    tenant = await workspace(db)
    rows = {status: await pending(db, tenant, f"U-{status}") for status in DeliveryStatus}
    async with db.session() as session:
        for status, delivery_id in rows.items():
            await session.execute(
                update(Delivery).where(Delivery.id == delivery_id).values(status=status)
            )

    taken = await taker(db, clock).take(list(rows.values()), clock.now(), DrainReport(), [])
    assert [r.delivery_id for r in taken] == [rows[DeliveryStatus.PENDING]]


async def test_a_row_with_nothing_left_to_say_is_skipped_not_sent(db: Database) -> None:
    clock = ManualClock(NOW)
    row = await pending(db, await workspace(db), "U1", DeliveryKind.CHECKIN)  # no member

    assert await taker(db, clock).take([row], clock.now(), DrainReport(), []) == []
    assert (await read(db, row)).status == DeliveryStatus.SKIPPED


async def test_a_digest_item_waits_for_its_digest_let_go_and_not_in_doubt(db: Database) -> None:
    clock = ManualClock(NOW)
    item = await pending(db, await workspace(db), "checkin:1", DeliveryKind.DIGEST_ITEM)
    held: list[int] = []

    assert await taker(db, clock).take([item], clock.now(), DrainReport(), held) == []
    assert held == [item]
    delivery = await read(db, item)
    assert (delivery.status, delivery.next_attempt_at, delivery.taken_at) == ("pending", NOW, None)
