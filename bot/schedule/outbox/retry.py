"""A try that failed (a platform error, or composing the message broke): the row stays pending
and is due again after a backoff, until ``MAX_ATTEMPTS`` tries, when it is given up."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import update

from bot.schedule.outbox.report import DrainReport, Outcome
from bot.schedule.writes import writing
from bot.store import Database
from bot.store.deliveries import DeliveryStatus
from bot.store.models import Delivery

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BACKOFF = (30, 120, 600, 1800, 3600)  # seconds before attempt 2, 3, …
# A row whose earlier try the platform cannot confirm yet is asked about again this much
# later (Slack answers a history read about once a minute), for up to DOUBT_PATIENCE from its
# first take; past that, each wait counts as a failed try, so a platform that never answers
# cannot keep a row pending for ever.
LOOK_AGAIN = timedelta(seconds=60)
DOUBT_PATIENCE = timedelta(days=1)


def backoff(attempts: int) -> timedelta:
    """How long a row waits after its ``attempts``-th failed try: ``backoff(1) == 30 s``; the
    last step repeats."""
    return timedelta(seconds=BACKOFF[min(attempts, len(BACKOFF)) - 1])


async def retry_later(
    db: Database, delivery_id: int, now: datetime, error: Exception, report: DrainReport
) -> None:
    """Count a failed try of the row: due again after its backoff, or ``failed`` at the last."""
    log.warning("delivery %s failed: %s", delivery_id, type(error).__name__)
    async with writing(db) as session:
        delivery = await session.get(Delivery, delivery_id)
        if delivery is None:
            return
        attempts = delivery.attempts + 1
        values: dict[str, object]
        if attempts >= MAX_ATTEMPTS:
            values = {"attempts": attempts, "status": DeliveryStatus.FAILED}
            report.failed += 1
            report.count(delivery.kind, Outcome.FAILED)
        else:
            values = {"attempts": attempts, "next_attempt_at": now + backoff(attempts)}
            report.retried += 1
            report.count(delivery.kind, Outcome.RETRIED)
        await session.execute(update(Delivery).where(Delivery.id == delivery_id).values(values))


async def look_again_later(
    db: Database,
    delivery_id: int,
    kind: str,
    now: datetime,
    taken_before: datetime | None,
    error: Exception,
    report: DrainReport,
) -> None:
    """The platform could not say whether an earlier try is out: the row stays pending and in
    doubt, due again after ``LOOK_AGAIN``, its attempts untouched (within ``DOUBT_PATIENCE``)."""
    if taken_before is None or now - taken_before > DOUBT_PATIENCE:
        await retry_later(db, delivery_id, now, error, report)
        return
    log.info("delivery %s: not known yet whether it is out; asking again later", delivery_id)
    async with writing(db) as session:
        await session.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id)
            .values(next_attempt_at=now + LOOK_AGAIN)
        )
    report.in_doubt += 1
    report.count(kind, Outcome.IN_DOUBT)
