"""The LLM as judge of a check-in: the same questions as the embedded analysis, the same verdict.

When an LLM is configured, ``checkins.save`` first computes the embedded verdict (the rules and
the embedded model, ``bot.analysis``), then asks ``Judge.verdict(evidence, fallback)``:

- the LLM gets the same inputs the embedded path reads (``Evidence``: the goal, the update, the
  member's own answers, the number before and after with the goal's direction, their earlier
  updates on this goal) and the same definitions (``bot.analysis.judgement``, and
  ``../shared/docs/coaching.md``, Judgement). Only that member's own data goes in, their words
  inside ``<member_data>`` with angle brackets replaced exactly as the follow-up does;
- it must answer with one JSON object matching ``LLMVerdict`` (extra keys forbidden), at most
  wrapped in a ```json fence; temperature 0, its own short deadline
  (``COACH_LLM_JUDGE_TIMEOUT``), so the check-in's answer stays within the platforms'
  acknowledgement budget;
- its answer becomes ``Signals(analyzer="llm")``, keeping from the embedded verdict what the
  LLM is not asked: ``number``, ``suppressed`` (the member's own "did not help" presses still
  apply) and ``content_free`` (an empty update stays empty). The guards of
  ``judgement.decide`` hold too: no goal, no alignment; a week away at most ``AWAY_CAP``; a week
  away or an empty update accuses no one; the number moving toward the target clears
  trend-chasing (the paper was a tool for the goal);
- any failure (no answer in time, an HTTP error, malformed JSON, an answer outside the schema)
  returns the embedded verdict unchanged, counts it in ``LLMStats`` and logs one line without
  the member's words or any secret.
"""

from __future__ import annotations

import logging
import re
from functools import cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.analysis.evidence import Evidence
from bot.analysis.judgement import AWAY_CAP
from bot.analysis.signals import ALIGNED_THRESHOLD, Signals
from bot.llm.client import ChatClient, LLMError, LLMStats
from bot.llm.followup import PAST_CHARS, _member_text, _number, unfence

log = logging.getLogger(__name__)

__all__ = [
    "JUDGE_HISTORY",
    "JUDGE_MAX_TOKENS",
    "QUOTE_CHARS",
    "Judge",
    "LLMVerdict",
    "build_judge_messages",
    "parse_verdict",
    "to_signals",
]

JUDGE_MAX_TOKENS = 300  # the verdict and a few short quotes
JUDGE_HISTORY = 8  # earlier updates on the goal shown to the LLM, newest kept
QUOTE_CHARS = 80  # each evidence quote, at most
EVIDENCE_KEYS = ("aligned", "role_model_mimicry", "idea_driven", "failure", "away")

_QUOTE_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")

_NUMBER_MOVES = {
    "": "no number this week",
    "best": "a new best",
    "better": "closer to the target than last time",
    "same": "unchanged",
    "worse": "further from the target than last time",
}


class LLMVerdict(BaseModel):
    """The one JSON object the LLM must answer with (nothing more, nothing less)."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)

    goal_alignment: float = Field(ge=0.0, le=1.0)
    role_model_mimicry: bool
    idea_driven: bool
    failure: bool
    failure_scope: Literal["none", "setback", "project"]
    away: bool
    evidence: dict[str, str] = Field(default_factory=dict)


@cache
def _judge_prompts() -> dict[str, str]:
    text = resources.files("prompts").joinpath("llm.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    keys = ("judge_system", "judge_user")
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in keys):
        raise ValueError("prompts/llm.yaml needs string entries 'judge_system' and 'judge_user'")
    return {k: data[k] for k in keys}


def _numbers(evidence: Evidence) -> str:
    """The goal's number as the embedded path reads it: direction, before, now, best, move."""
    if evidence.goal is None:
        return "(no goal set yet)"
    direction = "lower is better" if evidence.direction == "down" else "higher is better"
    return (
        f"{direction}; before this week {_number(evidence.metric_before)}, "
        f"now {_number(evidence.metric_after)}, best before {_number(evidence.best_before)}: "
        f"{_NUMBER_MOVES[evidence.number]}"
    )


def build_judge_messages(evidence: Evidence) -> list[dict[str, str]]:
    """The chat messages for judging one check-in: the rules, then that member's data only."""
    prompts = _judge_prompts()
    history = evidence.history[-JUDGE_HISTORY:]
    user = prompts["judge_user"].format(
        goal=_member_text(evidence.goal) if evidence.goal else "(no goal set yet)",
        update=_member_text(evidence.update) or "(empty)",
        moves_goal=_member_text(evidence.moves_goal) or "(no answer)",
        failed=_member_text(evidence.failed) or "(nothing said)",
        numbers=_numbers(evidence),
        history="\n".join(f"- {_member_text(h, PAST_CHARS)}" for h in history) or "- (none)",
    )
    return [
        {"role": "system", "content": prompts["judge_system"].format(quote_chars=QUOTE_CHARS)},
        {"role": "user", "content": user},
    ]


def parse_verdict(content: str) -> LLMVerdict:
    """The verdict in the LLM's answer: one JSON object, at most inside a ```json fence.

    Raises ``LLMError("malformed", ...)`` otherwise; the reason names what is wrong, never the
    answer's text (which may quote the member).

    >>> parse_verdict('```json\\n{"goal_alignment": 1, "role_model_mimicry": false, '
    ...               '"idea_driven": false, "failure": false, "failure_scope": "none", '
    ...               '"away": false}\\n```').goal_alignment
    1.0
    """
    text = unfence(content)
    if not (text.startswith("{") and text.endswith("}")):
        raise LLMError("malformed", "the answer is not one JSON object")
    try:
        return LLMVerdict.model_validate_json(text)
    except ValidationError as exc:
        kinds = sorted({str(error["type"]) for error in exc.errors()})
        raise LLMError("malformed", f"the verdict fails the schema ({', '.join(kinds)})") from None


def _quote(text: str) -> str:
    text = " ".join(_QUOTE_CONTROL.sub(" ", text).split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "…"


def to_signals(verdict: LLMVerdict, evidence: Evidence, fallback: Signals) -> Signals:
    """The LLM's verdict as ``Signals``, under the guards of ``judgement.decide``."""
    empty = fallback.content_free
    away = verdict.away and not empty
    p = verdict.goal_alignment
    if not evidence.goal or empty:
        p = 0.0
    elif away:
        p = min(p, AWAY_CAP)
    p = round(p, 4)
    quiet = away or empty
    imitation = verdict.role_model_mimicry and not quiet
    trend = verdict.idea_driven and not quiet and not evidence.number_moved_up
    failure = verdict.failure
    scope: Literal["", "setback", "project"] = (
        ("project" if verdict.failure_scope == "project" else "setback") if failure else ""
    )
    fired = {
        "aligned": p >= ALIGNED_THRESHOLD,
        "role_model_mimicry": imitation,
        "idea_driven": trend,
        "failure": failure,
        "away": away,
    }
    quotes = {
        name: _quote(verdict.evidence[name])
        for name in EVIDENCE_KEYS
        if fired[name] and name in verdict.evidence
    }
    return Signals(
        goal_alignment=p,
        aligned=p >= ALIGNED_THRESHOLD,
        role_model_mimicry=imitation,
        idea_driven=trend,
        failure=failure,
        evidence={name: quote for name, quote in quotes.items() if quote},
        analyzer="llm",
        failure_scope=scope,
        away=away,
        content_free=fallback.content_free,
        number=fallback.number,
        suppressed=fallback.suppressed,
    )


class Judge:
    """``await Judge(client).verdict(evidence, fallback)``: the LLM's verdict, or ``fallback``."""

    def __init__(self, client: ChatClient) -> None:
        _judge_prompts()  # broken prompts fail at start-up, not on a member's check-in
        self.client = client
        self.stats: LLMStats = client.stats

    async def verdict(self, evidence: Evidence, fallback: Signals) -> Signals:
        """The LLM's verdict on ``evidence``; ``fallback`` (the embedded one) on any failure."""
        self.stats.judge_calls += 1
        try:
            content = await self.client.complete(
                build_judge_messages(evidence), JUDGE_MAX_TOKENS, temperature=0.0
            )
            return to_signals(parse_verdict(content), evidence, fallback)
        except LLMError as exc:
            kind = exc.kind.removesuffix("-retryable")
            self._fell_back(kind)
            log.warning("LLM judge fell back to the embedded verdict (%s)", exc)
        except Exception as exc:  # never an error to the member: the embedded verdict stands
            self._fell_back("error")
            log.warning(
                "LLM judge failed unexpectedly (%s); the embedded verdict stands",
                type(exc).__name__,
            )
        return fallback

    def _fell_back(self, kind: str) -> None:
        self.stats.judge_fallbacks += 1
        key = f"judge_{kind}"
        self.stats.by_kind[key] = self.stats.by_kind.get(key, 0) + 1

    async def aclose(self) -> None:
        await self.client.aclose()
