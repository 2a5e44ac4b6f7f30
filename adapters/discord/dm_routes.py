"""Which guild a DM belongs to.

Discord DMs carry no guild, but the coach's data lives under the guild a member used: a
reflection started with ``/reflect`` in a server continues in DM, and its answers must reach
that server's tenant. Buttons and forms sent into a DM carry their guild in their custom id, so
only plain DM messages need this. In order:

1. the guild where the member has a reflection open (its answers are what DMs mostly are);
2. the guild where the member last used the coach in this process (memory);
3. the guild where the member was most recently seen, from the database (after a restart, or
   when another replica served the guild command: DMs always arrive on shard 0);
4. else the DM tenant ``discord:dm``.

1 and 3 are asked of the core's surface (``bot.coach.surface``), which reads them for this
platform and this user id only.
"""

from __future__ import annotations

import logging
from collections import OrderedDict

from adapters.discord.translate import DM_TENANT, PLATFORM, guild_tenant
from bot.coach.surface import CoachSurface, StoreUnavailable
from bot.events import TenantRef

log = logging.getLogger(__name__)

REMEMBER = 100_000  # members; an entry is two short strings


class DmRoutes:
    """``await routes.tenant(user_id)`` → the tenant a DM from that member belongs to."""

    def __init__(self, surface: CoachSurface, remember: int = REMEMBER) -> None:
        self._surface = surface
        self._remember = remember
        self._last: OrderedDict[str, str] = OrderedDict()  # user id → guild id

    def remember(self, user_id: str, guild_id: str) -> None:
        """The member used the coach in ``guild_id`` (a command, a button, a DM sent for it)."""
        self._last[user_id] = guild_id
        self._last.move_to_end(user_id)
        while len(self._last) > self._remember:
            self._last.popitem(last=False)

    def dm_sent(self, tenant: TenantRef, user_id: str) -> None:
        """The coach DMed a member for ``tenant``: their reply most likely belongs there."""
        if tenant.external_id.isdigit():
            self.remember(user_id, tenant.external_id)

    def forget_guild(self, guild_id: str) -> None:
        """The guild removed the coach: no DM is routed to it any more."""
        for user_id in [u for u, g in self._last.items() if g == guild_id]:
            del self._last[user_id]

    def forget_member(self, user_id: str, guild_id: str) -> None:
        """The member asked this guild's coach to forget them: their DMs stop going there."""
        if self._last.get(user_id) == guild_id:
            del self._last[user_id]

    async def is_member(self, user_id: str, guild_id: str) -> bool:
        """Whether ``user_id`` used the coach in ``guild_id`` (the coach keeps a member there).

        A DM's buttons and forms name their guild in their custom id, which a client can
        forge: only a guild the member belongs to may be acted in.
        """
        if self._last.get(user_id) == guild_id:
            return True
        return await self._surface.belongs(guild_tenant(guild_id), user_id)

    async def tenant(self, user_id: str) -> TenantRef:
        """The tenant a DM from ``user_id`` belongs to (see the module docstring)."""
        try:
            guild = await self._surface.open_reflection_tenant(PLATFORM, user_id)
            if guild is None:
                guild = self._last.get(user_id) or await self._surface.latest_tenant(
                    PLATFORM, user_id, DM_TENANT.external_id
                )
        except StoreUnavailable:
            guild = self._last.get(user_id)  # the coach will say it cannot save anything now
        return guild_tenant(guild) if guild is not None else DM_TENANT
