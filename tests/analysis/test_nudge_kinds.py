"""A rule hit gives the nudge; a similarity-only hit gives a gentler question."""

from __future__ import annotations

from bot.analysis import Signals
from bot.coach.nudges import SIMILAR_TRIGGER, CheckInFacts, candidates

BY_RULE = Signals(0.9, True, True, False, False, {"role_model_mimicry": "like Karpathy does"})
BY_SIMILARITY = Signals(
    0.9,
    True,
    False,
    True,
    True,
    {"idea_driven": "nerd-sniped by a preprint", "failure": "tanked"},
    frozenset({"idea_driven"}),
    "semantic",
)


def test_a_rule_hit_is_a_nudge() -> None:
    (found,) = candidates(BY_RULE, CheckInFacts())
    assert found.nudge_id == "role-models" and not found.gentle
    assert found.trigger == "like Karpathy does"


def test_a_similarity_only_hit_is_a_gentle_question_and_says_so_in_its_trigger() -> None:
    found = {c.nudge_id: c for c in candidates(BY_SIMILARITY, CheckInFacts())}
    assert found["goal-not-idea"].gentle
    assert found["goal-not-idea"].trigger == SIMILAR_TRIGGER + "nerd-sniped by a preprint"
    assert not found["best-works"].gentle  # the failure came from a rule
