"""How the coach judges real research updates, typed as a researcher would in the console: the
number and the member's own answers before the words, no accusation of good work, proportion
for a failed run, no goal nudges in a week away, and a nudge marked unhelpful on a jargon
update not repeated on the next similar one."""

from __future__ import annotations

import re

from adapters.console import ConsoleSession
from bot.coach import Coach
from tests.adapters.console.test_transcript import buttons
from tests.conftest import say

LAUNDRY = (
    "/goal set",
    "Robot arm that folds laundry from pixels",
    "fold success rate on 50 towels",
    "1",
    "0.1",
    "0.6",
)
# What a nudge of each kind says (prompts/nudges.yaml), to tell them apart in a reply.
TREND = "Goal-driven research starts from a capability you want"
IMITATION = "Copying role models is risky"
TIE = "Goal-driven research ties each week's work back"
REFLECTION_OFFER = "Failure is allowed here"
SETBACK = "Stuck weeks are part of research"


def nudges_in(out: str) -> list[str]:
    """The "Why I ask" lines of a reply, one per nudge."""
    return re.findall(r"Why I ask: (.*)", out)


async def checkin(
    session: ConsoleSession, did: str, moves: str = "", value: str = "", failed: str = ""
) -> str:
    return await say(session, "/checkin", did, moves, value, "try 20 more towels", failed)


async def test_jargon_with_a_new_best_and_an_answer_is_on_goal(ada: ConsoleSession) -> None:
    await say(ada, *LAUNDRY)

    out = await checkin(
        ada,
        "Collected 200 teleop demos and trained a diffusion policy on them.",
        "It is the policy for the folding arm",
        "0.25",
    )

    assert "fold success rate on 50 towels: 0.25, a new best." in out
    assert nudges_in(out) == []  # no "did this come from a paper or trend?", no tie-to-goal


async def test_a_trendy_paper_applied_to_the_goal_that_moves_the_number_is_goal_driven(
    ada: ConsoleSession,
) -> None:
    await say(ada, *LAUNDRY)
    await checkin(ada, "Set up the towel folding eval on the real arm", "", "0.25")

    out = await checkin(
        ada,
        "Tried the new diffusion policy paper everyone is talking about on our towel folding "
        "task; success 0.25 → 0.4",
        "",
        "0.4",
    )

    assert not any(TREND in n for n in nudges_in(out))
    assert "a new best" in out


async def test_imitation_as_the_reason_and_a_failed_week_are_both_noticed(
    ada: ConsoleSession,
) -> None:
    await say(ada, *LAUNDRY)

    out = await checkin(
        ada, "Like OpenAI, we scaled up domain randomization 10x in sim. Nothing worked this week."
    )

    said = nudges_in(out)
    assert any(IMITATION in n for n in said)
    assert any(SETBACK in n for n in said)
    assert not any(TIE in n for n in said)


async def test_a_run_that_diverged_in_a_good_week_gets_a_light_question(
    ada: ConsoleSession,
) -> None:
    await say(ada, *LAUNDRY)

    out = await checkin(ada, "The first run diverged.", "", "0.3")

    assert "a new best" in out
    assert any(SETBACK in n for n in nudges_in(out))
    assert REFLECTION_OFFER not in out
    assert "Reflect on this" not in buttons(out)


async def test_a_dropped_direction_gets_the_offer_of_a_reflection(ada: ConsoleSession) -> None:
    await say(ada, *LAUNDRY)

    out = await checkin(
        ada, "Gave up on the cloth-simulation route, the sim2real gap is too big.", "", "0.1"
    )

    assert REFLECTION_OFFER in out
    assert "Reflect on this" in buttons(out)


async def test_a_week_off_sick_gets_no_goal_nudge(ada: ConsoleSession) -> None:
    await say(ada, *LAUNDRY)

    out = await checkin(ada, "I was sick most of the week")

    assert nudges_in(out) == []
    assert "Weeks away are part of the work" in out
    assert "simplest next experiment" not in out.lower().split("next:")[0]
    lines = [line.strip() for line in out.splitlines()]
    assert ["", ""] not in [lines[i : i + 2] for i in range(len(lines) - 1)]  # one blank line


async def test_an_unhelpful_nudge_on_a_jargon_update_is_not_repeated_on_a_similar_one(
    coach: Coach, ada: ConsoleSession
) -> None:
    """Ada marks tie-to-goal "did not help" on her jargon update; Grace, on the same goal,
    marks it "helped". On the next similar update Ada is not asked again; Grace is."""
    for member in ("Ada", "Grace"):
        await say(ada, f"/as {member}", *LAUNDRY)
        first = await checkin(ada, "Swept dropout 0.1 vs 0.3 and the label smoothing.")
        assert any(TIE in n for n in nudges_in(first)), first
        choice = "1 did not help" if member == "Ada" else "1 helped"
        await say(ada, str(buttons(first)[choice]))
        # A week whose number moved: no nudge, so "never twice in a row" plays no part.
        between = await checkin(ada, "More towel demos on the real arm", "", "0.2")
        assert nudges_in(between) == []

    await say(ada, "/as Ada")
    again = await checkin(ada, "Swept dropout 0.2 vs 0.5 and the label smoothing again.")
    await say(ada, "/as Grace")
    control = await checkin(ada, "Swept dropout 0.2 vs 0.5 and the label smoothing again.")

    assert not any(TIE in n for n in nudges_in(again))
    assert any(TIE in n for n in nudges_in(control))


async def test_a_conference_week_gets_no_goal_nudge(ada: ConsoleSession) -> None:
    await say(ada, *LAUNDRY)

    out = await checkin(ada, "At CoRL all week, poster on Tuesday, talked to two cloth people.")

    assert nudges_in(out) == []
    assert "Weeks away are part of the work" in out


async def test_an_update_that_says_nothing_is_not_taken_as_on_goal(ada: ConsoleSession) -> None:
    await say(ada, *LAUNDRY)

    out = await checkin(ada, "-")

    assert any(TIE in n for n in nudges_in(out))


async def test_a_week_lost_to_a_blocker_gets_the_light_question_alone(ada: ConsoleSession) -> None:
    await say(ada, *LAUNDRY)

    out = await checkin(
        ada,
        "gripper bricked after a firmware flash, spent the week reflashing and on vendor "
        "support. no runs.",
    )

    assert SETBACK in out
    assert TIE not in out, out  # the blocker is the week: "which part moves the number?" is moot
    assert REFLECTION_OFFER not in out  # a blocked week is no failed project


async def test_a_setback_in_work_for_someone_else_is_still_asked_for_its_tie(
    ada: ConsoleSession,
) -> None:
    await say(ada, *LAUNDRY)

    out = await checkin(ada, "Helped the vision team with their labelling tool; got stuck on auth.")

    assert TIE in out, out
