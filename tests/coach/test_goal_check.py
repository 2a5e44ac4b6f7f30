"""Whether a goal is worth coaching: vague capabilities and numbers that cannot be measured are
found, and good goals, short metric names included, are not (precision first)."""

from __future__ import annotations

import doctest

import pytest

from bot.coach import goal_check
from bot.coach.goal_check import measurable, unmeasurable, vague_capability

VAGUE_CAPABILITIES = [
    "do cool stuff with LLMs",
    "research",
    "make progress",
    "stuff",
    "be better at ML",
    "Do cool stuff with LLMs!",
    "  research  ",
    "interesting things in RL",
    "become a better researcher",
]
GOOD_CAPABILITIES = [
    "Robot arm that folds laundry from pixels",
    "Transcribe clinic audio reliably",
    "Transcribe noisy clinic audio reliably",
    "A 7B model that proves olympiad geometry problems",
    "Summarise radiology reports",
    "Fold laundry",
    "Ship a speech model",
    "A capability",  # too plain to praise, but it names something: not questioned
    "Make progress on protein folding with diffusion models",
    "Research assistant that drafts related-work sections",
    "Get better at sim2real transfer for grippers",
]
UNMEASURABLE = [
    "vibes",
    "progress",
    "make it better",
    "quality",
    "how good it feels",
    "good results",
    "impact",
    "Vibes.",
    "overall quality",
]
MEASURABLE = [
    "fold success rate on 50 towels",
    "WER on clinic-50",
    "clinic WER",
    "WER",
    "BLEU",
    "pass@1",
    "F1",
    "success rate",
    "AUROC",
    "MAE",
    "latency (ms)",
    "latency p95 in ms",
    "ROUGE-L",
    "solve rate on IMO-AG-30",
    "quality score from three radiologists",
    "progress on the ARC benchmark",
    "impact on clinic WER",
    "metric name",  # says nothing vague: not questioned
    "Elo",
]


@pytest.mark.parametrize("text", VAGUE_CAPABILITIES)
def test_a_capability_that_names_no_capability_is_vague(text: str) -> None:
    assert vague_capability(text)


@pytest.mark.parametrize("text", GOOD_CAPABILITIES)
def test_a_capability_that_names_one_is_not_vague(text: str) -> None:
    assert not vague_capability(text)


@pytest.mark.parametrize("text", UNMEASURABLE)
def test_a_number_that_cannot_be_measured_is_found(text: str) -> None:
    assert unmeasurable(text)
    assert not measurable(text)


@pytest.mark.parametrize("text", MEASURABLE)
def test_a_number_that_can_be_measured_is_not_questioned(text: str) -> None:
    assert not unmeasurable(text)


@pytest.mark.parametrize("text", ["WER", "pass@1", "latency (ms)", "success rate", "% solved"])
def test_a_measurable_word_or_mark_makes_a_number_measurable_whatever_else_it_says(
    text: str,
) -> None:
    assert measurable(text)
    assert not unmeasurable(f"{text}, vibes and progress, make it better")


def test_a_vague_word_with_substance_around_it_is_not_questioned() -> None:
    # Precision first: only a number that says nothing but vague words is questioned.
    assert unmeasurable("quality")
    assert not unmeasurable("quality of the generated radiology reports")
    # A capability keeps its vague phrase if two words of substance name the capability.
    assert vague_capability("do cool stuff with LLMs")
    assert not vague_capability("do cool stuff with LLMs for clinic audio transcription")


def test_the_documented_examples_hold() -> None:
    result = doctest.testmod(goal_check)
    assert result.attempted >= 4
    assert result.failed == 0
