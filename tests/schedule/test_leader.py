"""Two schedulers on one PostgreSQL: one leads (an advisory lock on a dedicated connection), the
other takes over when the leader's connection dies, and nothing is delivered twice. Each test
takes a random lock key, so parallel runs on one server do not see each other's lock."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from bot.events import Button, Content, TenantRef
from bot.schedule.leader import Leadership
from bot.schedule.runner import Scheduler
from bot.store import Database, create_engine
from tests.conftest import PG_URL
from tests.schedule.helpers import Rig, person

MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
MEMBERS = [f"U{n:02d}" for n in range(12)]
ONLY_POSTGRESQL = "advisory-lock leadership is PostgreSQL's (SQLite is one process: it leads)"


class SlowMessenger:
    """Records sends and yields to the event loop mid-send, so two outboxes interleave."""

    def __init__(self, name: str, log: list[tuple[str, str]]) -> None:
        self.name = name
        self.log = log

    async def send_dm(
        self, tenant: TenantRef, user_id: str, body: Content, buttons: tuple[Button, ...] = ()
    ) -> None:
        await asyncio.sleep(0)
        self.log.append((self.name, user_id))
        await asyncio.sleep(0)

    async def post(
        self, tenant: TenantRef, channel_id: str, body: Content, thread_id: str | None = None
    ) -> str:
        await asyncio.sleep(0)
        self.log.append((self.name, channel_id))
        return f"{self.name}-{len(self.log)}"


@pytest.fixture
async def replica(db: Database) -> AsyncIterator[Database]:
    """A second process's own engine on the same PostgreSQL schema."""
    if db.backend != "postgresql":
        pytest.skip(ONLY_POSTGRESQL)
    assert PG_URL is not None
    async with db.engine.connect() as conn:
        schema = await conn.scalar(text("SELECT current_schema()"))
    other = Database(
        create_engine(PG_URL, connect_args={"server_settings": {"search_path": str(schema)}})
    )
    yield other
    await other.dispose()


async def lock_holder(db: Database, key: int) -> int | None:
    """The backend pid holding advisory lock ``key`` (a bigint lock: classid, objid halves)."""
    async with db.engine.connect() as conn:
        pid = await conn.scalar(
            text(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND objsubid = 1 AND classid::bigint = :hi AND objid::bigint = :lo"
            ),
            {"hi": key >> 32, "lo": key & 0xFFFFFFFF},
        )
    return int(pid) if pid is not None else None


async def setup(db: Database) -> Rig:
    rig = Rig(db, MONDAY)
    for user in MEMBERS:
        await rig.join(person(user))
    return rig


def two_schedulers(
    rig: Rig, replica: Database, log: list[tuple[str, str]], key: int
) -> tuple[Scheduler, Scheduler]:
    a, b = (
        Scheduler(
            database,
            rig.clock,
            {"slack": SlowMessenger(name, log)},
            rig.prompts,
            leadership=Leadership(database, key),
        )
        for name, database in (("a", rig.db), ("b", replica))
    )
    return a, b


async def test_sqlite_always_leads(db: Database) -> None:
    if db.backend != "sqlite":
        pytest.skip("the SQLite case")
    assert await Leadership(db).ensure()


async def test_one_leader_and_no_duplicates_when_both_run(db: Database, replica: Database) -> None:
    rig = await setup(db)
    log: list[tuple[str, str]] = []
    key = random.getrandbits(62)
    a, b = two_schedulers(rig, replica, log, key)
    try:
        for _ in range(6):  # 09:30 … 12:00, both replicas ticking at the same moments
            rig.clock.advance(timedelta(minutes=30))
            ran = await asyncio.gather(a.run_once(), b.run_once())
            assert sum(r is not None for r in ran) == 1
        assert a.leadership.leading != b.leadership.leading
        assert sorted(user for _, user in log) == MEMBERS  # each prompt once
        assert len({name for name, _ in log}) == 1  # all from the leader
    finally:
        await a.stop()
        await b.stop()


async def test_overlapping_ticks_and_outboxes_never_send_twice(
    db: Database, replica: Database
) -> None:
    """During a failover both replicas may work for a moment: the unique keys keep claims
    single, and a row is sent by one outbox only."""
    rig = await setup(db)
    log: list[tuple[str, str]] = []
    a, b = two_schedulers(rig, replica, log, random.getrandbits(62))
    rig.clock.advance(timedelta(hours=1, minutes=5))
    now = rig.clock.now()
    await asyncio.gather(a.ticker.tick(now), b.ticker.tick(now))
    await asyncio.gather(a.outbox.drain(now), b.outbox.drain(now))
    assert sorted(user for _, user in log) == MEMBERS


async def test_the_other_replica_takes_over_when_the_leaders_connection_dies(
    db: Database, replica: Database
) -> None:
    rig = await setup(db)
    log: list[tuple[str, str]] = []
    key = random.getrandbits(62)
    a, b = two_schedulers(rig, replica, log, key)
    try:
        assert await a.run_once() is not None
        assert await b.run_once() is None
        holder = await lock_holder(db, key)
        assert holder is not None

        async with db.engine.connect() as conn:  # the leader's connection dies
            assert await conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": holder})
        for _ in range(250):  # termination is asynchronous: wait until the lock is free
            if await lock_holder(db, key) != holder:
                break
            await asyncio.sleep(0.02)

        rig.clock.advance(timedelta(hours=1, minutes=5))  # prompts fell due meanwhile
        assert await b.run_once() is not None  # takes over on its next tick
        assert await a.run_once() is None  # notices its loss and does not compete
        assert await lock_holder(db, key) not in (None, holder)
        assert sorted(user for _, user in log) == MEMBERS
        assert {name for name, _ in log} == {"b"}
    finally:
        await a.stop()
        await b.stop()
