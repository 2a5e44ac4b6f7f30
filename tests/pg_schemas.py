"""PostgreSQL schemas for the tests, each built once and emptied between tests.

Building a schema from the models (its tables, indexes and keys) costs PostgreSQL a tenth of
a second or more, and dropping it more again: over some fifteen hundred PostgreSQL tests,
minutes. So when a test is done with its schema, the schema is emptied and kept for the
next test of the same process, instead of dropped:

- it is kept only if its definition is still the one it was built with (``fingerprint``:
  every relation, column, default, constraint, index, trigger, type and function of the
  schema, and the Alembic revision it is stamped with); one a test changed is dropped;
- emptied, every table's rows are deleted (children first) and every sequence is set back to
  its start, so ids count from 1 again, as in a new schema.

The schemas still kept when the session ends go with the process's database
(tests/conftest.py).

    schema = schemas.take()  # a kept, empty schema; None: build one, then schemas.built(…)
    ...                      # the test
    async with engine.begin() as connection:
        kept = await schemas.emptied(connection, schema)  # False: drop it
    if kept:
        schemas.keep(schema)  # once the transaction is committed
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Table, text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store import installations
from bot.store.models import Base

# What a schema holds, as one digest: compared before a used schema is kept.
FINGERPRINT = text(
    """
    WITH ns AS (SELECT oid FROM pg_namespace WHERE nspname = :schema)
    SELECT md5(coalesce(string_agg(item, E'\\n' ORDER BY item), '')) FROM (
        SELECT format('rel %s %s %s %s %s %s', c.relname, c.relkind, a.attname,
                      format_type(a.atttypid, a.atttypmod), a.attnotnull,
                      pg_get_expr(d.adbin, d.adrelid)) AS item
        FROM pg_class c
        LEFT JOIN pg_attribute a
            ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
        WHERE c.relnamespace = (SELECT oid FROM ns)
        UNION ALL
        SELECT format('con %s %s %s', conrelid::regclass, conname, pg_get_constraintdef(oid))
        FROM pg_constraint WHERE connamespace = (SELECT oid FROM ns)
        UNION ALL
        SELECT format('idx %s', pg_get_indexdef(i.indexrelid))
        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE c.relnamespace = (SELECT oid FROM ns)
        UNION ALL
        SELECT format('trg %s %s', t.tgrelid::regclass, t.tgname)
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        WHERE c.relnamespace = (SELECT oid FROM ns)
        UNION ALL
        SELECT format('typ %s %s', typname, typtype)
        FROM pg_type WHERE typnamespace = (SELECT oid FROM ns)
        UNION ALL
        SELECT format('fn %s', oid::regprocedure)
        FROM pg_proc WHERE pronamespace = (SELECT oid FROM ns)
    ) AS items
    """
)


def tables() -> list[Table]:
    """Every table the models build, children before their parents (the order to empty them
    in). The Slack installation tables have a metadata of their own."""
    return [
        *reversed(installations.installations.metadata.sorted_tables),
        *reversed(Base.metadata.sorted_tables),
    ]


async def fingerprint(connection: AsyncConnection, schema: str) -> str:
    """``schema``'s definition and Alembic revision, as one string."""
    revision = await connection.scalar(
        text(f"SELECT string_agg(version_num, ',') FROM \"{schema}\".alembic_version")
    )
    return f"{await connection.scalar(FINGERPRINT, {'schema': schema})} {revision}"


@dataclass
class Schemas:
    """This process's kept schemas, and what each was built as."""

    kept: list[str] = field(default_factory=list)  # empty, ready for a test
    prints: dict[str, str] = field(default_factory=dict)  # schema → fingerprint as built

    def take(self) -> str | None:
        return self.kept.pop() if self.kept else None

    async def built(self, connection: AsyncConnection, schema: str) -> None:
        """Note what a newly built ``schema`` holds, before any test uses it."""
        self.prints[schema] = await fingerprint(connection, schema)

    async def emptied(self, connection: AsyncConnection, schema: str) -> bool:
        """Empty ``schema`` in the transaction of ``connection`` if it is as it was built;
        False if it changed, or was never noted: the caller drops it."""
        if self.prints.get(schema) != await fingerprint(connection, schema):
            return False
        deletes = [f'DELETE FROM "{schema}"."{table.name}"' for table in tables()]
        sequences = await connection.execute(
            text("SELECT sequencename, start_value FROM pg_sequences WHERE schemaname = :schema"),
            {"schema": schema},
        )
        restarts = [
            f'SELECT setval(\'"{schema}"."{name}"\', {start}, false)'
            for name, start in sequences.all()
        ]
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        await driver.execute(";\n".join([*deletes, *restarts]))  # one round trip
        return True

    def keep(self, schema: str) -> None:
        self.kept.append(schema)

    def forget(self, schema: str) -> None:
        self.prints.pop(schema, None)
