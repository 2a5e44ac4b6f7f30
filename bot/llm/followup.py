"""The LLM follow-up to a check-in: a second, contextual note after the template reply.

``Coach.handle`` stays fast: when a check-in is saved it registers a ``CheckInContext`` here and
returns a ``FollowUp(token)`` beside the template reply. After the adapter has delivered
everything else (and acknowledged the platform), it calls ``Coach.follow_up``, which runs
``FollowUps.run(token)``:

- only the requesting member's own data goes into the prompt (the context was captured from
  their own scope when they submitted), with their words inside ``<member_data>`` and angle
  brackets replaced so they cannot close it;
- the LLM is called with a strict deadline and at most one retry (``bot.llm.client``);
- its answer must be a JSON object with a ``message``; the message is cleaned (control
  characters, links, mentions), capped, and returned as ``UserText`` in a ``Reply`` private to
  the member. Nothing it says can post, message anyone or press a button.
- any failure returns ``[]``: the template reply already went out. The log says what failed,
  never the key or the member's text.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from bot import metrics
from bot.analysis import SIGNAL_NAMES, Signals
from bot.events import Actor, Intent, Reply, TenantRef, UserText
from bot.llm.client import ChatClient, LLMError, LLMStats
from bot.prompts import Prompts

log = logging.getLogger(__name__)

__all__ = [
    "MAX_MESSAGE_CHARS",
    "CheckInContext",
    "FollowUps",
    "PastCheckIn",
    "build_messages",
    "clean_message",
    "parse_answer",
]

MAX_MESSAGE_CHARS = 700  # what reaches the member, at most
MAX_WORDS = 90  # what the prompt asks for
MAX_TOKENS = 300
FIELD_CHARS = 1000  # each of the member's fields, in the prompt
PAST_CHARS = 240  # each earlier check-in, in the prompt
PAST_CHECKINS = 4
TOKEN_TTL = 600.0  # seconds a follow-up may wait for its adapter
MAX_PENDING = 2000

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
# A web address, or Slack markup in angle brackets (``<@U1>``, ``<!here>``, ``<#C1|x>``): the
# bracket is read whole and its marks checked after, since "<[^<>\s]*[|@#!][^<>\s]*>" guessed where
# the mark was and tried every guess on a long unclosed run.
_LINK = re.compile(r"(?:https?://|www\.)\S+|<[^<>\s]*>", re.IGNORECASE)
_MARKUP_MARKS = frozenset("|@#!")
_BLANK_LINES = re.compile(r"\n\n\n+")
_MENTION = re.compile(r"(?<![\w@])[@#](?=[\w-])")


@dataclass(frozen=True)
class PastCheckIn:
    date: str
    did: str
    metric_value: float | None


@dataclass(frozen=True)
class CheckInContext:
    """What the follow-up may tell the LLM: one member's goal and check-ins, nothing else."""

    actor: Actor
    goal: str  # capability, metric, direction, baseline, target and best, as one line
    did: str
    moves_goal: str
    metric_value: float | None
    next_experiment: str
    failed: str
    recent: tuple[PastCheckIn, ...]
    signals: Signals
    reply: str  # the template reply the member already has, as plain text


@cache
def _llm_prompts() -> dict[str, str]:
    text = resources.files("prompts").joinpath("llm.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or not all(
        isinstance(data.get(k), str) for k in ("system", "user")
    ):
        raise ValueError("prompts/llm.yaml needs string entries 'system' and 'user'")
    return {"system": data["system"], "user": data["user"]}


def _member_text(text: str, limit: int = FIELD_CHARS) -> str:
    """Member words for the prompt: no control characters, no angle brackets, capped."""
    text = _CONTROL.sub(" ", text).replace("<", "‹").replace(">", "›")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def build_messages(context: CheckInContext) -> list[dict[str, str]]:
    """The chat messages for one follow-up (system rules, then the member's data)."""
    prompts = _llm_prompts()
    checkin = "\n".join(
        [
            f"- What I did: {_member_text(context.did)}",
            f"- How it moves the goal: {_member_text(context.moves_goal) or '(no answer)'}",
            f"- The number now: {_number(context.metric_value)}",
            f"- Next experiment: {_member_text(context.next_experiment) or '(none given)'}",
            f"- What failed or was dropped: {_member_text(context.failed) or '(nothing said)'}",
        ]
    )
    recent = (
        "\n".join(
            f"- {past.date}: {_member_text(past.did, PAST_CHARS)} "
            f"(number: {_number(past.metric_value)})"
            for past in context.recent
        )
        or "- (none)"
    )
    fired = [name for name in SIGNAL_NAMES if getattr(context.signals, name)]
    signals = f"goal alignment {context.signals.goal_alignment:.2f}; " + (
        "signals: " + ", ".join(fired) if fired else "no nudge signals"
    )
    user = prompts["user"].format(
        goal=_member_text(context.goal),
        checkin=checkin,
        recent=recent,
        reply=_member_text(context.reply, 2000),
        signals=signals,
    )
    return [
        {"role": "system", "content": prompts["system"].format(max_words=MAX_WORDS)},
        {"role": "user", "content": user},
    ]


def parse_answer(content: str) -> tuple[str, dict[str, bool]]:
    """(message, second opinion) from the LLM's answer; raises ``LLMError`` when malformed."""
    text = unfence(content)
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        raise LLMError("malformed", "no JSON object in the answer")
    try:
        data: Any = json.loads(text[start : end + 1])
    except ValueError:
        raise LLMError("malformed", "the answer is not valid JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("message"), str):
        raise LLMError("malformed", "the answer has no string 'message'")
    opinion_raw = data.get("signals")
    opinion = (
        {k: v for k, v in opinion_raw.items() if k in SIGNAL_NAMES and isinstance(v, bool)}
        if isinstance(opinion_raw, dict)
        else {}
    )
    return data["message"], opinion


def unfence(content: str) -> str:
    """``content`` without a Markdown code fence around it (```` ```json … ``` ````), stripped.

    >>> unfence('```json\\n{"a": 1}\\n```'), unfence('{"a": 1}')
    ('{"a": 1}', '{"a": 1}')
    """
    text = content.strip()
    if text.startswith("```"):
        text = text[3:]
        text = text[4:] if text[:4].lower() == "json" else text
    if text.endswith("```"):
        text = text[:-3]
    return text.strip()


def _unlinked(match: re.Match[str]) -> str:
    found = match.group(0)
    return found if found.startswith("<") and not _MARKUP_MARKS & set(found) else ""


def clean_message(message: str) -> str:
    """The LLM's note as the member will see it: plain, capped, no links or mentions.

    >>> clean_message("Try it <!channel> @here: https://x.test now\\x1b[2J")
    'Try it  here:  now[2J'
    """
    text = _CONTROL.sub("", message)
    text = _LINK.sub(_unlinked, text)
    text = _MENTION.sub("", text)
    # Spaces before a line break go line by line: "[ \t]+\n" rescanned every run of spaces.
    text = "\n".join(line.rstrip(" \t") for line in text.split("\n"))
    text = _BLANK_LINES.sub("\n\n", text).strip()
    if len(text) > MAX_MESSAGE_CHARS:
        cut = text[: MAX_MESSAGE_CHARS - 1]
        space = cut.rfind(" ")
        text = (cut[:space] if space > MAX_MESSAGE_CHARS // 2 else cut).rstrip() + "…"
    return text


@dataclass
class _Pending:
    context: CheckInContext
    created: float


class FollowUps:
    """Pending follow-ups by token, and the LLM call that answers one."""

    def __init__(self, client: ChatClient, prompts: Prompts) -> None:
        self.client = client
        self.prompts = prompts
        self.stats: LLMStats = client.stats
        self._pending: OrderedDict[str, _Pending] = OrderedDict()

    def register(self, context: CheckInContext) -> str:
        """Keep ``context`` for one follow-up; return its unguessable token."""
        self._expire()
        while len(self._pending) >= MAX_PENDING:
            self._pending.popitem(last=False)
        token = secrets.token_urlsafe(18)
        self._pending[token] = _Pending(context, time.monotonic())
        return token

    def forget(self, tenant: TenantRef, user_id: str) -> None:
        """Drop every follow-up waiting for this member (they asked to be forgotten): their
        words are never sent to the LLM after that."""
        for token, pending in list(self._pending.items()):
            actor = pending.context.actor
            if actor.tenant == tenant and actor.user_id == user_id:
                del self._pending[token]

    def _expire(self) -> None:
        now = time.monotonic()
        while self._pending:
            token, pending = next(iter(self._pending.items()))
            if now - pending.created <= TOKEN_TTL:
                break
            del self._pending[token]

    async def run(self, token: str) -> list[Intent]:
        """The follow-up for ``token`` (once): a private ``Reply``, or ``[]`` on any failure."""
        self._expire()
        pending = self._pending.pop(token, None)
        if pending is None:
            self.stats.expired += 1
            metrics.LLM_FALLBACKS.labels("expired").inc()
            return []
        context = pending.context
        self.stats.calls += 1
        metrics.LLM_CALLS.inc()
        try:
            content = await self.client.complete(build_messages(context), MAX_TOKENS)
            message, opinion = parse_answer(content)
            text = clean_message(message)
            if not text:
                raise LLMError("malformed", "an empty message")
        except LLMError as exc:
            self.stats.fallbacks += 1
            kind = exc.kind.removesuffix("-retryable")
            self.stats.by_kind[kind] = self.stats.by_kind.get(kind, 0) + 1
            metrics.LLM_FALLBACKS.labels(kind).inc()
            if kind == "timeout":
                self.stats.timeouts += 1
            elif kind == "http":
                self.stats.http_errors += 1
            elif kind == "network":
                self.stats.network_errors += 1
            else:
                self.stats.malformed += 1
            log.warning("LLM follow-up not sent; the template reply stands (%s)", exc)
            return []
        except Exception as exc:  # never an error to the member
            self.stats.fallbacks += 1
            metrics.LLM_FALLBACKS.labels("error").inc()
            log.exception("LLM follow-up failed unexpectedly (%s)", type(exc).__name__)
            return []
        self.stats.succeeded += 1
        for name, value in opinion.items():
            if value == bool(getattr(context.signals, name)):
                self.stats.opinion_agreed += 1
            else:
                self.stats.opinion_differed += 1
        return [Reply((*self.prompts.say("llm_follow_up_head"), UserText(text)))]

    async def aclose(self) -> None:
        await self.client.aclose()
