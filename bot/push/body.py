"""What a push says: its JSON body, read strictly. Anything the coach would have to guess at is
refused with words that say what to send instead; nothing of a refused push is recorded.

    {"value": 0.42, "run": "fold-3", "step": 1200, "note": "lr 3e-4", "at": "2026-12-07T12:00Z"}

Only ``value`` is needed: a finite JSON number within ±``LARGEST`` (``NaN`` and ``Infinity``,
which Python's JSON writer emits, are refused, and so is a number no chart's axis could span).
``at`` without a zone is UTC; now when left out; from ``EARLIEST`` on, never in the future.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.events import Content, UserText
from bot.prompts import Prompts

RUN_LIMIT = 200  # metric_points.run_id
NOTE_LIMIT = 500
STEP_LIMIT = 2**31 - 1  # an INTEGER column on PostgreSQL
FIELDS = ("value", "run", "step", "note", "at")
AHEAD = timedelta(minutes=5)  # a script's clock may run a little fast, not more
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)  # before any tracker; and a date charts can draw
LARGEST = 1e15  # past any metric's value, and short of what a chart's axis can span


class Refused(Exception):
    """A push the coach does not record: the HTTP status, a short code scripts can test, and
    the words that say why (from ``prompts/messages.yaml``)."""

    def __init__(self, status: int, code: str, message: Content) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message
        self.goal_id: int | None = None  # the goal its token named, once known (for the log)


@dataclass(frozen=True)
class Push:
    """One value a script sent for its goal."""

    value: float
    at: datetime
    run: str | None = None
    step: int | None = None
    note: str | None = None


class _NotFinite:
    """What the JSON literals ``NaN``, ``Infinity`` and ``-Infinity`` are read as."""


def read(raw: bytes, now: datetime, prompts: Prompts) -> Push:
    """The push ``raw`` holds, or ``Refused`` (400) saying what is wrong.

    >>> read(b'{"value": 0.5, "run": "r1", "step": 3}', now, prompts).value
    0.5
    """
    try:
        body = json.loads(raw, parse_constant=lambda _: _NotFinite())
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested past the parser
        raise _bad("malformed", prompts.say("push_malformed")) from None
    if not isinstance(body, dict):
        raise _bad("malformed", prompts.say("push_malformed"))
    for name in body:
        if name not in FIELDS:
            field = UserText(name[:40])
            raise _bad("unknown_field", prompts.say("push_unknown_field", field=field))
    return Push(
        value=_value(body.get("value"), "value" in body, prompts),
        at=_at(body.get("at"), now, prompts),
        run=_text(body.get("run"), RUN_LIMIT, "bad_run", prompts),
        step=_step(body.get("step"), prompts),
        note=_text(body.get("note"), NOTE_LIMIT, "bad_note", prompts),
    )


def _bad(code: str, message: Content) -> Refused:
    return Refused(400, code, message)


def _value(value: Any, given: bool, prompts: Prompts) -> float:
    if not given or value is None:
        raise _bad("no_value", prompts.say("push_no_value"))
    if isinstance(value, _NotFinite):
        raise _bad("not_finite", prompts.say("push_not_finite"))
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad("not_a_number", prompts.say("push_not_a_number"))
    try:
        number = float(value)
    except OverflowError:  # an integer past any float
        raise _bad("not_finite", prompts.say("push_not_finite")) from None
    if not math.isfinite(number):  # 1e999 is read as infinity
        raise _bad("not_finite", prompts.say("push_not_finite"))
    if abs(number) > LARGEST:
        limit = f"{LARGEST:.0e}".replace("+", "")
        raise _bad("out_of_range", prompts.say("push_out_of_range", limit=limit))
    return number


def _step(step: Any, prompts: Prompts) -> int | None:
    if step is None:
        return None
    if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step <= STEP_LIMIT:
        raise _bad("bad_step", prompts.say("push_bad_step", limit=STEP_LIMIT))
    return step


def _text(text: Any, limit: int, code: str, prompts: Prompts) -> str | None:
    """A run name or a note: text within ``limit``; empty is the same as left out. A run name
    keeps no control characters (it is part of the key that records a reading once)."""
    if text is None:
        return None
    control = code == "bad_run" and isinstance(text, str) and not text.isprintable()
    if not isinstance(text, str) or len(text) > limit or control:
        key = "push_bad_run" if code == "bad_run" else "push_bad_note"
        raise _bad(code, prompts.say(key, limit=limit))
    return text.strip() or None


def _at(at: Any, now: datetime, prompts: Prompts) -> datetime:
    if at is None:
        return now
    try:
        when = datetime.fromisoformat(at) if isinstance(at, str) and len(at) <= 40 else None
    except ValueError:
        when = None
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    try:  # a zone's offset can take 0001-01-01 before the first day a datetime holds
        when = when.astimezone(UTC) if when is not None else None
    except OverflowError:
        when = None
    if when is None or not EARLIEST <= when <= now + AHEAD:
        raise _bad("bad_at", prompts.say("push_bad_at"))
    return when
