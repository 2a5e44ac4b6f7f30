"""What a member sent or was about to fill in, kept in memory so a button can bring it back.

Discord custom ids hold 100 characters: far too few for a form a member typed into. When the
coach turns a submitted form down (``FormRejected``) or cannot take it now (``TryAgainLater``),
the form with the member's words goes here under a short token, and the button that reopens it
carries only the token. Memory is bounded (oldest first out) and entries expire; after a restart
the button says the form expired, and the drafts the core keeps in its database remain.
"""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from bot.events import Event, Form

KEEP_FOR = 24 * 3600.0  # seconds; a reopen button older than a day says "expired"
LIMIT = 5000  # entries; at about 10 kB a form, a few tens of MB at most


@dataclass(frozen=True)
class Reopen:
    """A form to open again, pre-filled; ``fixed`` are values chosen before the modal."""

    user_id: str
    form: Form
    guild: str | None = None
    fixed: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Retry:
    """An event the coach could not take now, to send again as it was."""

    user_id: str
    event: Event


Kept = Reopen | Retry


class Pending:
    """A bounded, expiring map from short tokens to ``Reopen``/``Retry`` entries.

    >>> token = pending.keep(Retry("42", event))
    >>> pending.get(token, "42").event is event
    True
    """

    def __init__(
        self,
        limit: int = LIMIT,
        keep_for: float = KEEP_FOR,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.keep_for = keep_for
        self._clock = clock
        self._items: OrderedDict[str, tuple[float, Kept]] = OrderedDict()
        self._forms: OrderedDict[tuple[str, str, str], Form] = OrderedDict()

    def keep(self, item: Kept) -> str:
        """Store ``item``; return its token (12 URL-safe characters)."""
        token = secrets.token_urlsafe(9)
        self._items[token] = (self._clock() + self.keep_for, item)
        while len(self._items) > self.limit:
            self._items.popitem(last=False)
        return token

    def get(self, token: str, user_id: str) -> Kept | None:
        """The entry, if it exists, has not expired and belongs to ``user_id``.

        Entries stay after use: a member who closes the reopened modal can press again.
        """
        found = self._items.get(token)
        if found is None:
            return None
        expires, item = found
        if expires < self._clock():
            del self._items[token]
            return None
        return item if item.user_id == user_id else None

    def forget(self, user_id: str) -> None:
        """Drop every form and event kept for ``user_id`` (they asked to be forgotten)."""
        for token in [t for t, (_, item) in self._items.items() if item.user_id == user_id]:
            del self._items[token]
        for key in [k for k in self._forms if k[0] == user_id]:
            del self._forms[key]

    def opened(self, user_id: str, form: Form) -> None:
        """Remember the last form of each kind opened for a member: if its submit cannot be
        taken, the reopened modal has the same labels and limits."""
        key = (user_id, form.form_id, form.context)
        self._forms[key] = form
        self._forms.move_to_end(key)
        while len(self._forms) > self.limit:
            self._forms.popitem(last=False)

    def form(self, user_id: str, form_id: str, context: str) -> Form | None:
        """The form last opened for this member with this id and context, if remembered."""
        return self._forms.get((user_id, form_id, context))
