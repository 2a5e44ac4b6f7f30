"""The verdict on one check-in: how a good research lead weighs what they know.

``decide(evidence, clues)`` is the whole decision, on one screen. The analysers (the rules, or
the embedded model) only gather ``Clues``: what the words say (``bot.analysis.reading``), how
likely the words alone serve the goal, how close the update comes to the member's earlier
updates on this goal, and which nudges the member found unhelpful on a similar update.

The costs it is tuned to (``../shared/docs/coaching.md``, Judgement): an accusing nudge on good
work costs about five times a missed one, since a member who feels accused mutes the coach; so
accusations need strong words and nothing that speaks against them, and a week away or an
empty update gets none.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.analysis.cuebook import cue_book
from bot.analysis.evidence import Evidence
from bot.analysis.phrases import cached_tokens
from bot.analysis.reading import TextReading, content_words
from bot.analysis.signals import ALIGNED_THRESHOLD, Signals

__all__ = [
    "ANSWER_WEIGHT",
    "AWAY_CAP",
    "HISTORY_WEIGHT",
    "NUMBER_WEIGHT",
    "OFF_GOAL_CAP",
    "Clues",
    "answer_strength",
    "decide",
]

NUMBER_WEIGHT = 0.9  # the number moved toward the target: the strongest sign of an on-goal week
ANSWER_WEIGHT = 0.6  # a meaningful answer to "how does this move your goal"
HISTORY_WEIGHT = 0.8  # an update that reads like the member's earlier on-goal updates
AWAY_CAP = 0.2  # a week away from research is not an on-goal week, whatever its words
OFF_GOAL_CAP = 0.3  # "no model work this week": the member says so
DENIAL_FACTOR = 0.3  # "not really", "unrelated": the answer says it does not move the goal


@dataclass(frozen=True)
class Clues:
    """What an analyser gathered about one check-in, before any decision."""

    words: TextReading
    text_alignment: float  # 0..1: the words alone serve the goal (calibrated)
    history_fit: float = 0.0  # 0..1: reads like the member's earlier updates on this goal
    failure_likeness: str | None = None  # a sentence like the failure examples, no cue behind it
    # Sentences naming someone famous, or a trend, that the check-in probes score as copying
    # them, or as chasing it (bot.analysis.gated).
    imitation_likeness: str | None = None
    trend_likeness: str | None = None
    near_unhelpful: frozenset[str] = frozenset()  # nudges marked unhelpful on a similar update
    aligned_phrase: str = ""  # what ties the update to the goal, for the evidence


def decide(evidence: Evidence, clues: Clues) -> Signals:
    """Evidence first, precision first, proportion.

    1. Alignment starts from the words and is raised (noisy-or) by the member's evidence: the
       number moving toward the target, their own "how does this move your goal", an update
       that reads like their earlier ones on this goal. Nothing said gives 0; a week away at
       most ``AWAY_CAP``; a week the member says did not touch the goal at most
       ``OFF_GOAL_CAP``, unless the number moved; with no goal there is nothing to align with.
    2. A failure is a failure cue that no negation, hedge or fix sets aside, in the update or
       the "what failed" answer; a dropped project, direction or idea is one of ``project``
       scope (the reflection's), anything else a ``setback`` (a light question). A sentence
       that only resembles failure is asked about gently.
    3. Accusing signals need strong evidence: imitation, or a paper, trend or race, given as
       the reason, by a cue phrase or by a sentence that names someone or a trend and that
       the check-in probe scores as copying or chasing it (``bot.analysis.gated``); a trend
       is set aside when the number moved toward the target this week (then the paper was a
       tool for the goal), unless the words say the week raced others, chased their number,
       left the goal or followed a boss's wish for the trend. A trend only mentioned accuses
       no one.
    4. A week away or an empty update accuses no one.
    """
    words = clues.words
    quiet = words.content_free or words.away is not None
    p = clues.text_alignment
    for weight in (
        HISTORY_WEIGHT * clues.history_fit,
        ANSWER_WEIGHT * answer_strength(evidence.moves_goal),
        NUMBER_WEIGHT if evidence.number_moved_up else 0.0,
    ):
        p = 1.0 - (1.0 - p) * (1.0 - weight)
    if not evidence.goal or words.content_free:
        p = 0.0
    elif words.away is not None:
        p = min(p, AWAY_CAP)
    elif words.off_goal is not None and not evidence.number_moved_up:
        p = min(p, OFF_GOAL_CAP)
    p = round(min(1.0, max(0.0, p)), 4)

    failure = words.failure is not None
    gentle_failure = not failure and not quiet and clues.failure_likeness is not None
    imitation_phrase = words.imitation.phrase if words.imitation else clues.imitation_likeness
    imitation = imitation_phrase is not None and not quiet
    trend_phrase = words.trend.phrase if words.trend else clues.trend_likeness
    # A number that moved shows the paper was a tool for the goal ("everyone is on X, so I
    # tried it on our data: 0.25 -> 0.4"), unless the words say the week raced others,
    # chased their number, left the goal or followed a boss's wish for the trend: then the
    # number only came along.
    trend = trend_phrase is not None and not quiet
    if evidence.number_moved_up and not _beyond_the_number(words):
        trend = False

    said = {
        "aligned": clues.aligned_phrase if p >= ALIGNED_THRESHOLD else None,
        "failure": words.failure.phrase if words.failure else clues.failure_likeness,
        "role_model_mimicry": imitation_phrase if imitation else None,
        "idea_driven": trend_phrase if trend else None,
        "away": words.away.phrase if words.away else None,
    }
    if not (failure or gentle_failure):
        said["failure"] = None
    return Signals(
        goal_alignment=p,
        aligned=p >= ALIGNED_THRESHOLD,
        role_model_mimicry=imitation,
        idea_driven=trend,
        failure=failure or gentle_failure,
        evidence={name: phrase for name, phrase in said.items() if phrase},
        similar_only=frozenset({"failure"} if gentle_failure else ()),
        failure_scope="project" if failure and words.dropped else "setback" if failure else "",
        away=words.away is not None and not words.content_free,
        content_free=words.content_free,
        number=evidence.number,
        suppressed=clues.near_unhelpful,
        elsewhere=words.elsewhere is not None or words.off_goal is not None,
    )


def _beyond_the_number(words: TextReading) -> bool:
    """Whether the trend the words give is one a moved number does not set aside."""
    key = words.trend.key if words.trend is not None else ""
    return key in ("race", "beat_their_number") or key.endswith(("+detour", "+pressure"))


def answer_strength(moves_goal: str) -> float:
    """0..1: how much the "how does this move your goal" answer says it does.

    >>> answer_strength("lower WER on the clinic set"), answer_strength("not really")
    (1.0, 0.0)
    """
    book = cue_book()
    tokens = cached_tokens(moves_goal)
    content = content_words(tokens, book)
    strength = 1.0 if len(content) >= 2 else 0.5 if content else 0.0
    words = [t.text for t in tokens if t.text[:1].isalnum()]
    if strength and (
        (words and words[0] in book.words.negators)
        or any(w in book.words.denials for w in words[:3])
        or any(w in ("unrelated", "tangent", "side") for w in words)
    ):
        strength *= DENIAL_FACTOR
    return strength
