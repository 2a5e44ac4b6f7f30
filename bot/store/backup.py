"""Backups of the database while the coach runs.

SQLite: SQLite's online backup copies every page under one read transaction, so the copy is
one consistent moment even while the coach writes (WAL lets the writers go on). The copy is a
single file (no ``-wal`` beside it), readable by its owner only. PostgreSQL: ``pg_dump`` does
the same job better; ``pg_dump_command`` says how.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupRefused(Exception):
    """Nothing was written; the message says why."""


def sqlite_file(url: str) -> Path | None:
    """The SQLite file a database URL names, or None for another database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise BackupRefused("an in-memory database has nothing to back up")
    return Path(parsed.database)


def backup_sqlite(source: Path, target: Path) -> int:
    """Copy the SQLite database ``source`` to a new file ``target`` (mode 0600), consistently
    while other connections write; the number of pages copied.

    Example: ``backup_sqlite(Path("/data/coach.db"), Path("/backups/coach-2026-12-07.db"))``
    """
    if not source.is_file():
        raise BackupRefused(f"there is no database at {source}")
    try:
        # Created empty and private first: the copy never exists readable by others.
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise BackupRefused(f"{target} already exists: choose a new file") from None
    except OSError as exc:
        raise BackupRefused(f"cannot create {target}: {exc.strerror}") from None
    os.close(descriptor)
    try:
        with (
            # mode=rw: never creates a database where there was none.
            closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=rw", uri=True)) as origin,
            closing(sqlite3.connect(target)) as copy,
        ):
            origin.backup(copy)  # all pages in one step: one read transaction, one moment
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            pages = int(copy.execute("PRAGMA page_count").fetchone()[0])
            check = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise BackupRefused(f"the copy failed its integrity check: {check}")
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return pages


def pg_dump_command(url: str, target: Path) -> str:
    """The ``pg_dump`` command line that backs up the PostgreSQL database at ``url`` to
    ``target``, without the password (pg_dump reads ``PGPASSWORD`` or ``~/.pgpass``)."""
    # URL.set() leaves a None password as it was; the named tuple's own _replace drops it.
    parsed = make_url(url).set(drivername="postgresql")._replace(password=None)
    address = parsed.render_as_string(hide_password=False)
    return f"pg_dump --format=custom --no-owner --file={target} '{address}'"
