"""Alembic environment: runs on the connection the coach hands over (see bot.store.db)."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from bot.store.db import include_name
from bot.store.models import Base


def run(connection: Connection) -> None:
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


connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `research-coach db upgrade`")
run(connection)
