"""What the text analysis tells the coach about one check-in.

``Signals`` is the contract between an analyser (the rules in ``bot.analysis.rules``, or the
embedded semantic scorer in ``bot.analysis.semantic`` that builds on them) and the nudge logic:

- ``goal_alignment`` / ``aligned`` feed the *tie-to-goal* nudge,
- ``role_model_mimicry`` feeds *role-models*,
- ``idea_driven`` feeds *goal-not-idea*,
- ``failure`` feeds *best-works* and the private reflection offer.

``evidence`` maps the name of each signal that fired to the short phrase that triggered it, so the
coach can say why it asks (and so a reviewer can see what the rules matched).

``similar_only`` names the signals that fired only because a sentence resembled the example bank
(``prompts/examples.yaml``), with no rule behind them: the coach asks a gentler question for
those. ``analyzer`` says which analyser answered: ``"rules"``, ``"semantic"`` or ``"llm"``.

Proportion: ``failure_scope`` is ``project`` when a project, direction or idea was dropped (a
reflection is offered) and ``setback`` for anything smaller (a light question); ``away`` marks
a week mostly away from research (sick, holiday, a conference) and ``content_free`` an update
that says nothing: neither gets goal nudges. ``number`` says what the goal's number did
(``bot.analysis.evidence``), ``suppressed`` the nudges the member marked unhelpful on a similar
update.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from bot.analysis.evidence import NumberMove

SIGNAL_NAMES = ("role_model_mimicry", "idea_driven", "failure")
"""The nudge signals, in the order the coach weighs them."""

ALIGNED_THRESHOLD = 0.5
"""``goal_alignment`` at or above this counts as visibly serving the goal."""


@dataclass(frozen=True)
class Signals:
    """The outcome of analysing one update against the member's goal.

    The constructor checks that ``goal_alignment`` lies in [0, 1] and that ``aligned`` agrees
    with ``ALIGNED_THRESHOLD``; ``evidence`` is copied into a read-only mapping.

    >>> s = Signals(0.8, True, False, False, False, {"aligned": "clinic, WER"})
    >>> s.aligned, s.evidence["aligned"]
    (True, 'clinic, WER')
    """

    goal_alignment: float
    aligned: bool
    role_model_mimicry: bool
    idea_driven: bool
    failure: bool
    evidence: Mapping[str, str] = field(default_factory=dict, hash=False)
    similar_only: frozenset[str] = frozenset()
    analyzer: Literal["rules", "semantic", "llm"] = "rules"
    failure_scope: Literal["", "setback", "project"] = ""
    away: bool = False
    content_free: bool = False
    number: NumberMove = ""
    suppressed: frozenset[str] = frozenset()
    # The member's own words put the week away from the goal ("on the grant report", "no
    # model work this week"): a low alignment then means the work was elsewhere, not that a
    # week about a blocker reads unlike the goal.
    elsewhere: bool = False

    def __post_init__(self) -> None:
        if math.isnan(self.goal_alignment) or not 0.0 <= self.goal_alignment <= 1.0:
            raise ValueError(f"goal_alignment must be within [0, 1], got {self.goal_alignment}")
        if self.aligned != (self.goal_alignment >= ALIGNED_THRESHOLD):
            raise ValueError(
                f"aligned={self.aligned} disagrees with goal_alignment={self.goal_alignment} "
                f"and ALIGNED_THRESHOLD={ALIGNED_THRESHOLD}"
            )
        unknown = set(self.similar_only) - set(SIGNAL_NAMES)
        if unknown:
            raise ValueError(f"similar_only names unknown signals: {sorted(unknown)}")
        for name in self.similar_only:
            if not getattr(self, name):
                raise ValueError(f"{name} is in similar_only but did not fire")
        if self.failure_scope and not self.failure:
            raise ValueError(f"failure_scope={self.failure_scope!r} but no failure")
        object.__setattr__(self, "evidence", MappingProxyType(dict(self.evidence)))
        object.__setattr__(self, "suppressed", frozenset(self.suppressed))
        object.__setattr__(self, "similar_only", frozenset(self.similar_only))

    def gentle(self, name: str) -> bool:
        """Whether signal ``name`` fired on similarity alone (ask, do not nudge)."""
        return name in self.similar_only
