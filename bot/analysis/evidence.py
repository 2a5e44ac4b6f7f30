"""Everything the coach knows about one check-in, beyond its words.

``Evidence`` is what an analyser reads: the goal (capability and metric), the update, the
member's own answers ("how does this move your goal", "anything that failed"), the number
before and after with the goal's direction, the member's earlier updates on this goal (their
vocabulary), and the updates on which they marked a nudge "did not help".

>>> e = Evidence("Fold laundry; success rate", "trained on 200 demos", metric_before=0.1,
...              metric_after=0.25, best_before=0.1)
>>> e.number
'best'
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

__all__ = ["Evidence", "Feedback", "NumberMove"]

NumberMove = Literal["", "best", "better", "same", "worse"]
"""What the goal's number did this week: nothing known, a new best, closer to the target than
last time, unchanged, or further away."""


@dataclass(frozen=True)
class Feedback:
    """A nudge the member marked "did not help", and the update it answered."""

    nudge_id: str
    update: str


@dataclass(frozen=True)
class Evidence:
    goal: str | None  # "capability; metric", None when the member has no goal
    update: str
    moves_goal: str = ""
    failed: str = ""
    metric_before: float | None = None  # the goal's latest value before this check-in
    metric_after: float | None = None  # the value given with this check-in
    direction: Literal["up", "down"] = "up"
    best_before: float | None = None  # the goal's best before this check-in
    history: tuple[str, ...] = ()  # earlier updates on this goal that served it, oldest first
    unhelpful: tuple[Feedback, ...] = ()

    def __post_init__(self) -> None:
        for name in ("metric_before", "metric_after", "best_before"):
            value = getattr(self, name)
            if value is not None and not math.isfinite(value):
                raise ValueError(f"{name} must be a finite number, got {value}")
        if self.direction not in ("up", "down"):
            raise ValueError(f"direction must be up or down, got {self.direction!r}")

    @property
    def number(self) -> NumberMove:
        """What the number did: ``best`` beats every earlier value, ``better`` beats the last."""
        after = self.metric_after
        if after is None:
            return ""
        sign = 1.0 if self.direction == "up" else -1.0
        best = self.best_before if self.best_before is not None else self.metric_before
        if best is not None and sign * (after - best) > 0:
            return "best"
        before = self.metric_before
        if before is None:
            return "" if best is None else "same" if after == best else "worse"
        change = sign * (after - before)
        return "better" if change > 0 else "worse" if change < 0 else "same"

    @property
    def vocabulary(self) -> tuple[str, ...]:
        """The member's own words for this goal: their earlier on-goal updates, and the
        updates on which they said "which part moves the number?" did not help (they were on
        the goal, in words the coach did not know yet)."""
        return (*self.history, *(f.update for f in self.unhelpful if f.nudge_id == "tie-to-goal"))

    @property
    def number_moved_up(self) -> bool:
        """The number moved toward the target (a new best, or better than last time)."""
        return self.number in ("best", "better")
