"""What each platform's quarterly-review transcript shares: moving the clock to an instant
and running the scheduler's tick and outbox once there, and the instant the member's next
review is due, as stored."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.coach import Coach
from bot.ports import ManualClock
from bot.schedule.runner import Scheduler
from bot.store.models import Member


async def tick_at(running: Scheduler, clock: ManualClock, at: datetime) -> None:
    clock.advance(at - clock.now())
    await running.run_once()


async def next_review(coach: Coach) -> datetime | None:
    """The one member's next review (``None``: she turned it off). SQLite gives it back naive."""
    async with coach.db.session() as session:
        due = await session.scalar(select(Member.next_quarterly_at))
    return due if due is None or due.tzinfo else due.replace(tzinfo=UTC)
