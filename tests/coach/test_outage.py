"""The database unreachable or locked: every event gets one ``TryAgainLater``; nothing is lost."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import get_args

import pytest

from bot.coach import Coach
from bot.events import (
    Action,
    AppUninstalled,
    ButtonPressed,
    CommandInvoked,
    DmRefused,
    Event,
    FormClosed,
    FormSubmitted,
    HomeOpened,
    MemberJoined,
    MemberLeft,
    MessageReceived,
    MessageSaved,
    Reply,
    TryAgainLater,
)
from bot.ports import ManualClock
from bot.store import Database
from bot.store.models import NotebookEntry
from tests.coach.helpers import CHANNEL, DM, TEAM, member, only, rows, text

# Nothing listens on port 1 of this machine: connecting is refused at once.
UNREACHABLE = "postgresql+asyncpg://postgres@127.0.0.1:1/none"

EVERY_EVENT: list[Event] = [
    CommandInvoked(member(), CHANNEL, "goal", "list"),
    CommandInvoked(member(), CHANNEL, "log", "Loss spikes at step 40k"),
    FormSubmitted(member(), CHANNEL, "checkin", {"did": "Tuned the decoder"}),
    FormClosed(member(), DM, "checkin", {"did": "Tuned the decoder"}),
    ButtonPressed(member(), CHANNEL, Action.PUBLISH_CHECKIN, "1"),
    MessageReceived(member(), DM, "What got in the way was the data", delivery_id="Ev1"),
    MessageSaved(
        member(), CHANNEL, "Loss spikes at step 40k", "https://lab.slack.com/archives/C1/p1"
    ),
    HomeOpened(member()),
    MemberJoined(member()),
    MemberLeft(member()),
    DmRefused(member()),
    AppUninstalled(TEAM),
]


def test_every_event_type_is_tried() -> None:
    assert {type(e) for e in EVERY_EVENT} == set(get_args(Event))


@pytest.fixture
async def offline_coach(clock: ManualClock) -> AsyncIterator[Coach]:
    coach = Coach(Database.from_url(UNREACHABLE), clock)
    yield coach
    await coach.db.dispose()


@pytest.mark.parametrize("event", EVERY_EVENT, ids=lambda e: type(e).__name__)
async def test_an_unreachable_database_gives_one_try_again_later(
    offline_coach: Coach, event: Event
) -> None:
    intents = await offline_coach.handle(event)

    assert len(intents) == 1
    assert isinstance(intents[0], TryAgainLater)
    assert "nothing was saved yet" in text(intents[0])


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Another process holds the write lock of the SQLite file ``path``."""
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN EXCLUSIVE")
        yield
        other.execute("ROLLBACK")
    finally:
        other.close()


async def test_a_locked_sqlite_file_gives_try_again_later_then_the_event_succeeds(
    tmp_path: Path, clock: ManualClock
) -> None:
    path = tmp_path / "coach.db"
    database = Database.from_url(f"sqlite+aiosqlite:///{path}", connect_args={"timeout": 0.2})
    coach = Coach(database, clock)
    log = CommandInvoked(member(), CHANNEL, "log", "Loss spikes at step 40k")
    try:
        await database.upgrade()

        with locked(path):
            refused = await coach.handle(log)

        assert len(refused) == 1 and isinstance(refused[0], TryAgainLater)
        assert await rows(coach, NotebookEntry) == []
        retried = await coach.handle(log)
        assert text(only(retried, Reply)) == "Noted in your notebook."
        (entry,) = await rows(coach, NotebookEntry)
        assert entry.text == "Loss spikes at step 40k"
    finally:
        await database.dispose()
