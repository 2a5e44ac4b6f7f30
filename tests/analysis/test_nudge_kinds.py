"""A rule hit gives the nudge; a similarity-only hit gives a gentler question (only failure
has one: accusing nudges need words that say so)."""

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
    {"idea_driven": "everyone is on it, so I switched", "failure": "went sideways again"},
    frozenset({"failure"}),
    "semantic",
    failure_scope="setback",
)


def test_a_rule_hit_is_a_nudge() -> None:
    (found,) = candidates(BY_RULE, CheckInFacts())
    assert found.nudge_id == "role-models" and not found.gentle
    assert found.trigger == "like Karpathy does"


def test_a_similarity_only_hit_is_a_gentle_question_and_says_so_in_its_trigger() -> None:
    found = {c.nudge_id: c for c in candidates(BY_SIMILARITY, CheckInFacts())}
    assert found["setback"].gentle
    assert found["setback"].trigger == SIMILAR_TRIGGER + "went sideways again"
    assert not found["goal-not-idea"].gentle  # the trend came from the cue phrases
