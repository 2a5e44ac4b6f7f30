"""Where answers go when the obvious place is closed, and how scheduled work reaches Slack."""

from __future__ import annotations

import asyncio

import pytest
from slack_sdk.webhook.async_client import AsyncWebhookClient
from sqlalchemy import select

from adapters.slack import listeners
from bot.coach import Coach
from bot.events import Event, Intent, TenantRef, UserText
from bot.store.models import NotebookEntry
from tests.adapters.slack.conftest import SlackHarness, buttons_of, text_of
from tests.adapters.slack.test_checkin import set_goal
from tests.fakes.slack import slash_command_body


async def test_private_reply_falls_back_to_dm(slack: SlackHarness) -> None:
    await set_goal(slack)
    await slack.command("/checkin", channel="G-private")
    view = await slack.opened_view(2)  # a private channel the bot is not in: Slack says
    await slack.submit(view, {"did": "Ran the eval"})  # channel_not_found to an ephemeral
    (dm,) = [c.args for c in await slack.fake.wait_for("chat.postMessage")]
    assert dm["channel"] == "DU1" and "Check-in saved" in text_of(dm)


async def test_publish_joins_a_public_channel_it_is_not_in(slack: SlackHarness) -> None:
    await set_goal(slack)
    await slack.command("/checkin")
    await slack.submit(await slack.opened_view(2), {"did": "Ran the eval"})
    reply = (await slack.fake.wait_for("chat.postEphemeral", 2))[-1].args
    slack.fake.remove("T1", "C1")  # someone removed the bot from the team channel
    await slack.press(buttons_of(reply)["Publish to team"])
    posts = await slack.fake.wait_for("chat.postMessage", 2)
    assert [(c.args["channel"], c.ok) for c in posts] == [("C1", False), ("C1", True)]
    (joined,) = slack.fake.calls("conversations.join")
    assert joined.args["channel"] == "C1" and slack.fake.is_member("T1", "C1")


async def test_a_refused_post_is_told_to_the_member(slack: SlackHarness) -> None:
    await set_goal(slack)
    await slack.command("/checkin")
    await slack.submit(await slack.opened_view(2), {"did": "Ran the eval"})
    reply = (await slack.fake.wait_for("chat.postEphemeral", 2))[-1].args
    slack.fake.fail_next("chat.postMessage", error="channel_not_found")
    await slack.press(buttons_of(reply)["Publish to team"])
    said = [text_of(r) for r in await slack.responses(1)]
    assert any("couldn't post to the team channel" in s for s in said)
    assert not any("Published to the team." in s for s in said)
    # Nothing was lost: the same button works once the channel lets the bot in.
    await slack.press(buttons_of(reply)["Publish to team"], key="again")
    (_refused, posted) = await slack.fake.wait_for("chat.postMessage", 2)
    assert posted.args["channel"] == "C1"
    answers = [text_of(r) for r in await slack.responses(2)]
    assert "Published to the team." in answers[-1]


async def test_messenger_reaches_dm_and_channel(slack: SlackHarness) -> None:
    messenger = slack.runtime.messenger
    team = TenantRef("slack", "T1")
    await messenger.send_dm(team, "U1", ("Time for your weekly check-in, ", UserText("<!here>")))
    ts = await messenger.post(team, "C1", ("Team digest",), thread_id=None)
    dm, post = [c.args for c in await slack.fake.wait_for("chat.postMessage", 2)]
    assert dm["channel"] == "DU1" and "&lt;!here&gt;" in text_of(dm)
    assert post["channel"] == "C1" and ts


async def test_a_slow_core_still_acks_in_time(
    slack: SlackHarness, coach: Coach, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = coach.handle

    async def slow(event: Event) -> list[Intent]:
        await asyncio.sleep(0.5)
        return await real(event)

    monkeypatch.setattr(listeners, "ACK_BUDGET", 0.05)
    monkeypatch.setattr(coach, "handle", slow)
    answer = await slack.command("/log", "slow but kept")
    assert answer.status_code == 200
    async with coach.db.session() as session:  # acked while the core was still at work
        assert (await session.execute(select(NotebookEntry))).scalars().all() == []
    (reply,) = await slack.responses()  # and the answer follows
    assert "Noted in your notebook." in text_of(reply)
    async with coach.db.session() as session:
        assert (await session.execute(select(NotebookEntry.text))).scalars().all() == [
            "slow but kept"
        ]


async def test_a_used_up_response_url_gets_the_reply_through_the_web_api(
    slack: SlackHarness,
) -> None:
    """Slack takes five posts to a response_url: once it is used up (404), the private reply
    goes as an ephemeral message instead of being lost."""
    url = slack.fake.response_url("spent")
    spender = AsyncWebhookClient(url)
    for n in range(5):
        assert (await spender.send(text=f"earlier reply {n}")).status_code == 200
    body = slash_command_body(
        "/log",
        "the 3-gram LM helps on drug names",
        team_id="T1",
        user_id="U1",
        channel_id="C1",
        response_url=url,
        trigger_id=slack.trigger(),
    )
    assert (await slack.post(body, "application/x-www-form-urlencoded")).status_code == 200
    (reply,) = await slack.fake.wait_for("chat.postEphemeral")
    assert "Noted in your notebook." in text_of(reply.args)
    assert [c.status for c in slack.fake.calls("response_url")] == [200] * 5 + [404]


async def test_a_member_who_left_the_channel_gets_the_answer_in_a_dm(slack: SlackHarness) -> None:
    """The check-in form was opened in a channel the member has left by the time it is sent:
    Slack refuses the ephemeral answer there (user_not_in_channel), so it comes by DM."""
    slack.fake.add_channel("T1", "C5", people=("U2",))
    slack.fake.invite("T1", "C5")
    await set_goal(slack)
    await slack.command("/checkin", channel="C5")
    await slack.submit(await slack.opened_view(2), {"did": "Ran the eval"})
    (dm,) = [c.args for c in await slack.fake.wait_for("chat.postMessage")]
    assert dm["channel"] == "DU1" and "Check-in saved" in text_of(dm)
    refused = [c for c in slack.fake.calls("chat.postEphemeral") if c.args["channel"] == "C5"]
    assert [c.ok for c in refused] == [False]
