"""What the coach writes, read as a member reads it in the terminal: the home's nudges, the
export, answers to plain DMs, the review draft, the digest and the weekly prompts."""

from __future__ import annotations

from adapters.console import ConsoleSession
from tests.conftest import say

GOAL = ("/goal set", "Transcribe clinic audio reliably", "WER on clinic-50", "2", "0.31", "0.15")
OFF_GOAL_WEEK = ("/checkin", "Reviewed two workshop papers and planned the offsite", "", "0.31")


async def test_home_shows_what_the_latest_nudges_said(ada: ConsoleSession) -> None:
    await say(ada, *GOAL)
    answer = await say(ada, *OFF_GOAL_WEEK, "", "")
    assert "Which part of this moves WER on clinic-50, even a little?" in answer

    home = await say(ada, "/home")

    assert "Latest nudges:" in home
    assert "- Which part of this moves WER on clinic-50, even a little?" in home
    assert "- What is the simplest experiment, a day or less" in home
    assert "tie-to-goal" not in home and "next-experiment" not in home
    # Newest first: the week's second question was given last.
    assert home.index("What is the simplest") < home.index("Which part of this moves")


async def test_checkin_without_a_goal_opens_the_form_at_once_with_the_note(
    ada: ConsoleSession,
) -> None:
    out = await say(ada, "/checkin")

    assert out.startswith("[form] Weekly check-in 1/5: What did you do?")
    assert "[only you]" not in out  # no message held the form back
    assert "No goal yet: I'll save this check-in anyway. /goal set starts one" in out
    out = await say(ada, "Read three papers on clinic ASR", "", "", "", "")
    assert "Check-in saved. Tie next week's work to a goal: /goal set" in out
