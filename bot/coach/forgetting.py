"""What else a member's "forget me" must reach besides the database: everything kept in memory
or on disk about them by the parts around the core (an LLM follow-up waiting to be sent,
forms an adapter keeps to reopen, cached profiles, exports saved to disk).

Each part that keeps such things registers a hook when it starts; the coach runs every hook
once the member's rows are deleted and committed. A hook that fails is logged (never with the
member's id) and does not stop the others.

Example:
    coach.forgetting.add(lambda tenant, user_id: profiles.pop((tenant, user_id), None))
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.events import TenantRef

log = logging.getLogger(__name__)

Hook = Callable[[TenantRef, str], object]


class Forgetting:
    """The hooks to run when a member of a tenant is forgotten."""

    def __init__(self) -> None:
        self._hooks: list[Hook] = []

    def add(self, hook: Hook) -> None:
        """Call ``hook(tenant, user_id)`` whenever a member is forgotten."""
        self._hooks.append(hook)

    def discard(self, hook: Hook) -> None:
        """Stop calling ``hook`` (its owner is gone, e.g. a console session that ended)."""
        if hook in self._hooks:
            self._hooks.remove(hook)

    def run(self, tenant: TenantRef, user_id: str) -> int:
        """Run every hook; return how many failed."""
        failed = 0
        for hook in list(self._hooks):
            try:
                hook(tenant, user_id)
            except Exception:
                failed += 1
                log.exception("a part of the coach could not forget a member")
        return failed
