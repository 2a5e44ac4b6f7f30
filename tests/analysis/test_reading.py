"""What the words of a check-in say (``bot.analysis.reading``): fixes, other people's trouble,
a failure's scope from the member's own answer, the goal's own words, weeks away."""

from __future__ import annotations

import pytest

from bot.analysis.reading import read_text

WAREHOUSE = "Warehouse robots that complete picks without deadlocks; picks per hour"


@pytest.mark.parametrize(
    ("update", "failed"),
    [
        ("it diverged, I lowered the LR, it converged", ""),
        ("the env leaked memory, turned out to be a list in the render path; fixed it", ""),
        ("helped the perception team, they were stuck on the lidar calibration", ""),
        ("deadlocks per episode down from 9 to 6 with the agent ids", ""),  # the goal's metric
        ("no NaNs this time", "nothing"),
        # the "what failed" answer names a hiccup it fixed, or opens with no
        ("reran the eval on all 64 robots", "agent id collision in the logger, fixed Tue"),
        ("reran the eval on all 64 robots", "OOM fixed with batching"),
        ("reran the eval on all 64 robots", "Nothing broke this week, no spikes through 30k."),
        ("reran the eval on all 64 robots", "None, pipeline ran clean."),
    ],
)
def test_what_is_not_a_failure(update: str, failed: str) -> None:
    assert read_text(WAREHOUSE, update, failed=failed).failure is None


@pytest.mark.parametrize("failed", ["the tokenizer thing", "not great, the tokenizer thing"])
def test_a_failed_answer_without_a_cue_still_names_a_failure(failed: str) -> None:
    words = read_text(WAREHOUSE, "reran the eval on all 64 robots", failed=failed)
    assert words.failure is not None and words.failure.key == "failed_field"


def test_the_members_answer_gives_the_failure_its_scope() -> None:
    """The update says the run never beat the plain critic (a setback); the answer to
    "anything that failed or was dropped" says the direction was abandoned."""
    words = read_text(
        WAREHOUSE,
        "the big critic never beat the plain one, back to MAPPO",
        failed="abandoned the attention critic",
    )
    assert words.failure is not None and words.dropped


def test_given_up_is_a_dropped_direction() -> None:
    words = read_text(WAREHOUSE, "ok I've given up on the big critic, two and a half weeks gone")
    assert words.failure is not None and words.dropped


@pytest.mark.parametrize(
    "update",
    [
        "moving apartments this week, the internet was down till thursday and I didn't touch "
        "anything, one eval job ran in the background that I never looked at",
        "I was sick most of the week",
        "vacation",
    ],
)
def test_a_week_away(update: str) -> None:
    words = read_text(WAREHOUSE, update)
    assert words.away is not None and not words.content_free


def test_a_working_week_with_a_sick_day_is_not_away() -> None:
    update = "Sick Monday, then fixed the loader, reran the eval on all 64 robots and wrote it up"
    assert read_text(WAREHOUSE, update).away is None


@pytest.mark.parametrize(
    "update",
    [
        # the reason is who they are, said as deference
        "lead wants the Okafor lab's augmentations because they're the reference for this data",
        "advisor says to keep the Tanaka group setup, don't reinvent it",
        # an authority and two untested marks: their values verbatim, no tuning of our own
        "took the loss weights from the Okafor lab's appendix verbatim, didn't bother tuning",
    ],
)
def test_imitation_said_as_deference_or_untested_copying(update: str) -> None:
    assert read_text(WAREHOUSE, update).imitation is not None


@pytest.mark.parametrize(
    "update",
    [
        # a tool used as released: one untested mark alone is not imitation
        "ran the Okafor lab's eval script verbatim on our 64 robots",
        # acronyms and codes in research notes name no one to copy
        "this is because GBS stayed the same and TP=2 leaves GAS=16 per replica, as GT shows",
        "kept Exp12 settings unchanged, then because WRN-28-10 is slow we cut epochs",
    ],
)
def test_a_tool_or_an_acronym_is_not_imitation(update: str) -> None:
    assert read_text(WAREHOUSE, update).imitation is None


def test_a_trend_and_its_consequence_in_the_next_sentence() -> None:
    update = (
        "the CEO asked why we don't do it 'when everyone does open-vocab now'. "
        "so spent the week on it"
    )
    words = read_text(WAREHOUSE, update)
    assert words.trend is not None and "+" in words.trend.key


def test_a_race_against_a_launch() -> None:
    update = "marketing wants our number out before their embargo lifts, rushed a distill run"
    words = read_text(WAREHOUSE, update)
    assert words.trend is not None and words.trend.key == "race"


def test_the_crowd_and_someone_above_who_wants_in() -> None:
    """A trend in one sentence and a boss who wants it in the next is a direction from outside;
    a boss's wish alone is not a trend."""
    update = (
        "at the summit half the talks were on agents for scheduling. our director wants that "
        "we also try one, so I wired up a prompt chain"
    )
    words = read_text(WAREHOUSE, update)
    assert words.trend is not None and words.trend.key.endswith("+pressure")
    assert read_text(WAREHOUSE, "my director wants the ablation table by friday").trend is None


@pytest.mark.parametrize(
    "update",
    [
        "leadership saw a rival's launch video and wants parity by month end, so the plan is "
        "now their headline number",
        "another startup posted 60.1 on the leaderboard and the CEO wants us above them",
    ],
)
def test_parity_with_a_rival_is_a_strong_trend(update: str) -> None:
    assert read_text(WAREHOUSE, update).trend is not None
