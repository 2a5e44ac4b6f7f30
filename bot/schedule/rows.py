"""Claiming delivery rows: each built in one place (``DeliveryRow``) and inserted unless its
unique key (tenant, target, kind, period) exists, the database saying which were new.

The key, not memory, makes a second claim of one period a no-op: a restart, an overlapping
replica or a late tick claims nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.deliveries import DeliveryKind, DeliveryStatus
from bot.store.models import Delivery

DELIVERIES = cast(Table, Delivery.__table__)
UNIQUE = ["tenant_id", "target", "kind", "period"]

Key = tuple[int, str, str, str]  # (tenant id, target, kind, period)


@dataclass(frozen=True)
class DeliveryRow:
    """A delivery about to be claimed.

    >>> row = DeliveryRow(1, 7, DeliveryKind.CHECKIN, "U1", "2026-W45", datetime(2026, 11, 2))
    >>> row.key, row.status
    ((1, 'U1', 'checkin', '2026-W45'), <DeliveryStatus.PENDING: 'pending'>)
    """

    tenant_id: int
    member_id: int | None
    kind: DeliveryKind
    target: str  # a user id, a channel id, or ``checkin:<id>`` for a digest item
    period: str  # the local ISO week, e.g. 2026-W45
    due_at: datetime
    status: DeliveryStatus = DeliveryStatus.PENDING
    detail: dict[str, Any] = field(default_factory=dict)  # picks the wording, names users…

    @property
    def key(self) -> Key:
        return (self.tenant_id, self.target, self.kind.value, self.period)

    def but(self, **changes: Any) -> DeliveryRow:
        """This row with some fields changed: ``row.but(kind=DeliveryKind.NUDGE)``."""
        return replace(self, **changes)

    def values(self) -> dict[str, Any]:
        """The row's columns, as inserted: due (first tried) when it falls due."""
        return {
            "tenant_id": self.tenant_id,
            "member_id": self.member_id,
            "kind": self.kind.value,
            "target": self.target,
            "period": self.period,
            "due_at": self.due_at,
            "status": self.status.value,
            "attempts": 0,
            "next_attempt_at": self.due_at,
            "detail": self.detail,
        }


def _insert(session: AsyncSession) -> Any:
    """An insert into deliveries that skips a row whose unique key exists, in the session's
    dialect (both SQLite and PostgreSQL spell it ``ON CONFLICT DO NOTHING``)."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(DELIVERIES).on_conflict_do_nothing(index_elements=UNIQUE)


async def claim(session: AsyncSession, row: DeliveryRow) -> bool:
    """Insert ``row`` unless its (tenant, target, kind, period) exists; ``True`` if new."""
    result = await session.execute(_insert(session).values(**row.values()))
    return bool(getattr(result, "rowcount", 0))


async def claim_many(session: AsyncSession, rows: Sequence[DeliveryRow]) -> set[Key]:
    """Insert ``rows`` in one statement, skipping any whose key exists; return the keys of
    those inserted."""
    if not rows:
        return set()
    # One cached statement, executed for many rows (SQLAlchemy packs them into multi-row
    # inserts): no statement built and compiled per batch.
    statement = _insert(session).returning(
        DELIVERIES.c.tenant_id, DELIVERIES.c.target, DELIVERIES.c.kind, DELIVERIES.c.period
    )
    result = await session.execute(statement, [row.values() for row in rows])
    return {(t, target, kind, period) for t, target, kind, period in result.all()}
