"""Readiness: can this process do its work? (Liveness is only "the server answers".)"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from bot.adapter import RunOptions
from bot.coach import Coach
from bot.store import StoreUnavailable


async def readiness(coach: Coach, options: RunOptions) -> tuple[bool, dict[str, Any]]:
    """(ready, details): the database answers and every adapter is connected; the
    scheduler's role on this replica (leader or follower — both are ready).

    Example: ``(True, {"database": "ok", "adapters": {"slack": "connected"},
    "scheduler": "leader"})``
    """
    try:
        async with coach.db.session() as session:
            await session.execute(text("SELECT 1"))
        database = "ok"
    except StoreUnavailable:
        database = "unreachable"
    scheduler = options.scheduler
    role = "off" if scheduler is None else "leader" if scheduler.leadership.leading else "follower"
    adapters = {}
    for name in sorted(options.messengers):
        check = options.connections.get(name)  # none: nothing to lose (a server, a terminal)
        adapters[name] = "connected" if check is None or await check() else "disconnected"
    details = {"database": database, "adapters": adapters, "scheduler": role}
    ready = database == "ok" and all(state == "connected" for state in adapters.values())
    return ready, details
