"""The pre-mortem, as a researcher types it in the console: set a goal, press "Pre-mortem",
say how it could fail; ``/goal premortem 1`` shows it back; abandoning the goal starts the
reflection with it, privately; the export keeps it and forget me deletes it."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

from adapters.console import ConsoleSession
from bot.coach import Coach
from bot.ports import ManualClock
from bot.store.models import Draft, Goal
from tests.adapters.console.test_transcript import GOAL, buttons
from tests.coach.helpers import rows
from tests.conftest import say

FEAR = "the clinic never shares its audio and I spend the quarter on permissions"


async def keep_premortem(ada: ConsoleSession) -> str:
    """Set the goal, press its "Pre-mortem" button and answer; what the coach says then."""
    out = await say(ada, *GOAL)
    assert "Goal 1 set" in out
    out = await say(ada, str(buttons(out)["Pre-mortem"]))
    assert out.startswith("[form] Pre-mortem: goal 1")
    assert (
        "What went wrong? (required; Imagine it is three months from now, and this goal failed"
        in out
    )
    return await say(ada, FEAR)


async def test_the_answer_is_kept_privately_with_the_goal(
    ada: ConsoleSession, coach: Coach
) -> None:
    out = await keep_premortem(ada)

    assert out.startswith("[only you] Kept privately with goal 1.")
    assert "[#team]" not in out and FEAR not in out
    (goal,) = await rows(coach, Goal)
    assert goal.premortem == FEAR
    assert goal.premortem_at is not None


async def test_goal_premortem_shows_it_back(ada: ConsoleSession) -> None:
    await keep_premortem(ada)

    out = await say(ada, "/goal premortem 1")

    assert out.startswith("[only you] Your pre-mortem for goal 1, written 2 November 2026")
    assert FEAR in out and "[#team]" not in out
    out = await say(ada, str(buttons(out)["Change it"]))  # opens the form with it, to change
    assert out.startswith("[form] Pre-mortem: goal 1")
    assert "Enter keeps: the clinic never shares its audio" in out


async def test_goal_premortem_opens_the_form_when_none_is_kept(ada: ConsoleSession) -> None:
    await say(ada, *GOAL)

    out = await say(ada, "/goal premortem 1")

    assert out.startswith("[form] Pre-mortem: goal 1")
    await say(ada, "/cancel")
    out = await say(ada, "/goal premortem")  # the only active goal, when none is named
    assert out.startswith("[form] Pre-mortem: goal 1")
    await say(ada, "/cancel")
    assert "I can't find goal 7" in await say(ada, "/goal premortem 7")
    assert "Usage: /goal" in await say(ada, "/goal premortem seven")


async def test_abandoning_starts_the_reflection_with_it(
    ada: ConsoleSession, clock: ManualClock
) -> None:
    await keep_premortem(ada)
    clock.advance(timedelta(days=90))

    out = await say(ada, "/goal abandon 1")
    out = await say(ada, str(buttons(out)["Yes, abandon goal 1"]))
    out = await say(ada, str(buttons(out)["Reflect on this"]))

    assert "[#team]" not in out
    out = out[out.index("[DM]") :]  # the reflection lives in DM
    recalled = "On 2 November 2026, when you set this goal, you imagined it failing because: "
    assert recalled + FEAR in out
    assert out.count("[DM]") == 1  # one message: the pre-mortem, then the first question
    assert out.index(FEAR) < out.index("(1/8)")
    out = await say(ada, "I expected WER 0.25; permissions took two months")
    assert FEAR not in out and "(2/8)" in out  # shown once, at the start


async def test_a_reflection_on_a_goal_with_no_premortem_starts_as_before(
    ada: ConsoleSession,
) -> None:
    await say(ada, *GOAL)
    out = await say(ada, "/goal abandon 1")
    out = await say(ada, str(buttons(out)["Yes, abandon goal 1"]))
    out = await say(ada, str(buttons(out)["Reflect on this"]))
    assert "imagined it failing" not in out and "(1/8)" in out


async def test_export_has_it_and_forget_me_deletes_it(
    ada: ConsoleSession, coach: Coach, exports: Path
) -> None:
    await keep_premortem(ada)

    out = await say(ada, "/coach export")

    json_file, md_file = (Path(p) for p in re.findall(r"saved to (\S+)", out))
    data = json.loads(json_file.read_text(encoding="utf-8"))
    assert data["goals"][0]["premortem"] == FEAR
    assert f"- Pre-mortem, written Mon 02 Nov 2026: {FEAR}" in md_file.read_text("utf-8")
    out = await say(ada, "/coach forget me")
    await say(ada, str(buttons(out)["Delete everything"]))
    assert await rows(coach, Goal) == []


async def test_an_empty_answer_is_refused_and_a_closed_goal_takes_none(
    ada: ConsoleSession, coach: Coach
) -> None:
    await say(ada, *GOAL)
    out = await say(ada, "/goal premortem 1")
    out = await say(ada, "")
    assert "This one is required" in out  # the console asks again; nothing is kept
    await say(ada, "/cancel")
    await say(ada, "/goal achieved 1")

    out = await say(ada, "/goal premortem 1")

    assert "Goal 1 is achieved: a pre-mortem is for a goal still ahead of you" in out
    (goal,) = await rows(coach, Goal)
    assert goal.premortem is None
    assert not [d for d in await rows(coach, Draft) if d.form_id == "premortem"]
