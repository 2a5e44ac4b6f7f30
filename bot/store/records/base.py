"""What every concept's repository reads through: the transaction and the tenant."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession


class Records:
    """A part of ``TenantScope``: every query it runs filters by ``tid``, this tenant's id."""

    session: AsyncSession
    tid: int
