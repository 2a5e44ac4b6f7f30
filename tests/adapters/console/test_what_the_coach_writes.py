"""What the coach writes, read as a member reads it in the terminal: the home's nudges, the
export, answers to plain DMs, the review draft, the digest and the weekly prompts."""

from __future__ import annotations

import random
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.console import ConsoleSession
from bot.coach import Coach
from bot.ports import ManualClock, Messenger
from bot.prompts import NUDGE_IDS
from bot.schedule.leader import Leadership
from bot.schedule.runner import Scheduler
from tests.conftest import say

GOAL = ("/goal set", "Transcribe clinic audio reliably", "WER on clinic-50", "2", "0.31", "0.15")
OFF_GOAL_WEEK = ("/checkin", "Reviewed two workshop papers and planned the offsite", "", "0.31")


async def test_home_shows_what_the_latest_nudges_said(ada: ConsoleSession) -> None:
    await say(ada, *GOAL)
    answer = await say(ada, *OFF_GOAL_WEEK, "", "")
    asked = re.findall(r"^\s+\d\) (.+)$", answer, re.M)  # the nudges, as the reply worded them
    assert asked

    home = await say(ada, "/home")

    shown = home[home.index("Latest nudges:") :]
    for question in asked:
        assert f"- {question}" in shown
    for nudge_id in NUDGE_IDS:
        assert nudge_id not in home
    # Newest first: the reply's last nudge was given last.
    assert shown.index(asked[-1]) <= shown.index(asked[0])


async def test_checkin_without_a_goal_opens_the_form_at_once_with_the_note(
    ada: ConsoleSession,
) -> None:
    out = await say(ada, "/checkin")

    assert out.startswith("[form] Weekly check-in 1/5: What did you do?")
    assert "[only you]" not in out  # no message held the form back
    assert "No goal yet: I'll save this check-in anyway; /goal set starts one" in out
    out = await say(ada, "Read three papers on clinic ASR", "", "", "", "")
    assert "Check-in saved. Tie next week's work to a goal: /goal set" in out


async def test_a_help_question_in_the_dm_is_answered_from_the_coaching_guide(
    ada: ConsoleSession,
) -> None:
    out = await say(ada, "How do I pick a good metric?")

    assert out.startswith("[DM] Start from the capability you want to exist")
    assert "WER on clinic-50" in out and "baseline" in out and "/goal set" in out
    assert "listening here for reflections" not in out
    out = await say(ada, "what do you mean by a number?")
    assert "how you and I see progress on your goal" in out
    out = await say(ada, "How do I delete my data?")  # a question is answered, not acted on
    assert "/coach forget me deletes everything, after asking you to confirm" in out


async def test_forget_me_in_words_asks_first_and_deletes_only_when_confirmed(
    ada: ConsoleSession,
) -> None:
    await say(ada, *GOAL)

    out = await say(ada, "forget me")

    assert out.startswith("[DM] This deletes everything I keep about you")
    assert "(1) Delete everything  (2) Keep my data" in out
    assert "Nothing was deleted." in await say(ada, "2")
    assert "Transcribe clinic audio reliably" in await say(ada, "/goal list")
    await say(ada, "Please delete my data")
    assert "everything I kept about you is deleted" in await say(ada, "1")
    assert "You have no goal yet" in await say(ada, "/goal list")


async def test_commands_said_in_words_and_anything_else(ada: ConsoleSession) -> None:
    await say(ada, *GOAL)

    out = await say(ada, "check in")
    assert out.startswith("[DM] Weekly check-in: press the button to open the form.")
    out = await say(ada, "1")
    assert out.startswith("[form] Weekly check-in 1/5: What did you do?")
    await say(ada, "/cancel")
    assert "1. Transcribe clinic audio reliably" in await say(ada, "my goals")
    assert "[DM] Noted in your notebook." in await say(ada, "note: the teacher labels are noisy")
    out = await say(ada, "hello there")
    assert out.startswith("[DM] This DM is where your reflections happen")
    assert '"check in"' in out and "how do I pick a good metric?" in out


async def test_the_markdown_export_is_a_document_to_keep(
    ada: ConsoleSession, exports: Path
) -> None:
    await say(ada, *GOAL)
    await say(ada, "/checkin", "Swapped in a conformer encoder", "a stronger encoder", "0.28")
    await say(ada, "ablate beam size on 20 clips", "")
    await say(ada, "/reflect the distillation project", "I expected WER 0.25", "stop")
    await say(ada, "/log teacher labels have 9% noise")
    await say(ada, "/wins add", "Clinic ASR eval harness", "https://example.org/h", "")

    out = await say(ada, "/coach export")

    markdown = Path(re.findall(r"saved to (\S+\.md)", out)[0]).read_text(encoding="utf-8")
    assert markdown.startswith("# Research notes of Ada\n")
    goal = markdown[markdown.index("## Goals") : markdown.index("## Check-ins")]
    assert "### 1. Transcribe clinic audio reliably" in goal
    assert "- The number: WER on clinic-50 (lower is better)" in goal
    assert "- Baseline 0.31 · target 0.15 · best so far 0.28" in goal
    assert "| Mon 02 Nov 2026 | 0.28 |" in goal
    checkins = markdown[markdown.index("## Check-ins") : markdown.index("## Reflections")]
    assert "### Week of 02 November 2026" in checkins
    assert "- Did: Swapped in a conformer encoder" in checkins
    assert "- WER on clinic-50: 0.28" in checkins
    reflections = markdown[markdown.index("## Reflections") : markdown.index("## Notebook")]
    assert "### the distillation project" in reflections and "paused" in reflections
    assert "**When you started, what did you hope to reach" in reflections
    assert "I expected WER 0.25" in reflections
    assert "- Mon 02 Nov 2026: teacher labels have 9% noise" in markdown
    assert "1. [Clinic ASR eval harness](https://example.org/h)" in markdown
    # Not a dump of database rows.
    for row in ("; ref: ", "; id: ", "tenant", "member_id", "alignment"):
        assert row not in markdown


@pytest.fixture
async def ticking(coach: Coach, clock: ManualClock, exports: Path) -> AsyncIterator[ConsoleSession]:
    """Ada's console with the scheduler running, so ``/tick`` plays the weeks out."""
    messengers: dict[str, Messenger] = {}
    leadership = Leadership(coach.db, random.getrandbits(62))  # parallel runs never wait
    running = Scheduler(coach.db, clock, messengers, coach.prompts, leadership=leadership)
    session = ConsoleSession(coach, "lab", "Ada", exports, running, clock)
    messengers["console"] = session.messenger
    try:
        yield session
    finally:
        await running.stop()


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)  # the console's own database
async def test_the_digest_shows_numbers_and_movers_and_an_empty_week_posts_nothing(
    ticking: ConsoleSession,
) -> None:
    ada = ticking
    await say(ada, "/coach team channel", *GOAL)
    await say(ada, "/checkin", "Swapped in a conformer encoder", "", "0.28", "", "")
    assert "digest" in await say(ada, "1")  # Publish to team

    week = await say(ada, "/tick 7d")

    lines = week.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("[#team] Team digest"))
    assert lines[head] == (
        "[#team] Team digest, week of 2 November 2026: what members chose to share."
    )
    assert lines[head + 1].strip() == (
        "• Ada, on Transcribe clinic audio reliably: WER on clinic-50 0.28 "
        "(baseline 0.31, target 0.15), moved from 0.31"
    )
    assert lines[head + 2].strip() == "Moved their number this week: Ada."
    assert "[#team › thread] Ada checked in." in lines[head + 3 :]

    quiet = await say(ada, "/tick 7d")  # nobody published this week
    assert "Team digest" not in quiet and "Replies in the thread" not in quiet


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)  # the console's own database
async def test_weekly_prompts_count_the_week_vary_in_silence_and_pause_after_three(
    ticking: ConsoleSession,
) -> None:
    ada = ticking
    await say(ada, *GOAL)
    await say(ada, "/checkin", "Swapped in a conformer encoder", "", "0.28", "", "")
    await say(ada, "/coach settings", "UTC", "3", "10:00", "", "")  # Monday → Wednesday

    first = await say(ada, "/tick 7d")
    assert "[DM]" not in first  # checked in that week, then moved her day: no prompt

    weeks = await say(ada, "/tick 4w")
    prompts = re.findall(r"^\[DM\] ((?!.*still open).*weekly check-in.*)$", weeks, re.M)
    reminders = re.findall(r"^\[DM\] (.*still open.*)$", weeks, re.M)
    assert len(prompts) == len(set(prompts)) == 3  # three silent weeks, three wordings
    assert len(reminders) == len(set(reminders)) == 3
    assert weeks.count("I'll pause the weekly prompts until you're back") == 1
    assert weeks.rindex("pause the weekly prompts") > weeks.rindex("still open")

    await say(ada, "/goal list")  # any command: back
    back = await say(ada, "/tick 7d")
    assert "[DM] Hi Ada, time for your weekly check-in on Transcribe" in back


async def test_the_review_is_a_condensed_draft_and_all_of_it_can_be_retyped(
    ada: ConsoleSession, exports: Path
) -> None:
    await say(ada, *GOAL)
    await say(ada, "/checkin", "Swapped in a conformer encoder", "", "0.28", "beam size 8", "")
    await say(ada, "/checkin", "Tried distilling into a small model. Is the teacher worth it?")
    await say(ada, "", "0.29", "check the teacher's outputs", "the distillation run tanked")
    await say(ada, "/reflect the distillation project", "I expected WER 0.25", "a noisy teacher")
    await say(ada, "that the teacher beats the student", "only this route", "the eval harness")
    await say(ada, "40%, fair would be 20%", "specific to this setup", "clean the labels, 8")
    await say(ada, "/log teacher labels have 9% noise")
    await say(ada, "/log decided to switch to beam search over greedy")

    out = await say(ada, "/review")

    draft = out[out.index("Review, 19 October – 2 November 2026") :]
    assert "The number\n" in draft
    assert "WER on clinic-50 0.31 → 0.28 → 0.29 (target 0.15), moved the right way" in draft
    decisions = draft[draft.index("Decisions") : draft.index("What I learned")]
    assert "- Dropped or failed: the distillation run tanked" in decisions
    assert "- decided to switch to beam search over greedy" in decisions
    assert "- Next experiment: check the teacher's outputs" in decisions
    learned = draft[draft.index("What I learned") : draft.index("Open questions")]
    assert "the distillation project): that the teacher beats the student" in learned
    assert "- Reusable (the distillation project): the eval harness" in learned
    assert "- teacher labels have 9% noise" in learned
    assert "- Is the teacher worth it?" in draft[draft.index("Open questions") :]
    assert "Swapped in a conformer encoder" not in draft  # condensed, not the raw check-ins

    editing = await say(ada, "2")  # Edit: the whole draft, to keep or to retype
    assert "Enter keeps the text below" in editing
    assert "   | - Reusable (the distillation project): the eval harness" in editing
    for line in ("Review of the clinic fortnight", "", "WER 0.31 → 0.28; the teacher is noisy."):
        assert await say(ada, line) == ""  # more lines to come
    assert "Review kept in your notebook." in await say(ada, ".")
    out = await say(ada, "/coach export")
    markdown = Path(re.findall(r"saved to (\S+\.md)", out)[0]).read_text(encoding="utf-8")
    assert "Review of the clinic fortnight\n\nWER 0.31 → 0.28; the teacher is noisy." in markdown
