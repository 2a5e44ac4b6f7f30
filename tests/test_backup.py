"""``research-coach db backup PATH``: a consistent, private copy of the SQLite database taken
while another connection writes; for PostgreSQL, the pg_dump command to use instead."""

from __future__ import annotations

import sqlite3
import stat
import threading
from contextlib import closing
from pathlib import Path

import pytest

from tests.test_cli import PASSWORD, UNREACHABLE, coach

SEEDED = 1000


@pytest.fixture
def live(tmp_path: Path) -> Path:
    """A migrated data dir whose database holds SEEDED numbered rows."""
    data = tmp_path / "data"
    result = coach("db", "upgrade", data_dir=data)
    assert result.returncode == 0, result.stderr
    with closing(sqlite3.connect(data / "coach.db")) as db, db:
        db.execute("CREATE TABLE writes (n INTEGER PRIMARY KEY)")
        db.executemany("INSERT INTO writes VALUES (?)", ((n,) for n in range(SEEDED)))
    return data


def keep_writing(path: Path, stop: threading.Event) -> None:
    """One committed row after another until told to stop (bounded all the same)."""
    with closing(sqlite3.connect(path, timeout=5)) as db:
        n = SEEDED
        while not stop.is_set() and n < SEEDED + 200_000:
            with db:
                db.execute("INSERT INTO writes VALUES (?)", (n,))
            n += 1


def test_a_backup_taken_while_another_connection_writes_is_whole_and_private(
    live: Path, tmp_path: Path
) -> None:
    target = tmp_path / "backups" / "coach-copy.db"
    target.parent.mkdir()
    stop = threading.Event()
    writer = threading.Thread(target=keep_writing, args=(live / "coach.db", stop))
    writer.start()
    try:
        result = coach("db", "backup", str(target), data_dir=live)
    finally:
        stop.set()
        writer.join()
    assert result.returncode == 0, result.stderr
    assert f"to {target}" in result.stdout and "integrity ok" in result.stdout

    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert not Path(f"{target}-wal").exists()  # one self-contained file
    with closing(sqlite3.connect(target)) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        count, top = copy.execute("SELECT count(*), max(n) FROM writes").fetchone()
        tables = {r[0] for r in copy.execute("SELECT name FROM sqlite_master")}
    with closing(sqlite3.connect(live / "coach.db")) as db:
        (written,) = db.execute("SELECT count(*) FROM writes").fetchone()
    # One moment of a database being written: every row up to it, none missing in between,
    # and the writer went on before and after it.
    assert count == top + 1
    assert SEEDED < count < written
    assert {"alembic_version", "members", "goals", "checkins"} <= tables


def test_a_backup_never_overwrites_a_file(live: Path, tmp_path: Path) -> None:
    target = tmp_path / "precious.db"
    target.write_text("keep me")
    result = coach("db", "backup", str(target), data_dir=live)
    assert result.returncode == 1
    assert "already exists" in result.stderr
    assert target.read_text() == "keep me"


def test_a_backup_of_no_database_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "copy.db"
    result = coach("db", "backup", str(target), data_dir=tmp_path / "empty")
    assert result.returncode == 1
    assert "there is no database" in result.stderr
    assert not target.exists() and not (tmp_path / "empty" / "coach.db").exists()


def test_postgresql_is_backed_up_with_pg_dump(tmp_path: Path) -> None:
    result = coach(
        "db", "backup", "/backups/coach.dump", data_dir=tmp_path, COACH_DATABASE_URL=UNREACHABLE
    )
    assert result.returncode == 2
    assert (
        "pg_dump --format=custom --no-owner --file=/backups/coach.dump "
        "'postgresql://coach@127.0.0.1:1/none'"
    ) in result.stderr
    assert PASSWORD not in result.stdout + result.stderr
