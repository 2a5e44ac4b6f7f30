"""Every row carries its tenant; two workspaces with the same user ids never see each other."""

from __future__ import annotations

from datetime import UTC, datetime
from inspect import Parameter, getmembers, isfunction, signature

from sqlalchemy import func, select

from bot.events import TenantRef
from bot.store import Database, TenantScope
from bot.store.models import Base, Member, Tenant

NOW = datetime(2026, 11, 2, 9, tzinfo=UTC)
SLACK_A = TenantRef("slack", "T-A")
SLACK_B = TenantRef("slack", "T-B")


async def test_same_user_id_in_two_tenants_sees_only_its_own(db: Database) -> None:
    for tenant, capability in ((SLACK_A, "goal of A"), (SLACK_B, "goal of B")):
        async with db.scope(tenant, NOW) as scope:
            member = await scope.ensure_member("U1", "Same Name", None, NOW)
            goal = await scope.add_goal(
                member,
                capability=capability,
                metric_name="m",
                direction="up",
                status="active",
                created_at=NOW,
            )
            await scope.add_metric(goal, 1.0 if tenant is SLACK_A else 2.0, NOW)
            await scope.add_note(member, f"note of {tenant.external_id}", NOW)
            await scope.add_work(member, title=f"work of {tenant.external_id}", created_at=NOW)

    async with db.scope(SLACK_A, NOW) as scope:
        member = await scope.member("U1")
        assert member is not None
        assert [g.capability for g in await scope.goals(member)] == ["goal of A"]
        goal = await scope.goal(member, 1)
        assert goal is not None and await scope.metric_history(goal) == [1.0]
        assert [n.text for n in await scope.notes_since(member, NOW)] == ["note of T-A"]
        assert [w.title for w in await scope.works(member)] == ["work of T-A"]
        # Even a goal id from the other tenant is not found through this scope.
        async with db.scope(SLACK_B, NOW) as other:
            member_b = await other.member("U1")
            assert member_b is not None
            goal_b = await other.goal(member_b, 1)
            assert goal_b is not None
        assert await scope.goal_by_id(goal_b.id) is None
        assert await scope.member_by_id(member_b.id) is None


async def test_every_table_but_tenants_carries_a_tenant() -> None:
    for table in Base.metadata.sorted_tables:
        if table.name in ("tenants", "alembic_version"):
            continue
        assert "tenant_id" in table.c, table.name
        assert not table.c.tenant_id.nullable, table.name


async def test_tenant_and_member_are_created_once(db: Database) -> None:
    for _ in range(3):
        async with db.scope(SLACK_A, NOW) as scope:
            await scope.ensure_member("U1", "Ada", "Europe/Berlin", NOW)
    async with db.session() as session:
        assert (await session.execute(select(func.count()).select_from(Tenant))).scalar() == 1
        member = (await session.execute(select(Member))).scalar_one()
    assert member.timezone == "Europe/Berlin" and member.display_name == "Ada"


async def test_datetimes_come_back_aware_utc(db: Database) -> None:
    async with db.scope(SLACK_A, NOW) as scope:
        await scope.ensure_member("U1", "Ada", None, NOW)
    async with db.scope(SLACK_A, NOW) as scope:
        member = await scope.member("U1")
    assert member is not None and member.created_at == NOW
    assert member.created_at.tzinfo is not None


def test_every_repository_method_names_its_fields() -> None:
    """Rows are added from named, typed values: no method takes ``**fields``."""
    loose = [
        name
        for name, method in getmembers(TenantScope, isfunction)
        if any(p.kind is Parameter.VAR_KEYWORD for p in signature(method).parameters.values())
    ]
    assert loose == []
