"""/checkin and /goal in Slack: a modal opened on the ack path, answered privately, published
on request — and what the member typed is stored before the ack."""

from __future__ import annotations

from sqlalchemy import select

from bot.coach import Coach
from bot.store.models import CheckIn, Member, NotebookEntry
from tests.adapters.slack.conftest import SlackHarness, buttons_of, text_of

GOAL = {
    "capability": "Transcribe clinic audio reliably",
    "metric_name": "WER on clinic-50",
    "direction": "down",
    "baseline": "0.31",
    "target": "0.15",
}


async def set_goal(slack: SlackHarness, count: int = 1) -> None:
    answer = await slack.command("/goal", "set")
    assert answer.status_code == 200
    view = await slack.opened_view(count)
    assert (await slack.submit(view, GOAL)).status_code == 200


async def test_checkin_opens_a_modal_and_answers_privately(slack: SlackHarness) -> None:
    await set_goal(slack)
    answer = await slack.command("/checkin")
    assert answer.status_code == 200 and answer.text == ""  # acked at once, nothing public
    view = await slack.opened_view(2)
    assert view["type"] == "modal" and view["callback_id"] == "rc-form"
    assert [b["block_id"] for b in view["blocks"]] == [
        "did",
        "moves_goal",
        "metric_value",
        "next_experiment",
        "failed",
    ]
    assert len(view["title"]["text"]) <= 24
    opened = slack.fake.calls("views.open")[-1]
    assert opened.args["trigger_id"] == slack.triggers[-1]  # the command's own

    submitted = await slack.submit(
        view,
        {
            "did": "Swapped in a conformer encoder",
            "metric_value": "0.28",
            "failed": "the distillation run tanked, so I dropped that route",
        },
    )
    assert submitted.status_code == 200 and submitted.text == ""  # modal closes
    reply = (await slack.fake.wait_for("chat.postEphemeral", 2))[-1].args
    assert reply["channel"] == "C1" and reply["user"] == "U1"
    said = text_of(reply)
    assert "Check-in saved for goal 1" in said and "a new best" in said
    assert {"Publish to team", "Reflect on this", "1 helped"} <= set(buttons_of(reply))
    assert slack.fake.calls("chat.postMessage") == []  # nothing reached a channel


async def test_form_errors_keep_the_modal_open(slack: SlackHarness, coach: Coach) -> None:
    await set_goal(slack)
    await slack.command("/checkin")
    view = await slack.opened_view(2)
    answer = await slack.submit(view, {"did": "Ran the eval", "metric_value": "ten"})
    assert answer.json()["response_action"] == "errors"
    assert "must be a number" in answer.json()["errors"]["metric_value"]
    async with coach.db.session() as session:
        assert (await session.execute(select(CheckIn))).scalars().all() == []


async def test_text_is_stored_before_the_ack(slack: SlackHarness, coach: Coach) -> None:
    answer = await slack.command("/log", "the 3-gram LM helps on drug names")
    assert answer.status_code == 200
    # The HTTP answer is the ack: the entry must already be in the database.
    async with coach.db.session() as session:
        notes = (await session.execute(select(NotebookEntry.text))).scalars().all()
    assert notes == ["the 3-gram LM helps on drug names"]
    (reply,) = await slack.responses()
    assert reply["response_type"] == "ephemeral"
    assert "Noted in your notebook." in text_of(reply)


async def test_member_time_zone_comes_from_the_profile(slack: SlackHarness, coach: Coach) -> None:
    await slack.command("/coach")
    await slack.responses()
    async with coach.db.session() as session:
        member = (await session.execute(select(Member))).scalar_one()
    assert (member.timezone, member.display_name) == ("Europe/London", "Ada Lovelace")
    slack.fake.set_user("U1", tz="America/New_York")
    await slack.event({"type": "user_change", "user": {"id": "U1"}}, event_id="EvU")
    await slack.command("/log", "after the move")
    await slack.responses(2)
    async with coach.db.session() as session:
        member = (await session.execute(select(Member))).scalar_one()
    assert member.timezone == "America/New_York"


async def test_publish_cannot_ping_anyone(slack: SlackHarness) -> None:
    await set_goal(slack)
    await slack.command("/checkin")
    view = await slack.opened_view(2)
    hostile = "Fixed <!channel> labels <@U999> <!subteam^S1|team> <#C2|general> & <!here> @everyone"
    await slack.submit(view, {"did": hostile})
    reply = (await slack.fake.wait_for("chat.postEphemeral", 2))[-1].args
    await slack.press(buttons_of(reply)["Publish to team"])
    (post,) = [c.args for c in await slack.fake.wait_for("chat.postMessage")]
    assert post["channel"] == "C1"
    posted = text_of(post)
    for markup in ("<!channel>", "<@U999>", "<!subteam^S1|team>", "<#C2|general>", "<!here>"):
        assert markup not in posted
    assert "&lt;!channel&gt;" in posted and "&amp;" in posted
    assert "@everyone" not in posted and "@\u200beveryone" in posted
    assert "Why I ask" not in posted  # nudges stay private


async def test_a_429_is_waited_out_and_delivered_once(slack: SlackHarness) -> None:
    await set_goal(slack)
    await slack.command("/checkin")
    await slack.submit(await slack.opened_view(2), {"did": "Tuned the decoder"})
    reply = (await slack.fake.wait_for("chat.postEphemeral", 2))[-1].args
    slack.fake.fail_next("chat.postMessage", retry_after=1)
    await slack.press(buttons_of(reply)["Publish to team"])
    calls = await slack.fake.wait_for("chat.postMessage", 2)
    assert len(calls) == 2  # one refused with 429, one delivered
    await slack.fake.wait_for("response_url")
    assert len(slack.fake.calls("chat.postMessage")) == 2


async def test_a_checkin_closed_unsent_is_kept_and_reopens_with_what_was_typed(
    slack: SlackHarness, coach: Coach
) -> None:
    await set_goal(slack)
    await slack.command("/checkin")
    view = await slack.opened_view(2)
    assert view["notify_on_close"] is True  # else Slack says nothing when it is closed

    closed = await slack.close(view, {"did": "Half-written: tried SpecAugment on <!here>"})
    assert closed.status_code == 200 and closed.text == ""
    reply = (await slack.fake.wait_for("chat.postEphemeral", 2))[-1].args
    assert reply["channel"] == "C1" and reply["user"] == "U1"  # only the member sees it
    assert "kept as a draft: /checkin reopens the form with them" in text_of(reply)
    assert slack.fake.calls("chat.postMessage") == []
    async with coach.db.session() as session:  # closed is not sent
        assert (await session.execute(select(CheckIn))).scalars().all() == []

    await slack.command("/checkin")
    again = await slack.opened_view(3)
    kept = {b["block_id"]: b["element"].get("initial_value") for b in again["blocks"]}
    assert kept["did"] == "Half-written: tried SpecAugment on <!here>"


async def test_a_form_closed_empty_or_one_that_keeps_no_draft_says_nothing(
    slack: SlackHarness,
) -> None:
    await set_goal(slack)
    await slack.command("/checkin")
    await slack.close(await slack.opened_view(2), {})
    await slack.command("/coach", "settings")
    settings = await slack.opened_view(3)
    assert settings["notify_on_close"] is False  # nothing to keep: Slack need not tell us
    await slack.fake.settle()
    assert len(slack.fake.calls("chat.postEphemeral")) == 1  # the goal's, nothing after
