"""What ``research-coach doctor`` says: one ``Check`` per finding, ok, warn, FAIL or off.

The core checks what every run needs (``bot.doctor``); each adapter may check its platform
through an optional ``doctor`` method on its entry point (``bot.adapter.SelfChecking``):

    class SlackAdapter:
        async def doctor(self, settings: Settings) -> list[Check]:
            return [Check.fail("slack scopes: missing files:write", "reinstall the app")]
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import httpx

__all__ = ["Check", "Status", "failure_reason"]


class Status(StrEnum):
    """How a check went; the value is the line's label."""

    ok = "ok"
    warn = "warn"  # works, but something is off (the coach carries on without it)
    fail = "FAIL"  # something required is missing: the exit code says so
    off = "--"  # not configured, on purpose or not; nothing to check


@dataclass(frozen=True)
class Check:
    """One finding, e.g. ``Check.fail("slack bot token: refused", "check COACH_SLACK_BOT_TOKEN")``.

    ``what`` and ``hint`` are printed as they are: never put a secret in them.
    """

    status: Status
    what: str
    hint: str = ""

    @classmethod
    def ok(cls, what: str, hint: str = "") -> Check:
        return cls(Status.ok, what, hint)

    @classmethod
    def warn(cls, what: str, hint: str = "") -> Check:
        return cls(Status.warn, what, hint)

    @classmethod
    def fail(cls, what: str, hint: str = "") -> Check:
        return cls(Status.fail, what, hint)

    @classmethod
    def off(cls, what: str, hint: str = "") -> Check:
        return cls(Status.off, what, hint)

    def lines(self) -> list[str]:
        """``["FAIL slack scopes: missing files:write", "     → reinstall the app"]``."""
        out = [f"{self.status.value:<4} {self.what}"]
        if self.hint:
            out.append(f"{'':4} → {self.hint}")
        return out


def failure_reason(exc: BaseException) -> str:
    """Why a request got no answer, in words that carry no URL, header or token.

    >>> failure_reason(ConnectionRefusedError())
    'cannot connect'
    """
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return "no answer in time"
    if isinstance(exc, httpx.ConnectError | OSError):  # aiohttp's connection errors are OSErrors
        return "cannot connect"
    return type(exc).__name__
