"""What the database leaves behind: its files readable by this user only, deleted words zeroed
in them, and members' words kept out of database errors and logs."""

from __future__ import annotations

import logging
import os
import stat
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, insert, text
from sqlalchemy.exc import IntegrityError

from adapters.console import ConsoleSession
from bot.private import write_private
from bot.store import Database
from bot.store.models import NotebookEntry, Tenant
from tests.conftest import say

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
MARKER = "zebra-quartz-marker-8d1f: my advisor ignored the ablation"


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The umask most systems start processes with: new files 0644, new folders 0755."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def secure_delete_off(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.cursor().execute("PRAGMA secure_delete=OFF")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_the_data_folder_and_the_database_files_are_private(
    tmp_path: Path, usual_umask: None
) -> None:
    data = tmp_path / "data" / "research-coach"
    db = Database.from_url(f"sqlite+aiosqlite:///{data / 'coach.db'}")
    try:
        await db.upgrade()
        async with db.session() as session:  # a write: SQLite opens its WAL and shared memory
            session.add(Tenant(platform="console", external_id="lab", created_at=NOW))
        files = sorted(p.name for p in data.iterdir())
        modes = {p.name: oct(mode(p)) for p in data.iterdir()}
    finally:
        await db.dispose()

    assert {"coach.db", "coach.db-wal", "coach.db-shm"} <= set(files), files
    assert set(modes.values()) == {oct(0o600)}, modes
    assert (mode(data), mode(data.parent)) == (0o700, 0o700)


async def test_a_database_file_made_readable_by_others_is_made_private_again(
    tmp_path: Path, usual_umask: None
) -> None:
    path = tmp_path / "coach.db"
    path.touch(mode=0o644)
    db = Database.from_url(f"sqlite+aiosqlite:///{path}")
    try:
        await db.upgrade()
    finally:
        await db.dispose()
    assert mode(path) == 0o600


def test_an_export_is_written_private(tmp_path: Path, usual_umask: None) -> None:
    older = tmp_path / "exports" / "notes.md"
    older.parent.mkdir()
    older.write_text("old")
    older.chmod(0o644)
    write_private(older, "# My notes")
    new = write_private(tmp_path / "more" / "exports" / "notes.json", "{}")
    assert (older.read_text(), mode(older), mode(new)) == ("# My notes", 0o600, 0o600)
    assert mode(new.parent) == mode(new.parent.parent) == 0o700


async def test_a_deleted_note_leaves_no_trace_in_the_database_files(tmp_path: Path) -> None:
    path = tmp_path / "coach.db"
    db = Database.from_url(f"sqlite+aiosqlite:///{path}")
    # Many SQLite builds zero deleted rows by default, others do not: act as one that does not
    # (this runs before the coach's own settings of each connection).
    event.listen(db.engine.sync_engine, "connect", secure_delete_off, insert=True)
    try:
        await db.upgrade()
        async with db.session() as session:
            tenant = Tenant(platform="console", external_id="lab", created_at=NOW)
            session.add(tenant)
            await session.flush()
            await session.execute(
                text(
                    "INSERT INTO members (tenant_id, user_id, display_name, timezone, checkin_day,"
                    " checkin_time, nudges_enabled, side_budget_hours, last_nudges, created_at)"
                    " VALUES (:t, 'ada', 'Ada', 'UTC', 0, '10:00', 1, 4.0, '', :now)"
                ),
                {"t": tenant.id, "now": NOW.replace(tzinfo=None)},
            )
            await session.execute(
                insert(NotebookEntry).values(
                    tenant_id=tenant.id, member_id=1, kind="entry", text=MARKER, created_at=NOW
                )
            )
        await db.wipe_journal()  # the note is in the database file itself now
        assert MARKER.encode() in path.read_bytes()

        async with db.session() as session:
            await session.execute(text("DELETE FROM notebook_entries"))
        await db.wipe_journal()
    finally:
        await db.dispose()

    leftovers = [p.name for p in tmp_path.iterdir() if MARKER.encode()[:20] in p.read_bytes()]
    assert leftovers == []


async def test_a_failing_insert_does_not_show_the_members_words(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Even with SQLAlchemy's statement log on (echo), as an operator chasing a bug might.
    db = Database.from_url(f"sqlite+aiosqlite:///{tmp_path / 'coach.db'}", echo=True)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy")
    caplog.set_level(logging.DEBUG, logger="bot")
    try:
        await db.upgrade()
        with pytest.raises(IntegrityError) as failed:
            async with db.session() as session:
                # No date: the NOT NULL constraint refuses the row.
                await session.execute(
                    insert(NotebookEntry).values(
                        tenant_id=1, member_id=1, kind="entry", text=MARKER, created_at=None
                    )
                )
    finally:
        await db.dispose()
    shown = [str(failed.value), repr(failed.value), caplog.text]
    assert "INSERT INTO notebook_entries" in caplog.text  # the log was on
    assert not [t for t in shown if "zebra-quartz" in t]
    assert "hidden due to hide_parameters" in str(failed.value)


async def test_an_export_from_the_console_is_private(
    ada: ConsoleSession, exports: Path, usual_umask: None
) -> None:
    await say(ada, f"/log {MARKER}")
    out = await say(ada, "/coach export")
    assert "saved to" in out
    saved = sorted(exports.iterdir())
    assert [p.suffix for p in saved] == [".json", ".md"]
    assert {mode(p) for p in saved} == {0o600} and mode(exports) == 0o700


async def test_a_failing_insert_shows_no_member_words_in_its_traceback(db: Database) -> None:
    """On every backend, the whole traceback as a log would print it (PostgreSQL keeps the
    failing row in a detail of its error: it stays out of the text)."""
    with pytest.raises(IntegrityError) as failed:
        async with db.session() as session:
            await session.execute(
                insert(NotebookEntry).values(
                    tenant_id=1, member_id=1, kind="entry", text=MARKER, created_at=None
                )
            )
    printed = "".join(traceback.format_exception(failed.value))
    assert "notebook_entries" in printed and "zebra-quartz" not in printed
