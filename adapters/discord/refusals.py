"""Keeping the bot far from Discord's invalid-request ban: 10,000 answers of 401, 403 or 429 in
10 minutes get its address banned for a while (rate-limits.mdx, "Invalid Request Limit").

- After a 403 the same member's DMs, or the same channel, are not tried again for
  ``FORGET_AFTER``: a member with closed DMs or a channel the bot may not write in answers 403
  every time, and retrying them is exactly how bots reach the ban.
- Every 401, 403 and 429 the HTTP trace sees is counted (429s that discord.py waits out
  included); past ``BUDGET`` in ten minutes, a tenth of the ban, scheduled sends are held back
  until the window cools, and the outbox tries them again later.

>>> refusals = Refusals()
>>> refusals.remember("dm:4242")
>>> refusals.refused("dm:4242")
True
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable

log = logging.getLogger(__name__)

WINDOW = 600.0  # seconds: Discord counts invalid requests over 10 minutes
BAN_AT = 10_000
BUDGET = BAN_AT // 10
FORGET_AFTER = 3600.0  # seconds a 403 is believed: permissions and DM settings do change
INVALID = {401, 403, 429}


class HeldBack(Exception):
    """Too many invalid requests lately: the send waits for the window to cool."""


class Refusals:
    """403s remembered per target, and invalid requests counted over Discord's window."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, budget: int = BUDGET) -> None:
        self._clock = clock
        self.budget = budget
        self._refused: dict[str, float] = {}  # target key → when it answered 403
        self._invalid: deque[float] = deque()

    def remember(self, key: str) -> None:
        """``key`` ("dm:<user id>" or a channel id) answered 403."""
        self._refused[key] = self._clock()

    def refused(self, key: str) -> bool:
        """Whether ``key`` answered 403 within ``FORGET_AFTER``."""
        at = self._refused.get(key)
        if at is None:
            return False
        if self._clock() - at > FORGET_AFTER:
            del self._refused[key]
            return False
        return True

    def answered(self, status: int) -> None:
        """One response seen on the wire; 401, 403 and 429 count against the bot."""
        if status in INVALID:
            self._invalid.append(self._clock())
            if len(self._invalid) == self.budget:
                log.warning("%d invalid Discord requests in 10 minutes: holding sends", self.budget)

    def invalid_in_window(self) -> int:
        cutoff = self._clock() - WINDOW
        while self._invalid and self._invalid[0] <= cutoff:
            self._invalid.popleft()
        return len(self._invalid)

    def check_budget(self) -> None:
        """Raise ``HeldBack`` while the bot is over its share of invalid requests."""
        if self.invalid_in_window() >= self.budget:
            raise HeldBack(f"over {self.budget} invalid Discord requests in 10 minutes")
