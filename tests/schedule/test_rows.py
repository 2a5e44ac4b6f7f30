"""Rule 1 (claim): one delivery row per (tenant, target, kind, period), whoever claims it."""

from __future__ import annotations

from sqlalchemy import select

from bot.schedule.rows import DeliveryRow, claim, claim_many
from bot.store import Database
from bot.store.deliveries import DeliveryKind, DeliveryStatus
from bot.store.models import Delivery
from tests.schedule.outbox.seed import NOW, workspace


async def test_a_second_claim_of_a_period_adds_nothing(db: Database) -> None:
    row = DeliveryRow(await workspace(db), None, DeliveryKind.CHECKIN, "U1", "2026-W45", NOW)

    async with db.session() as session:
        assert await claim(session, row)
    async with db.session() as session:  # a restart, or another replica
        assert not await claim(session, row.but(detail={"silent": 1}))
        assert await claim_many(session, [row]) == set()
        stored = (await session.execute(select(Delivery))).scalars().all()
    assert [(d.kind, d.status, d.attempts, d.next_attempt_at, d.detail) for d in stored] == [
        ("checkin", "pending", 0, NOW, {})
    ]


async def test_claiming_many_returns_only_the_keys_it_added(db: Database) -> None:
    tenant = await workspace(db)
    first = DeliveryRow(tenant, None, DeliveryKind.CHECKIN, "U1", "2026-W45", NOW)
    others = [
        first.but(period="2026-W46"),  # another week
        first.but(kind=DeliveryKind.REMINDER),  # another kind
        first.but(target="U2", status=DeliveryStatus.MISSED),
    ]

    async with db.session() as session:
        assert await claim_many(session, [first]) == {first.key}
        assert await claim_many(session, [first, *others]) == {row.key for row in others}


def test_kinds_and_statuses_are_the_strings_the_table_holds() -> None:
    assert DeliveryKind.DIGEST_ITEM == "digest_item" and f"{DeliveryKind.TAG}" == "tag"
    assert DeliveryStatus("sent") is DeliveryStatus.SENT
    assert {DeliveryKind.CHECKIN: 1}["checkin"] == 1  # hashed as its string too
