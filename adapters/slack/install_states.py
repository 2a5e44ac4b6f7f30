"""The OAuth states of install pages not yet answered, kept few.

Each ``GET /slack/install`` stores a state (slack_sdk's ``AsyncSQLAlchemyOAuthStateStore``)
that only the matching callback consumes; a page opened and left, or a script requesting it in
a loop, would leave a row each for good. Before each new state, the expired ones go, and past
``KEPT`` the oldest go too: a flood costs the oldest unanswered pages, never the disk.
"""

from __future__ import annotations

from datetime import datetime

from slack_sdk.oauth.sqlalchemy_utils import normalize_datetime_for_db
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from sqlalchemy import delete, select

KEPT = 5000  # unanswered install pages kept at most (far more than people ever open at once)


async def prune(store: AsyncOAuthStateStore, now: datetime, kept: int = KEPT) -> None:
    """Delete the states that expired by ``now`` and all but the ``kept`` newest."""
    if not isinstance(store, AsyncSQLAlchemyOAuthStateStore):
        return  # a store of another kind keeps its own house
    states = store.oauth_states
    newest_dropped = (
        select(states.c.id).order_by(states.c.id.desc()).offset(kept).limit(1).scalar_subquery()
    )
    async with store.engine.begin() as connection:
        await connection.execute(
            delete(states).where(states.c.expire_at <= normalize_datetime_for_db(now))
        )
        await connection.execute(delete(states).where(states.c.id <= newest_dropped))
