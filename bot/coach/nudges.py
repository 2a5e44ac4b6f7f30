"""Which nudges a reply carries: at most two, never one from the member's previous reply,
none when the member turned nudges off (the next-experiment question stays).

Proportion (``../shared/docs/coaching.md``, Judgement): a dropped project, direction or idea
gets *best-works* and the offer of a reflection; a smaller setback (a run that diverged, a
blocked week) gets the light *setback* question; a week away or an update that says nothing
gets no goal nudges at all; a nudge the member marked unhelpful on a similar update is not
given again."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial

from bot.analysis import Signals
from bot.events import plain
from bot.prompts import Prompts, load_prompts

MAX_PER_REPLY = 2
# Asked even with nudges off: every check-in ends with the simplest next experiment.
ALWAYS_ASKED = "next-experiment"
STALL_CHECKINS = 3  # the number unchanged over this many check-ins calls for a decision
# A stuck week read below this alignment is off the goal: the tie is asked even then.
OFF_GOAL_SETBACK = 0.2


# Nudges a similarity-only signal can call for; each has a gentler question in messages.yaml.
GENTLE_NUDGES = ("setback",)
SIMILAR_TRIGGER = "similar: "  # NudgeRecord.trigger prefix of a question from a similarity hit


@dataclass(frozen=True)
class Candidate:
    nudge_id: str
    trigger: str  # what in the member's words or history called for it
    # True when only the similarity to the example bank called for it (no rule): ask, not nudge.
    gentle: bool = False


@dataclass(frozen=True)
class CheckInFacts:
    """What the structured check-in fields say, beyond the text analysis."""

    has_goal: bool = True
    next_experiment_empty: bool = False
    recent_values: tuple[float | None, ...] = ()  # newest first, this check-in included


def stalled(values: Sequence[float | None]) -> bool:
    """The number has not moved over the last ``STALL_CHECKINS`` check-ins.

    >>> stalled([0.5, 0.5, 0.5])
    True
    """
    latest = list(values[:STALL_CHECKINS])
    if len(latest) < STALL_CHECKINS or any(v is None for v in latest):
        return False
    first = latest[0]
    assert first is not None
    return all(abs(first - v) <= 1e-9 * max(1.0, abs(first)) for v in latest if v is not None)


def _trigger(prompts: Prompts, key: str, **values: str | int) -> str:
    """What called for a nudge, as its record keeps it (messages.yaml's ``trigger_*``)."""
    return plain(prompts.say(key, **values))


def candidates(
    signals: Signals, facts: CheckInFacts, prompts: Prompts | None = None
) -> list[Candidate]:
    """Every nudge the update calls for, most important first.

    The tie to the goal is asked only when nothing shows it: an empty "how does this move your
    goal" is fine when the number moved or the words show the tie (``signals.aligned`` weighs
    all of it). A signal that fired on similarity alone gives a ``gentle`` candidate: the reply
    asks a question instead of nudging, and its record's trigger starts with
    ``SIMILAR_TRIGGER``.

    >>> away = Signals(0.0, False, False, False, False, away=True)
    >>> candidates(away, CheckInFacts(next_experiment_empty=True))
    []
    """
    if signals.away:
        return []
    why = partial(_trigger, prompts or load_prompts())

    # rest, sickness, holidays and conferences get no goal nudges
    found: list[Candidate] = []
    failure = "best-works" if signals.failure_scope == "project" else "setback"
    for signal, nudge_id, default in (
        ("failure", failure, "trigger_failure"),
        ("role_model_mimicry", "role-models", "trigger_imitation"),
        ("idea_driven", "goal-not-idea", "trigger_paper_driven"),
    ):
        if not getattr(signals, signal):
            continue
        said = signals.evidence  # the member's words that fired it, when the signal kept them
        trigger = said[signal] if signal in said else why(default)
        if signals.gentle(signal):
            found.append(Candidate(nudge_id, SIMILAR_TRIGGER + trigger, gentle=True))
        else:
            found.append(Candidate(nudge_id, trigger))
    # A member stuck on the goal's own system gets the setback question, not "which part of
    # this moves the number?" on top of it, unless the week reads clearly off the goal. A week
    # spent on a blocker (bricked hardware, a dead cluster, no runs) reads unlike the goal
    # because the blocker is all it talks about: a setback the member named in words is
    # stuck on the goal unless their words put the week elsewhere.
    named = signals.failure and "failure" not in signals.similar_only
    stuck = signals.failure and (
        signals.goal_alignment >= OFF_GOAL_SETBACK or (named and not signals.elsewhere)
    )
    if facts.has_goal and not signals.aligned and not stuck:
        alignment = f"{signals.goal_alignment:.2f}"
        found.append(Candidate("tie-to-goal", why("trigger_low_alignment", alignment=alignment)))
    if facts.has_goal and stalled(facts.recent_values):
        stalled_for = why("trigger_stalled", count=STALL_CHECKINS)
        found.append(Candidate("switch-or-commit", stalled_for))
    if facts.next_experiment_empty:
        found.append(Candidate(ALWAYS_ASKED, why("trigger_no_next")))
    return [c for c in found if c.nudge_id not in signals.suppressed]


def choose(
    found: Iterable[Candidate], previous: set[str], nudges_enabled: bool = True
) -> list[Candidate]:
    """Pick what to say: ``previous`` are the ids of the member's last reply.

    >>> [c.nudge_id for c in choose([Candidate("tie-to-goal", "")], {"tie-to-goal"})]
    []
    """
    chosen: list[Candidate] = []
    for candidate in found:
        if not nudges_enabled and candidate.nudge_id != ALWAYS_ASKED:
            continue
        if candidate.nudge_id in previous or candidate.nudge_id in {c.nudge_id for c in chosen}:
            continue
        chosen.append(candidate)
        if len(chosen) == MAX_PER_REPLY:
            break
    return chosen
