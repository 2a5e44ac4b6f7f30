"""Files only the coach's own user may read: the data folder, the SQLite database (and its
journal, WAL and shared-memory files), and exports. They hold reflections and, with Slack
OAuth, bot tokens, so they are made 0700 (folders) and 0600 (files) whatever the umask says.

Example:
    folder = private_dir(Path("~/.local/share/research-coach").expanduser())
    write_private(folder / "exports" / "notes.md", "# My notes")
"""

from __future__ import annotations

import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600
# SQLite's companions of a database file, which hold recent writes in clear.
SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) readable by this user only; return it.

    An existing folder is left as it is: it may be one its owner shares on purpose."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=DIR_MODE)
        except FileExistsError:  # made meanwhile by another process
            continue
        os.chmod(folder, DIR_MODE)  # mkdir's mode is filtered by the umask
    return path


def write_private(path: Path, data: str | bytes) -> Path:
    """Write ``data`` to ``path`` (text as UTF-8, or bytes: a chart's PNG), a file only this
    user may read (created 0600)."""
    private_dir(path.parent)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    os.fchmod(descriptor, FILE_MODE)  # an older file of that name may have been wider
    with os.fdopen(descriptor, "wb") as out:
        out.write(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def private_sqlite(database: Path) -> None:
    """Make ``database`` and the companion files SQLite keeps beside it private. Called
    before each connection opens (SQLite then creates its WAL and shared-memory files with
    the database file's mode) and after (for the files it just created)."""
    private_dir(database.parent)
    if not database.exists():
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT, FILE_MODE))
    for suffix in SQLITE_SUFFIXES:
        companion = database.with_name(database.name + suffix)
        try:
            if companion.stat().st_mode & 0o777 != FILE_MODE:
                os.chmod(companion, FILE_MODE)
        except FileNotFoundError:
            continue
