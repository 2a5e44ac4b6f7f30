"""What adapters may ask the core besides ``Coach.handle``: small, typed, read-only answers.

Autocomplete needs a member's goals and works, a first reply needs to know whether someone is
new, and a platform whose DMs name no workspace (Discord) needs to know where a member's DMs
belong. Adapters get those here as frozen values, never database rows, and never open the
store themselves (``bot.store`` is the core's; see docs/architecture.md).

Every answer is for one tenant and one member, except the DM routing lookups, which read the
tenants of one platform for one user id and return only tenant ids.

The coach keeps a bounded view of each recent member's open goals and of the check-in form it
would open for them, so autocomplete and ``/checkin``'s first response need not wait on the
database. The coach drops a member's view after every turn of theirs that may change their
goals or drafts (setting, closing, abandoning, updating a goal; any form; any DM), when they
are forgotten, and when their workspace removes the coach.

    >>> choices = await coach.surface.open_goals(tenant, "U1")  # (GoalChoice(1, "ASR"), ...)
    >>> form = coach.surface.checkin_form(tenant, "U1")  # None: ask the coach
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from bot.events import Form, TenantRef
from bot.ports import Clock
from bot.store import Database, StoreUnavailable
from bot.store import routes as store_routes

VIEWS = 10_000  # members whose view is kept; an entry is a few goal names and one form

Key = tuple[str, str, str]  # platform, tenant id, user id


@dataclass(frozen=True)
class GoalChoice:
    """One goal of a member, as a choice: its number and what it is about (member words)."""

    ref: int
    capability: str


@dataclass(frozen=True)
class WorkChoice:
    """One work of a member's portfolio, as a choice: its position (from 1) and title."""

    position: int
    title: str


@dataclass(frozen=True)
class MemberView:
    """What the coach remembers of one member between turns; ``None``: not known yet."""

    open_goals: tuple[GoalChoice, ...] | None = None
    checkin: Form | None = None  # the check-in form a bare /checkin opens, with no draft in it


def _key(tenant: TenantRef, user_id: str) -> Key:
    return (tenant.platform, tenant.external_id, user_id)


class MemberViews:
    """The bounded views, and when each member last changed.

    A view read from the database (or captured from a turn) is kept only if the member did not
    change since the read began: ``stamp()`` before reading, ``keep(key, stamp, …)`` after.
    """

    def __init__(self, limit: int = VIEWS) -> None:
        self._limit = limit
        self._views: OrderedDict[Key, MemberView] = OrderedDict()
        self._count = 0  # changes so far, of anyone
        self._changed: OrderedDict[Key, int] = OrderedDict()  # member → their latest change
        self._floor = 0  # the latest change no longer in _changed (forgotten for room)

    def __len__(self) -> int:
        return len(self._views)

    def get(self, key: Key) -> MemberView | None:
        view = self._views.get(key)
        if view is not None:
            self._views.move_to_end(key)
        return view

    def stamp(self) -> int:
        return self._count

    def keep(self, key: Key, stamp: int, view: MemberView) -> bool:
        """Keep ``view`` of ``key`` read since ``stamp``; ``False``: they changed meanwhile."""
        if self._changed.get(key, self._floor) > stamp:
            return False
        self._views[key] = view
        self._views.move_to_end(key)
        while len(self._views) > self._limit:
            self._views.popitem(last=False)
        return True

    def changed(self, key: Key) -> None:
        """The member's goals or drafts may have changed: their view goes."""
        self._count += 1
        self._views.pop(key, None)
        self._changed[key] = self._count
        self._changed.move_to_end(key)
        while len(self._changed) > self._limit:
            _, count = self._changed.popitem(last=False)
            self._floor = max(self._floor, count)

    def drop_tenant(self, tenant: TenantRef) -> None:
        """The workspace removed the coach: every view of it goes."""
        gone = [k for k in self._views if k[:2] == (tenant.platform, tenant.external_id)]
        for key in gone:
            self.changed(key)


class CoachSurface:
    """The typed answers adapters may ask for; ``coach.surface``."""

    def __init__(self, db: Database, clock: Clock, views: MemberViews | None = None) -> None:
        self._db = db
        self._clock = clock
        self.views = views or MemberViews()

    # --- for the coach ----------------------------------------------------------------------

    def changed(self, tenant: TenantRef, user_id: str) -> None:
        """A turn of the member may have changed their goals or drafts."""
        self.views.changed(_key(tenant, user_id))

    def opened_checkin(self, tenant: TenantRef, user_id: str, stamp: int, form: Form) -> None:
        """A bare /checkin opened ``form`` (read since ``stamp``): the next one can open it at
        once. A form holding the member's draft is not kept (their words stay in the store)."""
        if any(f.initial for f in form.fields):
            self.views.changed(_key(tenant, user_id))
            return
        key = _key(tenant, user_id)
        known = self.views.get(key) or MemberView()
        self.views.keep(key, stamp, MemberView(known.open_goals, form))

    def forget(self, tenant: TenantRef, user_id: str) -> None:
        """The member was forgotten (a ``Forgetting`` hook)."""
        self.views.changed(_key(tenant, user_id))

    def uninstalled(self, tenant: TenantRef) -> None:
        self.views.drop_tenant(tenant)

    # --- for adapters -----------------------------------------------------------------------

    def checkin_form(self, tenant: TenantRef, user_id: str) -> Form | None:
        """The form a bare /checkin of this member opens, when the coach knows it without the
        database; ``None``: ask the coach. The adapter still hands the command to the coach."""
        view = self.views.get(_key(tenant, user_id))
        return view.checkin if view is not None else None

    async def open_goals(self, tenant: TenantRef, user_id: str) -> tuple[GoalChoice, ...]:
        """The member's active goals, by number; from the view when warm. Empty when the
        database is unavailable (the command itself then says so)."""
        key = _key(tenant, user_id)
        view = self.views.get(key)
        if view is not None and view.open_goals is not None:
            return view.open_goals
        stamp = self.views.stamp()
        try:
            found = await self._goals(tenant, user_id, active_only=True)
        except StoreUnavailable:
            return ()
        known = self.views.get(key) or MemberView()
        self.views.keep(key, stamp, MemberView(found, known.checkin))
        return found

    async def goals(self, tenant: TenantRef, user_id: str) -> tuple[GoalChoice, ...]:
        """Every goal of the member (open or closed), by number; empty when unavailable."""
        try:
            return await self._goals(tenant, user_id, active_only=False)
        except StoreUnavailable:
            return ()

    async def works(self, tenant: TenantRef, user_id: str) -> tuple[WorkChoice, ...]:
        """The member's portfolio in order; empty when the database is unavailable."""
        try:
            async with self._db.scope(tenant, self._clock.now()) as scope:
                member = await scope.member(user_id)
                if member is None:
                    return ()
                works = await scope.works(member)
                return tuple(WorkChoice(n, w.title) for n, w in enumerate(works, start=1))
        except StoreUnavailable:
            return ()

    async def is_new(self, tenant: TenantRef, user_id: str) -> bool | None:
        """Whether the member has never used the coach in ``tenant``; ``None``: cannot tell."""
        try:
            async with self._db.session() as session:
                return not await store_routes.has_member(session, tenant, user_id)
        except StoreUnavailable:
            return None

    async def belongs(self, tenant: TenantRef, user_id: str) -> bool:
        """Whether the member has used the coach in ``tenant``; ``False`` when the database
        cannot tell (nothing can be saved anywhere then)."""
        return await self.is_new(tenant, user_id) is False

    async def open_reflection_tenant(self, platform: str, user_id: str) -> str | None:
        """The tenant id (of ``platform``) where this user has a reflection open.
        Raises ``StoreUnavailable``."""
        async with self._db.session() as session:
            return await store_routes.open_reflection_tenant(session, platform, user_id)

    async def latest_tenant(self, platform: str, user_id: str, excluding: str) -> str | None:
        """The tenant id (of ``platform``, not ``excluding``) this user joined last.
        Raises ``StoreUnavailable``."""
        async with self._db.session() as session:
            return await store_routes.latest_tenant(session, platform, user_id, excluding)

    async def _goals(
        self, tenant: TenantRef, user_id: str, *, active_only: bool
    ) -> tuple[GoalChoice, ...]:
        async with self._db.scope(tenant, self._clock.now()) as scope:
            member = await scope.member(user_id)
            if member is None:
                return ()
            goals = await scope.goals(member, "active" if active_only else None)
            return tuple(GoalChoice(g.ref, g.capability) for g in goals)


__all__ = [
    "CoachSurface",
    "GoalChoice",
    "MemberView",
    "MemberViews",
    "StoreUnavailable",
    "WorkChoice",
]
