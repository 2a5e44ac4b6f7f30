"""Rule 3 (mark): a row is marked sent once the platform took it, a batch at a time, and a
sent row is never taken again; a mark that cannot be written leaves the row in doubt."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import event

from bot.ports import ManualClock
from bot.schedule.outbox import LEASE, DrainReport
from bot.schedule.outbox.lease import due
from bot.schedule.outbox.marks import Marks
from bot.schedule.outbox.send import Sender
from bot.store import Database
from bot.store.deliveries import DeliveryStatus
from tests.schedule.helpers import RecordingMessenger
from tests.schedule.outbox.seed import NOW, pending, read, taker, workspace
from tests.schedule.outbox.test_send import TEAM


@contextmanager
def marks_written(db: Database, fail: bool = False) -> Iterator[list[int]]:
    """Count the statements that mark rows sent (rows per statement); ``fail``: the database
    refuses them."""
    written: list[int] = []

    def seen(conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool) -> None:
        if sql.lstrip().upper().startswith("UPDATE DELIVERIES SET STATUS"):
            written.append(len(params) if many else 1)
            if fail:
                raise ConnectionError("the database went away")

    engine = db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield written
    finally:
        event.remove(engine, "before_cursor_execute", seen)


async def test_marks_added_together_are_written_as_one_batch(db: Database) -> None:
    tenant = await workspace(db)
    rows = [await pending(db, tenant, f"U{n}") for n in range(5)]
    marks = Marks(db)

    with marks_written(db) as written:
        for n, row in enumerate(rows):
            marks.add(row, NOW + timedelta(seconds=n), {"ts": f"m{n}"})
        await marks.settled()
    assert written == [5]
    for n, row in enumerate(rows):
        delivery = await read(db, row)
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)
        assert (delivery.sent_at, delivery.detail) == (NOW + timedelta(seconds=n), {"ts": f"m{n}"})


async def test_a_mark_with_nothing_new_to_remember_keeps_the_row_s_detail(db: Database) -> None:
    tenant = await workspace(db)
    kept = await pending(db, tenant, "U1", detail={"silent": 2})
    changed = await pending(db, tenant, "U2", detail={"silent": 1})
    marks = Marks(db)

    with marks_written(db) as written:
        marks.add(kept, NOW, None)
        marks.add(changed, NOW, {"silent": 1, "ts": "m2"})
        await marks.settled()
    assert sorted(written) == [1, 1]  # one batch: a statement each, in one transaction
    for row, detail in ((kept, {"silent": 2}), (changed, {"silent": 1, "ts": "m2"})):
        delivery = await read(db, row)
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)
        assert (delivery.sent_at, delivery.detail) == (NOW, detail)


async def test_a_sent_row_is_never_taken_again(db: Database) -> None:
    clock = ManualClock(NOW)
    row = await pending(db, await workspace(db), "U1")
    await taker(db, clock).take([row], clock.now(), DrainReport(), [])
    marks = Marks(db)
    marks.add(row, clock.now(), {})
    await marks.settled()

    clock.advance(LEASE * 10)
    assert await due(db, clock.now(), 0) == []
    assert await taker(db, clock).take([row], clock.now(), DrainReport(), []) == []


async def test_a_mark_that_cannot_be_written_leaves_the_row_in_doubt_then_found(
    db: Database,
) -> None:
    clock = ManualClock(NOW)
    messenger = RecordingMessenger(clock)
    row = await pending(db, await workspace(db), "U1")
    (ready,) = await taker(db, clock).take([row], clock.now(), DrainReport(), [])
    marks = Marks(db)

    with marks_written(db, fail=True):
        await Sender(db, marks, clock).send(messenger, TEAM, ready, clock.now(), DrainReport())
        await marks.settled()
    assert (await read(db, row)).status == DeliveryStatus.PENDING

    clock.advance(LEASE)
    (again,) = await taker(db, clock).take([row], clock.now(), DrainReport(), [])
    report = DrainReport()
    await Sender(db, marks, clock).send(messenger, TEAM, again, clock.now(), report)
    await marks.settled()
    assert (len(messenger.dms("U1")), report.found) == (1, 1)
    assert (await read(db, row)).status == DeliveryStatus.SENT
