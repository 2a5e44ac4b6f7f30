"""What every flow gets for one event: who, where, when, their repositories and the prompts
(and the LLM judge of check-ins, when one is configured).

The member is a frozen view: a flow changes a setting with ``change_member``, which stores it
and gives the turn the member as they are now.

    >>> await turn.change_member(replace(turn.member, nudges_enabled=False))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.coach.forms import with_values
from bot.coach.limits import Limits
from bot.events import Actor, Content, Form, Place, plain
from bot.llm.judge import Judge
from bot.prompts import Prompts, Value
from bot.schedule.rhythms import next_checkin_at
from bot.store import TenantScope
from bot.store.installations import Tokens
from bot.store.views import MemberView


@dataclass
class Turn:
    actor: Actor
    place: Place
    now: datetime
    scope: TenantScope
    member: MemberView
    prompts: Prompts
    judge: Judge | None = None  # the LLM judge of check-ins (bot.llm.judge); None: embedded only
    limits: Limits = field(default_factory=Limits)  # how much one member can keep
    # An LLM is configured, whether or not this member lets it read their check-ins.
    llm: bool = False
    # Seals tracker credentials before they are stored (None: stored as they are, no keys).
    secrets: Tokens | None = None
    public_url: str | None = None  # where scripts reach this coach (COACH_PUBLIC_URL)
    tracker_addresses: str = "private"  # where a tracker may be (COACH_TRACKER_ADDRESSES)
    # A signed link to the member's chart of a goal (by number), for a home that fetches its
    # images (bot.coach.chart_links); None when the run serves none.
    chart_url: Callable[[int], str] | None = None

    def say(self, key: str, **values: Value) -> Content:
        """The message ``key`` from prompts/messages.yaml, filled in."""
        return self.prompts.say(key, **values)

    def words(self, key: str, **values: Value) -> str:
        """The message ``key`` as one plain string: a button's label, a usage line, a
        trigger; the values go in as they are (no member words here)."""
        return plain(self.prompts.say(key, **values))

    async def change_member(self, changed: MemberView, *, reschedule: bool = False) -> None:
        """Store what ``changed`` says differently from the member; with ``reschedule`` (a
        setting their weekly prompt depends on changed), when that prompt falls next too."""
        if reschedule:
            due = next_checkin_at(changed, self.scope.tenant, self.now)
            # The quarterly review moves with the same settings: the tick computes it anew.
            changed = replace(changed, next_checkin_at=due, next_quarterly_at=None)
        self.member = await self.scope.update_member(self.member, changed)

    async def with_draft(self, form: Form) -> Form:
        """``form`` pre-filled with the draft the member left of it (rejected, too long, or
        closed unsent), if there is one."""
        draft = await self.scope.draft(self.member, form.form_id)
        if draft is None:
            return form
        return with_values(form, {k: str(v) for k, v in draft.values.items()})
