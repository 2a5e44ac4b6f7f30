"""/reflect in Slack: the conversation moves to the bot's DM, one question at a time, from the
member's messages (message.im); a retried event has exactly one effect."""

from __future__ import annotations

from sqlalchemy import select

from bot.coach import Coach
from bot.store.models import Reflection
from tests.adapters.slack.conftest import SlackHarness, text_of


def dm(text: str, ts: str) -> dict[str, object]:
    return {
        "type": "message",
        "channel_type": "im",
        "channel": "DU1",
        "user": "U1",
        "text": text,
        "ts": ts,
    }


async def test_reflection_runs_in_dm_one_question_at_a_time(
    slack: SlackHarness, coach: Coach
) -> None:
    await slack.command("/reflect", "the distillation project")
    (pointer,) = await slack.responses()
    assert "DM" in text_of(pointer) and pointer["response_type"] == "ephemeral"
    (first,) = [c.args for c in await slack.fake.wait_for("chat.postMessage")]
    assert first["channel"] == "DU1"  # the DM channel conversations.open gave
    assert "(1/8)" in text_of(first)

    for number in range(2, 9):
        await slack.event(dm(f"answer {number - 1}", f"{number}.0"), event_id=f"Ev{number}")
        said = text_of((await slack.fake.wait_for("chat.postMessage", number))[-1].args)
        assert f"({number}/8)" in said
    await slack.event(dm("answer 8", "9.0"), event_id="Ev9")
    last = (await slack.fake.wait_for("chat.postMessage", 9))[-1].args
    assert "Publish one line" in str(last["blocks"])
    # Nothing of it went anywhere but the DM, and the conversations.open answer was reused.
    assert {c.args["channel"] for c in slack.fake.calls("chat.postMessage")} == {"DU1"}
    assert len(slack.fake.calls("conversations.open")) == 1
    async with coach.db.session() as session:
        reflection = (await session.execute(select(Reflection))).scalar_one()
    assert reflection.status == "completed" and reflection.answers["expected"] == "answer 1"


async def test_a_retried_event_has_one_effect(slack: SlackHarness, coach: Coach) -> None:
    await slack.command("/reflect")
    await slack.fake.wait_for("chat.postMessage")
    first = await slack.event(dm("I expected 0.2", "2.0"), event_id="EvSame")
    retry = await slack.event(
        dm("I expected 0.2", "2.0"),
        event_id="EvSame",
        headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
    )
    assert first.status_code == retry.status_code == 200
    await slack.event(dm("the teacher was noisy", "3.0"), event_id="EvNext")
    await slack.fake.wait_for("chat.postMessage", 3)
    async with coach.db.session() as session:
        reflection = (await session.execute(select(Reflection))).scalar_one()
    assert reflection.step == 2  # two answers, not three
    assert list(reflection.answers.values()) == ["I expected 0.2", "the teacher was noisy"]


async def test_messages_in_channels_and_from_bots_are_ignored(slack: SlackHarness) -> None:
    await slack.event(
        {
            "type": "message",
            "channel_type": "channel",
            "channel": "C1",
            "user": "U1",
            "text": "hello",
            "ts": "1.0",
        },
        event_id="EvC",
    )
    await slack.event({**dm("bot echo", "2.0"), "bot_id": "B9"}, event_id="EvB")
    await slack.command("/coach")
    await slack.responses()
    assert slack.fake.calls("chat.postMessage") == []
