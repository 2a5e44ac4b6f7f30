"""A drain as a whole, on a real database: every due row once, whoever drains, and a stop
that finishes what is on its way and gives back the rest (rule 7)."""

from __future__ import annotations

import asyncio

from bot.events import Button, Content, TenantRef
from bot.ports import ManualClock
from bot.prompts import load_prompts
from bot.schedule.outbox import Outbox
from bot.store import Database
from bot.store.deliveries import DeliveryStatus
from tests.schedule.helpers import RecordingMessenger
from tests.schedule.outbox.seed import NOW, pending, read, workspace


def outbox(db: Database, messenger: RecordingMessenger) -> Outbox:
    return Outbox(db, {"slack": messenger}, load_prompts(), messenger.clock)


class Gated(RecordingMessenger):
    """A platform that holds every DM until ``gate`` opens; ``arrived`` is set by the first."""

    def __init__(self, clock: ManualClock) -> None:
        super().__init__(clock)
        self.gate = asyncio.Event()
        self.arrived = asyncio.Event()

    async def send_dm(
        self, tenant: TenantRef, user_id: str, body: Content, buttons: tuple[Button, ...] = ()
    ) -> None:
        self.arrived.set()
        await self.gate.wait()
        await super().send_dm(tenant, user_id, body, buttons)


async def test_every_due_row_of_every_workspace_is_sent_once(db: Database) -> None:
    clock = ManualClock(NOW)
    messenger = RecordingMessenger(clock)
    tenants = [await workspace(db, f"T{n}") for n in range(3)]
    targets = [f"U{n}-{i}" for n in range(3) for i in range(4)]
    rows = [await pending(db, tenants[int(t[1])], t) for t in targets]

    report = await outbox(db, messenger).drain(NOW)
    again = await outbox(db, messenger).drain(NOW)
    assert sorted(s.target for s in messenger.dms()) == targets
    assert (report.sent, again.sent) == (12, 0)
    assert {(await read(db, row)).status for row in rows} == {DeliveryStatus.SENT}


async def test_two_outboxes_draining_at_once_send_each_row_once(db: Database) -> None:
    clock = ManualClock(NOW)
    messenger = RecordingMessenger(clock)
    tenant = await workspace(db)
    for i in range(40):
        await pending(db, tenant, f"U{i}")

    first, second = await asyncio.gather(
        outbox(db, messenger).drain(NOW), outbox(db, messenger).drain(NOW)
    )
    assert sorted(s.target for s in messenger.dms()) == sorted(f"U{i}" for i in range(40))
    assert first.sent + second.sent == 40


async def test_stop_finishes_the_sends_under_way_and_gives_back_the_rest(db: Database) -> None:
    clock = ManualClock(NOW)
    messenger = Gated(clock)
    tenant = await workspace(db)
    rows = [await pending(db, tenant, f"U{i}") for i in range(40)]  # more than SENDERS
    stopping = outbox(db, messenger)

    draining = asyncio.create_task(stopping.drain(NOW))
    await messenger.arrived.wait()
    stopping.stop()
    messenger.gate.set()
    report = await draining

    sent = {s.target for s in messenger.dms()}
    assert 0 < report.sent == len(sent) < len(rows)
    for row in rows:
        delivery = await read(db, row)
        if delivery.target in sent:
            assert delivery.status == DeliveryStatus.SENT
        else:  # given back: due at once, and not in doubt (it never left)
            assert (delivery.status, delivery.next_attempt_at) == ("pending", NOW)
            assert delivery.taken_at is None
    restarted = await outbox(db, RecordingMessenger(clock)).drain(NOW)
    assert restarted.sent == len(rows) - len(sent)
