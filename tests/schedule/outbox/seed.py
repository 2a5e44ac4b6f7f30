"""Delivery rows put straight into a real database, for the outbox's own tests: a workspace,
pending rows of kinds that need no member (a notebook review prompt by DM, a tag message to a
channel), and reading a row back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from bot.ports import ManualClock
from bot.prompts import load_prompts
from bot.schedule.content import Composer
from bot.schedule.outbox.lease import Taker
from bot.schedule.rows import DeliveryRow, claim
from bot.store import Database
from bot.store.deliveries import DeliveryKind
from bot.store.models import Delivery, Tenant

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
CHANNEL = "C1"


async def workspace(db: Database, external_id: str = "T1", platform: str = "slack") -> int:
    async with db.session() as session:
        tenant = Tenant(platform=platform, external_id=external_id, created_at=NOW)
        session.add(tenant)
        await session.flush()
        return tenant.id


async def pending(
    db: Database,
    tenant_id: int,
    target: str,
    kind: DeliveryKind = DeliveryKind.NOTEBOOK_REVIEW,
    detail: dict[str, Any] | None = None,
    due: datetime = NOW,
) -> int:
    """A pending row, due at ``due``, claimed as the tick claims it; its id."""
    row = DeliveryRow(tenant_id, None, kind, target, "2026-W45", due, detail=detail or {})
    async with db.session() as session:
        assert await claim(session, row)
        found = await session.execute(
            select(Delivery.id).where(Delivery.target == target, Delivery.kind == kind)
        )
        return found.scalar_one()


async def read(db: Database, delivery_id: int) -> Delivery:
    async with db.session() as session:
        delivery = await session.get(Delivery, delivery_id)
        assert delivery is not None
        return delivery


def taker(db: Database, clock: ManualClock) -> Taker:
    """What one outbox takes rows with (two of them: two outboxes)."""
    return Taker(db, Composer(load_prompts()), clock)
