"""What the coach writes, as Slack shows it: the home's nudges, answers to plain DMs, the
review draft in a modal, the weekly prompts."""

from __future__ import annotations

import json
import random
import re
from datetime import timedelta

from sqlalchemy import select

from bot.coach import Coach
from bot.ports import ManualClock
from bot.prompts import NUDGE_IDS
from bot.schedule.leader import Leadership
from bot.schedule.runner import Scheduler
from bot.store.models import NotebookEntry
from tests.adapters.slack.conftest import SlackHarness, buttons_of, text_of
from tests.adapters.slack.test_checkin import set_goal
from tests.conftest import START


async def test_home_shows_what_the_latest_nudges_said(slack: SlackHarness) -> None:
    await set_goal(slack)
    await slack.command("/checkin")
    view = await slack.opened_view(2)
    await slack.submit(view, {"did": "Reviewed two workshop papers and planned the offsite"})
    reply = (await slack.fake.wait_for("chat.postEphemeral", 2))[-1].args
    asked = re.findall(r"^\d\) (.+)$", text_of(reply), re.M)
    assert asked

    await slack.event({"type": "app_home_opened", "user": "U1", "tab": "home"}, event_id="EvH")

    (published,) = [c.args for c in await slack.fake.wait_for("views.publish")]
    shown = json.dumps(published["view"], ensure_ascii=False)
    assert "Latest nudges" in shown
    for question in asked:
        assert f"• {question}" in shown
    for nudge_id in NUDGE_IDS:
        assert nudge_id not in shown


async def test_checkin_without_a_goal_opens_the_modal_with_the_note(slack: SlackHarness) -> None:
    answer = await slack.command("/checkin")

    assert answer.status_code == 200 and answer.text == ""
    view = await slack.opened_view()
    did = view["blocks"][0]
    assert did["block_id"] == "did"
    assert "No goal yet: I'll save this check-in anyway" in did["hint"]["text"]
    await slack.submit(view, {"did": "Read three papers on clinic ASR"})
    reply = (await slack.fake.wait_for("chat.postEphemeral"))[-1].args
    assert "Check-in saved. Tie next week's work to a goal: /goal set" in text_of(reply)
    assert slack.fake.calls("response_url") == []  # nothing was said beside the form


def dm(text: str, ts: str) -> dict[str, object]:
    return {
        "type": "message",
        "channel_type": "im",
        "channel": "DU1",
        "user": "U1",
        "text": text,
        "ts": ts,
    }


async def test_dm_lines_get_answers_and_forget_me_asks_first(
    slack: SlackHarness, coach: Coach
) -> None:
    await slack.event(dm("How do I pick a good metric?", "1.0"), event_id="EvQ")
    (answer,) = [c.args for c in await slack.fake.wait_for("chat.postMessage")]
    assert answer["channel"] == "DU1"
    assert "Start from the capability you want to exist" in text_of(answer)

    await slack.command("/log", "an entry to keep")
    await slack.event(dm("forget me", "2.0"), event_id="EvF")
    asked = (await slack.fake.wait_for("chat.postMessage", 2))[-1].args
    assert asked["channel"] == "DU1"
    assert "This deletes everything I keep about you" in text_of(asked)
    assert {"Delete everything", "Keep my data"} <= set(buttons_of(asked))
    async with coach.db.session() as session:  # nothing is deleted before the confirmation
        assert (await session.execute(select(NotebookEntry))).scalars().all() != []

    await slack.event(dm("check in", "3.0"), event_id="EvC")
    offered = (await slack.fake.wait_for("chat.postMessage", 3))[-1].args
    await slack.press(buttons_of(offered)["Weekly check-in"], channel="DU1")
    view = await slack.opened_view()
    assert view["blocks"][0]["block_id"] == "did"


async def test_silent_weeks_reach_slack_in_new_words_then_one_pause_note(
    slack: SlackHarness, coach: Coach, clock: ManualClock
) -> None:
    await slack.command("/coach", "help")  # Ada's first contact: her Monday 10:00 prompts begin
    await slack.responses()
    running = Scheduler(
        coach.db,
        clock,
        {"slack": slack.runtime.messenger},
        coach.prompts,
        leadership=Leadership(coach.db, random.getrandbits(62)),
    )
    try:
        for week in range(4):  # each Monday 10:00 (a prompt) and Tuesday 10:00 (a reminder)
            for at in (timedelta(weeks=week, hours=1), timedelta(weeks=week, days=1, hours=1)):
                clock.advance(START + at - clock.now())
                await running.run_once()
    finally:
        await running.stop()

    said = [text_of(c.args) for c in slack.fake.calls("chat.postMessage")]
    prompts = [t for t in said if "weekly check-in" in t and "still open" not in t]
    reminders = [t for t in said if "still open" in t]
    assert len(prompts) == len(set(prompts)) == 3
    assert len(reminders) == len(set(reminders)) == 3
    (pause,) = [t for t in said if "pause the weekly prompts" in t]
    assert said[-1] == pause  # the fourth Monday: one note, and no reminder after it


async def test_editing_the_review_prefills_the_modal_with_the_whole_draft(
    slack: SlackHarness, coach: Coach
) -> None:
    await slack.command("/log", "teacher labels have 9% noise")
    await slack.command("/log", "why does the 3-gram LM help on drug names?")
    await slack.command("/review")
    (*_, offered) = await slack.responses(3)
    draft = text_of(offered)
    assert "What I learned" in draft and "Open questions" in draft

    await slack.press(buttons_of(offered)["Edit"])

    view = await slack.opened_view()
    (field,) = view["blocks"]
    assert field["element"]["multiline"] is True
    initial = field["element"]["initial_value"]
    assert initial.startswith("Review, ") and "\nOpen questions\n" in initial
    assert "- why does the 3-gram LM help on drug names?" in initial
    await slack.submit(view, {"text": "My review\n\nThe LM helps on rare words."})
    async with coach.db.session() as session:
        kept = (
            await session.execute(select(NotebookEntry.text).where(NotebookEntry.kind == "review"))
        ).scalar_one()
    assert kept == "My review\n\nThe LM helps on rare words."
