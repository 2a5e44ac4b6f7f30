"""Which nudges a reply carries (``bot.coach.nudges``), without a database."""

from __future__ import annotations

import pytest

from bot.analysis import Signals
from bot.coach.nudges import (
    ALWAYS_ASKED,
    MAX_PER_REPLY,
    Candidate,
    CheckInFacts,
    candidates,
    choose,
    stalled,
)

QUIET = Signals(0.9, True, False, False, False)  # an aligned update with no cue at all
# imitation, paper-chasing and a dropped project
LOUD = Signals(0.1, False, True, True, True, failure_scope="project", elsewhere=True)


def ids(chosen: list[Candidate]) -> list[str]:
    return [c.nudge_id for c in chosen]


def test_a_reply_carries_at_most_two_nudges_most_important_first() -> None:
    found = candidates(LOUD, CheckInFacts(next_experiment_empty=True))
    assert len(found) > MAX_PER_REPLY == 2

    assert ids(choose(found, set())) == ["best-works", "role-models"]


def test_a_nudge_of_the_previous_reply_is_never_chosen() -> None:
    found = candidates(LOUD, CheckInFacts())

    chosen = ids(choose(found, previous={"best-works", "role-models"}))

    assert chosen == ["goal-not-idea", "tie-to-goal"]


def test_with_nudges_off_only_the_next_experiment_question_survives() -> None:
    facts = CheckInFacts(next_experiment_empty=True)
    found = candidates(LOUD, facts)

    assert ids(choose(found, set(), nudges_enabled=False)) == [ALWAYS_ASKED]
    assert choose(candidates(LOUD, CheckInFacts()), set(), nudges_enabled=False) == []


def test_one_nudge_fills_at_most_one_slot_of_a_reply() -> None:
    found = [Candidate("tie-to-goal", "empty answer"), Candidate("tie-to-goal", "low alignment")]

    assert ids(choose(found, set())) == ["tie-to-goal"]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ((0.5, 0.5, 0.5), True),
        ((0.5, 0.5, 0.5, 0.9), True),  # only the latest three count
        ((0.5, 0.5), False),
        ((0.5, None, 0.5), False),
        ((None, 0.5, 0.5, 0.5), False),
        ((0.5, 0.5, 0.51), False),
        ((0.4, 0.5, 0.5, 0.5), False),
    ],
)
def test_stalled_means_three_equal_latest_values(
    values: tuple[float | None, ...], expected: bool
) -> None:
    assert stalled(values) is expected


def test_candidates_follow_the_check_in_facts() -> None:
    assert candidates(QUIET, CheckInFacts()) == []
    off_goal = Signals(0.2, False, False, False, False)
    assert ids(candidates(off_goal, CheckInFacts())) == ["tie-to-goal"]
    assert ids(candidates(QUIET, CheckInFacts(recent_values=(0.3, 0.3, 0.3)))) == [
        "switch-or-commit"
    ]
    no_goal = CheckInFacts(has_goal=False, recent_values=(1.0, 1.0, 1.0))
    assert candidates(Signals(0.0, False, False, False, False), no_goal) == []


def test_a_setback_gets_the_light_question_and_a_dropped_project_the_reflection() -> None:
    """Proportion: a run that diverged is not a failed project."""
    setback = Signals(0.9, True, False, False, True, failure_scope="setback")
    dropped = Signals(0.9, True, False, False, True, failure_scope="project")

    assert ids(candidates(setback, CheckInFacts())) == ["setback"]
    assert ids(candidates(dropped, CheckInFacts())) == ["best-works"]


def test_a_week_away_gets_no_goal_nudge_at_all() -> None:
    away = Signals(0.05, False, False, False, True, failure_scope="setback", away=True)
    facts = CheckInFacts(next_experiment_empty=True, recent_values=(0.3, 0.3, 0.3))

    assert candidates(away, facts) == []


def test_a_nudge_marked_unhelpful_on_a_similar_update_is_left_out() -> None:
    off_goal = Signals(0.2, False, False, False, False, suppressed=frozenset({"tie-to-goal"}))

    assert candidates(off_goal, CheckInFacts(next_experiment_empty=True)) == [
        Candidate(ALWAYS_ASKED, "no next experiment given")
    ]


def test_a_stuck_week_is_not_also_asked_for_its_tie_unless_it_reads_off_goal() -> None:
    stuck = Signals(0.35, False, False, False, True, failure_scope="setback")
    off_goal = Signals(0.1, False, False, False, True, failure_scope="setback", elsewhere=True)

    assert ids(candidates(stuck, CheckInFacts())) == ["setback"]
    assert ids(candidates(off_goal, CheckInFacts())) == ["setback", "tie-to-goal"]
