"""Discord's rate limits as rate-limits.mdx describes them, for the fake Discord.

- Per-route buckets: each answer carries ``X-RateLimit-Limit``, ``-Remaining``, ``-Reset``
  (epoch seconds), ``-Reset-After`` and ``-Bucket``; the limit counts per bucket and per top-level
  resource (the channel of ``/channels/{id}/...``). Discord does not publish the numbers; the
  fake uses 5 messages per 5 seconds in a channel (what Discord answers in practice) and a loose
  bucket elsewhere. An exhausted bucket answers 429 with ``X-RateLimit-Scope: user``.
- The global limit: 50 requests a second for the whole bot, interaction callbacks and
  follow-ups excepted; over it, 429 with ``"global": true``, ``X-RateLimit-Global: true`` and
  ``X-RateLimit-Scope: global``.
- Every 429 carries ``Retry-After`` and ``retry_after`` in its body.
- 401, 403 and 429 (but a ``shared`` 429) are invalid requests: 10,000 in 10 minutes get the
  bot's address banned. ``invalid_in_window()`` counts them as Discord does.

Time comes from ``clock`` (monotonic seconds) and ``wall`` (epoch seconds), so tests move them.
"""

from __future__ import annotations

import math
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

GLOBAL_LIMIT = 50  # requests per second, whole bot
GLOBAL_PER = 1.0
INVALID_WINDOW = 600.0  # seconds: 10 minutes
INVALID_BAN = 10_000
INVALID_STATUSES = {401, 403, 429}

Answer = tuple[int, dict[str, Any], dict[str, str]]


@dataclass(frozen=True)
class Route:
    """A bucket: ``method`` requests whose path matches ``path``; the first group, when there is
    one, is the top-level resource the limit counts per."""

    method: str
    path: re.Pattern[str]
    bucket: str
    limit: int
    per: float


@dataclass
class Window:
    opened: float
    used: int = 0


def default_routes(scale: float = 1.0) -> list[Route]:
    """The fake's buckets; ``scale`` shortens their windows (0.1: a tenth) for suites that
    send much into one channel and must stay quick."""
    return [
        Route("POST", re.compile(r"/channels/(\d+)/messages"), "channel-messages", 5, 5.0 * scale),
        Route("*", re.compile(r"/channels/(\d+)/.*"), "channel", 50, 1.0 * scale),
        Route("*", re.compile(r"/(interactions/\d+/[^/]+)/callback"), "callback", 5, 1.0 * scale),
        Route("*", re.compile(r"/(webhooks/\d+/[^/]+)(?:/.*)?"), "webhook", 5, 1.0 * scale),
        Route("*", re.compile(r"/.*"), "other", 50, 1.0 * scale),
    ]


def exempt_from_global(path: str) -> bool:
    """Interaction endpoints are not bound to the global limit (rate-limits.mdx)."""
    return path.startswith(("/interactions/", "/webhooks/"))


@dataclass
class RateLimits:
    """Admit or refuse each request, and say what headers its answer carries."""

    clock: Callable[[], float] = time.monotonic
    wall: Callable[[], float] = time.time
    global_limit: int = GLOBAL_LIMIT
    global_per: float = GLOBAL_PER
    routes: list[Route] = field(default_factory=default_routes)
    _windows: dict[tuple[str, str], Window] = field(default_factory=dict)
    _recent: deque[float] = field(default_factory=deque)  # admitted, counted globally
    _invalid: deque[float] = field(default_factory=deque)
    peak: int = 0  # most requests counted globally within one ``global_per``
    global_refusals: int = 0

    def admit(self, method: str, path: str) -> tuple[dict[str, str], Answer | None]:
        """(headers for the answer, a 429 answer or None) for one request arriving now."""
        now = self.clock()
        route, major = self._route(method, path)
        if not exempt_from_global(path):
            refused = self._global(now)
            if refused is not None:
                return {}, refused
        window = self._windows.get((route.bucket, major))
        if window is None or now - window.opened >= route.per:
            window = self._windows[route.bucket, major] = Window(now)
        reset_after = max(0.0, window.opened + route.per - now)
        if window.used >= route.limit:
            return {}, self._too_many(route, reset_after)
        window.used += 1
        if not exempt_from_global(path):
            self._recent.append(now)
            self.peak = max(self.peak, len(self._recent))
        return self._headers(route, route.limit - window.used, reset_after), None

    def answered(self, status: int, headers: dict[str, str]) -> None:
        """Count an invalid request (401, 403, or a 429 not of a shared resource)."""
        if status in INVALID_STATUSES and headers.get("X-RateLimit-Scope") != "shared":
            now = self.clock()
            self._invalid.append(now)
            while self._invalid and self._invalid[0] <= now - INVALID_WINDOW:
                self._invalid.popleft()

    def invalid_in_window(self) -> int:
        now = self.clock()
        return sum(1 for at in self._invalid if at > now - INVALID_WINDOW)

    @property
    def banned(self) -> bool:
        return self.invalid_in_window() >= INVALID_BAN

    def _route(self, method: str, path: str) -> tuple[Route, str]:
        for route in self.routes:
            found = route.path.fullmatch(path)
            if route.method in ("*", method) and found is not None:
                return route, (found.group(1) if found.groups() else "")
        raise AssertionError(f"no bucket for {method} {path}")  # the catch-all matches all

    def _global(self, now: float) -> Answer | None:
        while self._recent and self._recent[0] <= now - self.global_per:
            self._recent.popleft()
        if len(self._recent) < self.global_limit:
            return None
        self.global_refusals += 1
        retry_after = max(0.001, self._recent[0] + self.global_per - now)
        headers = {
            "X-RateLimit-Global": "true",
            "X-RateLimit-Scope": "global",
            **_retry(retry_after),
        }
        body = {"message": "You are being rate limited.", "retry_after": retry_after}
        return 429, {**body, "global": True}, headers

    def _too_many(self, route: Route, reset_after: float) -> Answer:
        headers = {
            **self._headers(route, 0, reset_after),
            "X-RateLimit-Scope": "user",
            **_retry(reset_after),
        }
        body = {"message": "You are being rate limited.", "retry_after": reset_after}
        return 429, {**body, "global": False}, headers

    def _headers(self, route: Route, remaining: int, reset_after: float) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(route.limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": f"{self.wall() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": route.bucket,
        }


def _retry(seconds: float) -> dict[str, str]:
    # Without Via discord.py takes a 429 for a Cloudflare ban.
    return {"Retry-After": str(max(1, math.ceil(seconds))), "Via": "1.1 google"}
