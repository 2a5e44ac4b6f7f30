"""Plain lines in the DM: every example in prompts/dm.yaml is read as its own entry, and the
answers are the coach's own text."""

from __future__ import annotations

import pytest

from bot.coach.dm import Meaning, reading, understand

GUIDE = reading().guide


@pytest.mark.parametrize(
    ("command", "example"),
    [(c.command, e) for c in GUIDE.commands for e in c.examples],
)
def test_every_command_example_is_read_as_its_command(command: str, example: str) -> None:
    assert understand(example) == Meaning("command", command)


@pytest.mark.parametrize(
    ("topic", "example"),
    [(t.id, e) for t in GUIDE.topics for e in t.examples],
)
def test_every_topic_example_is_read_as_its_topic(topic: str, example: str) -> None:
    assert understand(example) == Meaning("topic", topic)


@pytest.mark.parametrize(
    "line",
    [
        "hello there",
        "I expected WER 0.25",
        "the loader is fixed now",
        "thanks!",
        "",
        "   ",
    ],
)
def test_other_lines_are_none_of_them(line: str) -> None:
    assert understand(line) is None


def test_a_question_about_deleting_is_answered_not_acted_on() -> None:
    assert understand("How do I delete my data?") == Meaning("topic", "your-data")
    assert understand("delete my data") == Meaning("command", "coach forget me")


def test_slash_commands_and_notes_typed_in_the_dm() -> None:
    assert understand("/goal list") == Meaning("command", "goal list")
    assert understand("note: the teacher is noisy") == Meaning(
        "command", "log the teacher is noisy"
    )
    assert understand("Log: 9% label noise") == Meaning("command", "log 9% label noise")


def test_every_answer_names_a_command_or_a_source() -> None:
    for topic in GUIDE.topics:
        assert "/" in topic.answer or '"' in topic.answer, topic.id
        assert len(topic.answer) <= 1500, topic.id  # one DM, comfortably
