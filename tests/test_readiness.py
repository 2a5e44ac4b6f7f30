"""/readyz asks the database for a write: a read-only or full SQLite file, which still
answers reads, makes the replica not ready, with the reason in the answer and the cause in
the log."""

from __future__ import annotations

import logging
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event, text

from bot.adapter import RunOptions
from bot.coach import Coach
from bot.health import readiness
from bot.ops import OpsServer
from bot.store import Database
from tests.conftest import PG_SKIP, PG_URL


async def ready_answer(db: Database) -> httpx.Response:
    """What ``GET /readyz`` answers for a coach on ``db``."""
    options = RunOptions()
    server = OpsServer(lambda: readiness(Coach(db), options))
    port = await server.start("127.0.0.1", 0)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            return await http.get("/readyz")
    finally:
        await server.stop()


@pytest.fixture
async def migrated(tmp_path: Path) -> AsyncIterator[Path]:
    """A migrated SQLite file, its writer kept open (as the running coach keeps it)."""
    path = tmp_path / "coach.db"
    writer = Database.from_url(f"sqlite+aiosqlite:///{path}")
    await writer.upgrade()
    async with writer.session() as session:
        await session.execute(text("SELECT 1"))
    try:
        yield path
    finally:
        await writer.dispose()


async def test_a_writable_database_is_ready_and_the_probe_leaves_nothing(migrated: Path) -> None:
    db = Database.from_url(f"sqlite+aiosqlite:///{migrated}")
    try:
        ready = await ready_answer(db)
        async with db.session() as session:
            tables = await session.execute(
                text("SELECT name FROM sqlite_master WHERE name = 'readiness_probe'")
            )
            assert tables.all() == []
    finally:
        await db.dispose()
    assert (ready.status_code, ready.json()["database"]) == (200, "ok")


async def test_a_read_only_sqlite_file_is_not_ready(
    migrated: Path, caplog: pytest.LogCaptureFixture
) -> None:
    read_only = Database.from_url(f"sqlite+aiosqlite:///file:{migrated}?mode=ro&uri=true")
    try:
        async with read_only.session() as session:  # reads still work
            assert (await session.execute(text("SELECT count(*) FROM tenants"))).scalar() == 0
        with caplog.at_level(logging.WARNING, logger="bot.health"):
            ready = await ready_answer(read_only)
    finally:
        await read_only.dispose()
    assert ready.status_code == 503
    assert ready.json()["database"] == "read-only"
    (record,) = [r for r in caplog.records if r.name == "bot.health"]
    assert "read-only" in record.getMessage() and "readonly database" in record.getMessage()


async def test_a_full_sqlite_file_is_not_ready(
    migrated: Path, caplog: pytest.LogCaptureFixture
) -> None:
    full = Database.from_url(f"sqlite+aiosqlite:///{migrated}")
    async with full.engine.connect() as conn:  # no free pages left to reuse
        await conn.exec_driver_sql("VACUUM")
    await full.dispose()

    def at_its_size_limit(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA page_count")
        (pages,) = cursor.fetchone()
        cursor.execute(f"PRAGMA max_page_count = {pages}")
        cursor.close()

    event.listen(full.engine.sync_engine, "connect", at_its_size_limit)
    try:
        with caplog.at_level(logging.WARNING, logger="bot.health"):
            ready = await ready_answer(full)
    finally:
        await full.dispose()
    assert ready.status_code == 503
    assert ready.json()["database"] == "full"
    (record,) = [r for r in caplog.records if r.name == "bot.health"]
    assert "database or disk is full" in record.getMessage()


async def test_a_postgresql_that_only_takes_reads_is_not_ready(
    caplog: pytest.LogCaptureFixture,
) -> None:
    if not PG_URL:
        pytest.skip(PG_SKIP)
    # What a standby, or a managed server turned read-only by a full disk, looks like.
    read_only = Database.from_url(
        PG_URL, connect_args={"server_settings": {"default_transaction_read_only": "on"}}
    )
    try:
        async with read_only.session() as session:  # reads still work
            assert (await session.execute(text("SELECT 1"))).scalar() == 1
        with caplog.at_level(logging.WARNING, logger="bot.health"):
            ready = await ready_answer(read_only)
    finally:
        await read_only.dispose()
    assert (ready.status_code, ready.json()["database"]) == (503, "read-only")
    assert "transaction_read_only" in caplog.text


async def test_a_writable_postgresql_is_ready() -> None:
    if not PG_URL:
        pytest.skip(PG_SKIP)
    db = Database.from_url(PG_URL)
    try:
        ready = await ready_answer(db)
    finally:
        await db.dispose()
    assert (ready.status_code, ready.json()["database"]) == (200, "ok")


async def test_a_data_folder_disk_out_of_space_is_not_ready(
    migrated: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # The rolled-back probe writes nothing to disk, so a full disk shows in its free space.
    real = shutil.disk_usage

    def nearly_full(path: str | Path) -> Any:
        usage = real(path)
        return usage._replace(free=4096) if Path(path) == migrated.parent else usage

    monkeypatch.setattr(shutil, "disk_usage", nearly_full)
    db = Database.from_url(f"sqlite+aiosqlite:///{migrated}")
    try:
        with caplog.at_level(logging.WARNING, logger="bot.health"):
            ready = await ready_answer(db)
    finally:
        await db.dispose()
    assert (ready.status_code, ready.json()["database"]) == (503, "full")
    assert "4096 bytes free" in caplog.text
