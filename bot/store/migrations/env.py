"""Alembic environment: runs on the connection the coach hands over (see bot.store.db)."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from bot.store.db import include_name
from bot.store.models import Base


def run(connection: Connection) -> None:
    if connection.dialect.name != "sqlite":
        migrate(connection)
        return
    keys_off(connection)
    driver = connection.connection.dbapi_connection
    assert driver is not None
    try:
        migrate(connection)
        check_keys(connection)
    except BaseException:
        driver.rollback()
        raise
    else:
        # Ended here, not by the caller: SQLite changes the pragma only outside a transaction,
        # and a connection must go back to the pool with its foreign keys on.
        driver.commit()
    finally:
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")


def migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite cannot ALTER most things in place: batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def keys_off(connection: Connection) -> None:
    """Foreign keys off for the migration. A batch rebuild drops and recreates a table: with
    the keys on, dropping ``members`` would cascade to every goal and check-in. SQLite ignores
    the pragma inside a transaction, hence the check that it took."""
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    if connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one():
        raise RuntimeError(
            "SQLite migrations must start outside a transaction (foreign keys stayed on)"
        )


def check_keys(connection: Connection) -> None:
    """Refuse a migration that left a row pointing at nothing (tables named, no row content)."""
    dangling = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if dangling:
        tables = sorted({f"{row[0]} → {row[2]}" for row in dangling})
        raise RuntimeError(
            f"the migration left {len(dangling)} rows whose parent is gone: " + ", ".join(tables)
        )


connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `research-coach db upgrade`")
run(connection)
