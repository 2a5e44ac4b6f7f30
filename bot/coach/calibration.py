"""``/coach calibration``: a member's own record of predictions, for them alone.

How often their ranges held against the confidence they stated, whether they lean optimistic
or pessimistic on each goal's number (in its units), and the Brier score of their yes/no
predictions: each only once enough are resolved to mean something. Never compared with
anyone, never posted anywhere.

>>> coverage([p80_held, p80_missed])
[Coverage(stated=0.8, held=1, count=2)]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import fmean

from bot.coach.forecast import percent
from bot.events import Content, Segment, UserText
from bot.numbers import shown
from bot.prompts import Prompts
from bot.store.records.predictions import NUMBER, YES_NO
from bot.store.views import PredictionView

ENOUGH = 5  # resolved predictions of a kind before its numbers are shown


@dataclass(frozen=True)
class Coverage:
    """How many ranges stated at one confidence held."""

    stated: float
    held: int
    count: int


@dataclass(frozen=True)
class Bias:
    """The mean of (expected − arrived) on one goal, where higher is better: above zero,
    optimistic; in the goal's units."""

    goal_id: int
    mean: float
    count: int


def coverage(numbers: Sequence[PredictionView]) -> list[Coverage]:
    """Resolved number predictions grouped by stated confidence (to a whole percent), most
    confident first."""
    groups: dict[float, list[bool]] = {}
    for p in numbers:
        if p.held is not None:
            groups.setdefault(round(p.confidence, 2), []).append(p.held)
    return [
        Coverage(stated, sum(held), len(held))
        for stated, held in sorted(groups.items(), reverse=True)
    ]


def bias(numbers: Sequence[PredictionView]) -> list[Bias]:
    """Mean optimism per goal, by goal."""
    gaps: dict[int, list[float]] = {}
    for p in numbers:
        if p.goal_id is not None and p.optimism is not None:
            gaps.setdefault(p.goal_id, []).append(p.optimism)
    return [Bias(goal, fmean(found), len(found)) for goal, found in sorted(gaps.items())]


def brier(yes_no: Sequence[PredictionView]) -> float | None:
    """The mean squared gap between the probability given the event and what happened (1 or
    0): 0 is perfect, always saying 50% scores 0.25. ``None`` with nothing resolved."""
    scored = [
        (p.chance_of_yes - float(p.happened)) ** 2
        for p in yes_no
        if p.chance_of_yes is not None and p.happened is not None
    ]
    return fmean(scored) if scored else None


def brief(value: float) -> str:
    """A computed number, to three significant digits: ``brief(0.030000000000000027) ==
    "0.03"``."""
    return shown(float(f"{value:.3g}"))


def record(
    prompts: Prompts, resolved: Sequence[PredictionView], metrics: Mapping[int, str]
) -> Content:
    """The member's calibration, from their resolved predictions (``metrics``: goal id → the
    name of its number)."""
    numbers = [p for p in resolved if p.kind == NUMBER and p.held is not None]
    yes_no = [p for p in resolved if p.kind == YES_NO and p.happened is not None]
    if not numbers and not yes_no:
        return prompts.say("calibration_none")
    out: list[Segment] = [*prompts.say("calibration_head")]
    if len(numbers) < ENOUGH:
        more = ENOUGH - len(numbers)
        out += prompts.say("calibration_numbers_wait", count=len(numbers), more=more)
    else:
        for group in coverage(numbers):
            out += prompts.say(
                "calibration_coverage",
                held=group.held,
                count=group.count,
                stated=percent(group.stated),
                rate=percent(group.held / group.count),
            )
        for lean in bias(numbers):
            metric = UserText(metrics.get(lean.goal_id, "?"))
            gap = brief(abs(lean.mean))
            key = "calibration_bias_even"
            if float(gap) != 0:
                key = (
                    "calibration_bias_optimistic"
                    if lean.mean > 0
                    else "calibration_bias_pessimistic"
                )
            out += prompts.say(key, metric=metric, gap=gap, count=lean.count)
    if len(yes_no) < ENOUGH:
        more = ENOUGH - len(yes_no)
        out += prompts.say("calibration_yesno_wait", count=len(yes_no), more=more)
    else:
        score = brier(yes_no)
        assert score is not None
        right = sum(bool(p.held) for p in yes_no)
        out += prompts.say("calibration_brier", brier=brief(score), count=len(yes_no), right=right)
    out += prompts.say("calibration_note")
    return tuple(out)
