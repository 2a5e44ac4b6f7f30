"""The scheduler counts what each run did (``coach_deliveries``): prompts sent, sends that
failed and will be retried, sends given up, and prompts missed during downtime."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.schedule.leader import Leadership
from bot.schedule.outbox import BACKOFF, MAX_ATTEMPTS
from bot.schedule.runner import Scheduler
from bot.store import Database
from bot.store.models import Delivery
from tests.schedule.helpers import GRACE, Rig, person
from tests.test_metrics import value

MONDAY = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)  # the team's prompt falls due at 10:00 UTC
OUTCOMES = ("sent", "retried", "failed", "missed")


@pytest.fixture
async def rig(db: Database) -> AsyncIterator[tuple[Rig, Scheduler]]:
    """A rig, and the scheduler the run uses, on the rig's clock and messenger."""
    rig = Rig(db, MONDAY)
    messengers = dict.fromkeys(rig.platforms, rig.messenger)
    # A lock key of its own: parallel runs on one PostgreSQL do not see each other's lock.
    leadership = Leadership(db, key=random.randrange(1 << 40))
    scheduler = Scheduler(db, rig.clock, messengers, rig.prompts, GRACE, leadership)
    yield rig, scheduler
    await scheduler.stop()


def counted() -> dict[str, float]:
    return {o: value("coach_deliveries_total", kind="checkin", outcome=o) for o in OUTCOMES}


def moved(before: dict[str, float]) -> dict[str, float]:
    return {key: now - before[key] for key, now in counted().items()}


async def test_sent_retried_and_given_up_deliveries_are_counted(
    rig: tuple[Rig, Scheduler],
) -> None:
    bench, scheduler = rig
    for user in ("U1", "U2"):
        await bench.join(person(user))
    bench.messenger.fail(MAX_ATTEMPTS, target="U2")  # U2's platform refuses every time
    before = counted()

    bench.clock.advance(timedelta(hours=2, minutes=1))
    assert await scheduler.run_once() is not None
    assert moved(before) == {"sent": 1, "retried": 1, "failed": 0, "missed": 0}

    for wait in BACKOFF:  # each retry falls due after its backoff, and fails again
        bench.clock.advance(timedelta(seconds=wait + 1))
        await scheduler.run_once()
    assert moved(before) == {"sent": 1, "retried": MAX_ATTEMPTS - 1, "failed": 1, "missed": 0}
    (given_up,) = await bench.deliveries(Delivery.target == "U2")
    assert given_up.status == "failed"


async def test_prompts_missed_during_downtime_are_counted(rig: tuple[Rig, Scheduler]) -> None:
    bench, scheduler = rig
    await bench.join(person("U1"))
    before = counted()

    bench.clock.advance(timedelta(hours=8, minutes=30))  # down past 10:00 + the 6 h of grace
    await scheduler.run_once()

    assert moved(before) == {"sent": 0, "retried": 0, "failed": 0, "missed": 1}
    assert bench.messenger.dms() == []
