"""The reviewed cue data of ``prompts/cues/``: each cue's examples fire it, and none of its
counter-examples fires its signal, read the way the coach reads it.

Every file is covered: the check-in readers (``bot.analysis.reading``: failure, resolved,
role_model_mimicry, idea_driven, own_reason, away, elsewhere, progress), ``vague_goal.yaml``
(read by ``bot.coach.goal_check`` at /goal set) and ``distress.yaml`` (read by
``bot.coach.reflection.distress`` in a reflection)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.analysis.cuebook import SIGNAL_FILES, Cue, cue_book, tokenize
from bot.analysis.reading import read_text
from bot.coach.goal_check import unmeasurable, vague_capability
from bot.coach.reflection import distress

# How the coach judges a text with each cue of vague_goal.yaml.
VAGUE: dict[str, Callable[[str], bool]] = {
    "vague_capability": vague_capability,
    "vague_number": unmeasurable,
}


def data(signal: str, kind: str) -> list[tuple[str, str]]:
    """(cue key, text) for every example or counter-example of one signal's file."""
    cues = cue_book().signal(signal).cues.values()
    return [(cue.key, text) for cue in cues for text in getattr(cue, kind)]


def fired(signal: str, text: str) -> set[str]:
    return {m.key for m in cue_book().signal(signal).find(tokenize(text))}


def test_both_files_are_loaded_and_checked_with_the_others() -> None:
    assert {"vague_goal", "distress"} <= set(SIGNAL_FILES)
    assert set(cue_book().signal("vague_goal").cues) == set(VAGUE)
    assert len(cue_book().signal("distress").cues) >= 5


@pytest.mark.parametrize(("key", "text"), data("vague_goal", "examples"))
def test_a_vague_goal_example_fires_its_cue_and_is_judged_vague(key: str, text: str) -> None:
    assert key in fired("vague_goal", text)
    assert VAGUE[key](text)


@pytest.mark.parametrize(("key", "text"), data("vague_goal", "counter"))
def test_a_vague_goal_counter_example_is_not_judged_vague(key: str, text: str) -> None:
    assert not VAGUE[key](text)


@pytest.mark.parametrize(("key", "text"), data("distress", "examples"))
def test_a_distress_example_fires_its_cue(key: str, text: str) -> None:
    assert distress(text) == key


@pytest.mark.parametrize(("key", "text"), data("distress", "counter"))
def test_a_distress_counter_example_fires_no_distress_cue(key: str, text: str) -> None:
    assert distress(text) is None, key


# --- the check-in readers ---------------------------------------------------------------------

GOAL = "Transcribe noisy clinic audio reliably; WER on the clinic set"
READERS = (
    "failure",
    "resolved",
    "role_model_mimicry",
    "idea_driven",
    "own_reason",
    "away",
    "elsewhere",
    "progress",
)


def reads(signal: str, cue: Cue, text: str) -> bool:
    """Whether the coach, reading ``text`` as an update, draws what ``cue`` is there for."""
    words = read_text(GOAL, text)
    if signal == "failure":
        return words.failure is not None
    if signal == "resolved":  # a fix after a setback resolves it
        return read_text(GOAL, "The run diverged. " + text).failure is None
    if signal == "role_model_mimicry":
        return words.imitation is not None
    if signal == "idea_driven":
        return (words.trend_mention if cue.strength == "weak" else words.trend) is not None
    if signal == "own_reason":
        return words.own_reason
    if signal == "away":
        return words.away is not None
    if signal == "elsewhere":
        return (words.off_goal if cue.key == "no_goal_work" else words.elsewhere) is not None
    return words.progress


def reader_data(kind: str) -> list[tuple[str, str, str]]:
    return [(signal, key, text) for signal in READERS for key, text in data(signal, kind)]


def test_every_cue_file_is_read() -> None:
    assert set(READERS) | {"vague_goal", "distress"} == set(SIGNAL_FILES)


@pytest.mark.parametrize(("signal", "key", "text"), reader_data("examples"))
def test_a_cue_example_fires_its_cue_and_is_read_so(signal: str, key: str, text: str) -> None:
    assert key in fired(signal, text)
    assert reads(signal, cue_book().signal(signal).cue(key), text)


@pytest.mark.parametrize(("signal", "key", "text"), reader_data("counter"))
def test_a_cue_counter_example_is_not_read_as_its_signal(signal: str, key: str, text: str) -> None:
    assert not reads(signal, cue_book().signal(signal).cue(key), text)
