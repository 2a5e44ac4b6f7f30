"""Where a member's direct messages belong, on platforms whose DMs name no workspace.

A Discord DM carries no guild, yet the member's rows live under the guild they used. These
queries read across the tenants of one platform for one user id, and return only tenant ids:
no row of any tenant leaves this module. They never create a tenant or a member.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.events import TenantRef
from bot.store.models import Member, Reflection, Tenant


async def has_member(session: AsyncSession, tenant: TenantRef, user_id: str) -> bool:
    """Whether ``user_id`` is a member of ``tenant`` (has used the coach there)."""
    query = (
        select(Member.id)
        .join(Tenant, Member.tenant_id == Tenant.id)
        .where(
            Tenant.platform == tenant.platform,
            Tenant.external_id == tenant.external_id,
            Member.user_id == user_id,
        )
        .limit(1)
    )
    return (await session.execute(query)).first() is not None


async def open_reflection_tenant(session: AsyncSession, platform: str, user_id: str) -> str | None:
    """The tenant id where ``user_id`` has a reflection open (the latest one's)."""
    query = (
        select(Tenant.external_id)
        .join(Member, Member.tenant_id == Tenant.id)
        .join(Reflection, Reflection.member_id == Member.id)
        .where(
            Tenant.platform == platform,
            Member.user_id == user_id,
            Reflection.status == "open",
        )
        .order_by(Reflection.updated_at.desc(), Reflection.id.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def latest_tenant(
    session: AsyncSession, platform: str, user_id: str, excluding: str
) -> str | None:
    """The tenant id where ``user_id`` became a member most recently, ``excluding`` one."""
    query = (
        select(Tenant.external_id)
        .join(Member, Member.tenant_id == Tenant.id)
        .where(
            Tenant.platform == platform,
            Tenant.external_id != excluding,
            Member.user_id == user_id,
        )
        .order_by(Member.created_at.desc(), Member.id.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()
