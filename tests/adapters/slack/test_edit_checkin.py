"""Slack: the "Edit" button on a check-in's private answer opens the check-in modal filled in
with what was sent (the strict fake takes the modal as Slack would), and saving it changes the
check-in in place."""

from __future__ import annotations

from sqlalchemy import select

from bot.coach import Coach
from bot.store.models import CheckIn
from tests.adapters.slack.conftest import SlackHarness, buttons_of, text_of

GOAL = {
    "capability": "Transcribe clinic audio reliably",
    "metric_name": "WER on clinic-50",
    "direction": "down",
    "baseline": "0.31",
    "target": "0.15",
}
SENT = {
    "did": "Swapped in a conformer encoder",
    "moves_goal": "a stronger encoder lowers WER",
    "metric_value": "0.28",
    "next_experiment": "ablate beam size on 20 clips",
}


async def test_the_edit_button_opens_the_checkin_as_sent(slack: SlackHarness, coach: Coach) -> None:
    await slack.command("/goal", "set")
    await slack.submit(await slack.opened_view(1), GOAL)
    await slack.command("/checkin")
    await slack.submit(await slack.opened_view(2), SENT)
    reply = (await slack.fake.wait_for("chat.postEphemeral", 2))[-1].args

    pressed = await slack.press(buttons_of(reply)["Edit"])
    view = await slack.opened_view(3)

    assert pressed.status_code == 200
    assert view["type"] == "modal" and view["title"]["text"] == "Edit check-in"
    assert view["submit"]["text"] == "Save changes"
    initial = {b["block_id"]: b["element"].get("initial_value", "") for b in view["blocks"]}
    assert initial == {**SENT, "failed": ""}

    saved = await slack.submit(view, {**SENT, "metric_value": "0.26"})
    assert saved.status_code == 200 and saved.text == ""
    answer = (await slack.fake.wait_for("chat.postEphemeral", 3))[-1].args
    assert "Your check-in of Mon 2 Nov is updated." in text_of(answer)
    async with coach.db.session() as session:
        (checkin,) = (await session.execute(select(CheckIn))).scalars().all()
    assert checkin.metric_value == 0.26 and checkin.did == SENT["did"]
    assert slack.fake.calls("chat.postMessage") == []  # never published: nothing public


async def test_history_and_search_answer_privately(slack: SlackHarness) -> None:
    await slack.command("/goal", "set")
    await slack.submit(await slack.opened_view(1), GOAL)
    await slack.command("/checkin")
    await slack.submit(await slack.opened_view(2), SENT)
    await slack.command("/log", "Beam size 8 <!channel> helped on the noisy clips")

    await slack.command("/checkin", "history 2")
    await slack.command("/log", "search BEAM noisy")
    history, found = (await slack.responses(3))[-2:]  # the commands' private answers

    assert history["response_type"] == found["response_type"] == "ephemeral"
    assert "Your check-ins of the last 2 weeks" in text_of(history)
    assert "goal 1: Swapped in a conformer encoder · WER on clinic-50 0.28 · private" in text_of(
        history
    )
    assert "Notebook entries with BEAM noisy" in text_of(found)
    assert "Beam size 8 &lt;!channel&gt; helped" in text_of(found)  # escaped for Slack
    assert slack.fake.calls("chat.postMessage") == []  # nothing reached a channel


async def test_checkin_edit_as_a_command_opens_the_modal(slack: SlackHarness) -> None:
    await slack.command("/goal", "set")
    await slack.submit(await slack.opened_view(1), GOAL)
    await slack.command("/checkin")
    await slack.submit(await slack.opened_view(2), SENT)

    answer = await slack.command("/checkin", "edit")
    view = await slack.opened_view(3)

    assert answer.status_code == 200 and answer.text == ""
    assert view["title"]["text"] == "Edit check-in"
    assert slack.fake.calls("views.open")[-1].args["trigger_id"] == slack.triggers[-1]
