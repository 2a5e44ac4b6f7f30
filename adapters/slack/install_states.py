"""The OAuth states of install pages not yet answered, as slack_sdk's ``AsyncOAuthStateStore``
that Bolt's OAuth flow issues and consumes, kept by the core (``OAuthStates``).

Each ``GET /slack/install`` stores a state that only the matching callback consumes; a page
opened and left, or a script requesting it in a loop, would leave a row each for good. Before
each new state (``SlackServer.install``) the expired ones go, and past a bound the oldest go too.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore

from bot.ports import OAuthStates

log = logging.getLogger(__name__)


class StateStore(AsyncOAuthStateStore):
    """slack_sdk's state store, kept by the core's ``OAuthStates``; a state lives ``seconds``."""

    def __init__(self, states: OAuthStates, seconds: int) -> None:
        self.states = states
        self.seconds = seconds

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_issue(self, *args: object, **kwargs: object) -> str:
        state = str(uuid4())
        await self.states.issue(state, datetime.now(UTC) + timedelta(seconds=self.seconds))
        return state

    async def async_consume(self, state: str) -> bool:
        return await self.states.consume(state, datetime.now(UTC))


async def prune(store: AsyncOAuthStateStore, now: datetime, kept: int | None = None) -> None:
    """Forget the states that expired by ``now`` and all but the ``kept`` newest."""
    if not isinstance(store, StateStore):
        return  # a store of another kind keeps its own house
    if kept is None:
        await store.states.prune(now)
    else:
        await store.states.prune(now, kept)
