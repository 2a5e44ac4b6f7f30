"""The other end of the push endpoint: what ``research-coach metric push`` sends, and how it
reads the answer, in one line a training script can end with.

>>> sent = send("https://coach.example.org", token, 0.42, run="fold-3", step=1200)
>>> sent.code, sent.line  # 0: recorded or already recorded; 1: refused; 2: unreachable
(0, 'Recorded 0.42 for goal 2 (fold success): a new best, up from 0.41.')
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import httpx

from bot.events import plain
from bot.prompts import Prompts, load_prompts
from bot.push.routes import PATH

TIMEOUT = 10.0  # seconds: a training script should not hang on the coach
RECORDED, REFUSED, UNREACHABLE = 0, 1, 2


@dataclass(frozen=True)
class Sent:
    """How a push went: ``code`` as the command's exit code, ``line`` what it prints."""

    code: int
    line: str


def endpoint(base: str) -> str:
    """The push URL under the coach's address (an address that already names it is kept).

    >>> endpoint("https://coach.example.org/")
    'https://coach.example.org/api/goals/values'
    """
    base = base.rstrip("/")
    return base if base.endswith(PATH) else base + PATH


def shown_address(url: str) -> str:
    """Where a push went, for a message: scheme, host and port, never a password or a query."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        return "?"
    port = f":{parsed.port}" if parsed.port is not None else ""
    return f"{parsed.scheme}://{parsed.host}{port}"


def send(
    base: str,
    token: str,
    value: float,
    *,
    run: str | None = None,
    step: int | None = None,
    note: str | None = None,
    timeout: float = TIMEOUT,
    prompts: Prompts | None = None,
    transport: httpx.BaseTransport | None = None,
) -> Sent:
    """Push ``value`` to the coach at ``base`` (e.g. ``COACH_PUBLIC_URL``) with ``token``.

    A value that is not a finite number is refused here, before anything is sent."""
    prompts = prompts or load_prompts()
    if not math.isfinite(value):
        return Sent(REFUSED, plain(prompts.say("push_cli_not_a_number", text=str(value))))
    body: dict[str, Any] = {"value": value}
    for name, given in (("run", run), ("step", step), ("note", note)):
        if given is not None:
            body[name] = given
    url = endpoint(base)
    where = shown_address(url)
    try:
        with httpx.Client(timeout=timeout, transport=transport) as http:
            answer = http.post(url, json=body, headers={"Authorization": f"Bearer {token}"})
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        reason = "timed out" if isinstance(exc, httpx.TimeoutException) else type(exc).__name__
        words = prompts.say("push_cli_unreachable", url=where, reason=reason)
        return Sent(UNREACHABLE, plain(words))
    message = _message(answer)
    if message is None:
        words = prompts.say("push_cli_strange_answer", url=where, status=answer.status_code)
        return Sent(UNREACHABLE, plain(words))
    if answer.status_code in (200, 201):
        return Sent(RECORDED, message)
    return Sent(UNREACHABLE if answer.status_code >= 500 else REFUSED, message)


def _message(answer: httpx.Response) -> str | None:
    """The coach's ``message``; ``None`` when the answer is not the coach's (a proxy's page)."""
    try:
        body = answer.json()
    except ValueError:
        return None
    message = body.get("message") if isinstance(body, dict) else None
    return message if isinstance(message, str) and message else None
