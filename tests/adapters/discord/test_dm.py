"""``/reflect`` continues in the member's DM, one question at a time; members who refuse DMs
(error 50007) continue privately in the server, and the refusal is recorded."""

from __future__ import annotations

from bot.coach import Coach
from bot.events import Action, Button, TenantRef, content
from bot.prompts import load_prompts
from tests.adapters.discord.conftest import LAB, LAB_CHANNEL
from tests.adapters.discord.test_commands import check_in, set_goal
from tests.adapters.discord.transcript import Answer, Researcher

STEPS = load_prompts().reflection.steps
ANSWERS = (
    "I expected WER 0.25 and got 0.33",
    "The distilled model forgot rare words",
    "That the teacher's errors were random; a 20-clip check would have shown it",
    "Only this route",
    "The eval harness and a note on rare words",
    "I said 60%; 30% was fair",
    "Specific to distillation",
    "Fine-tune on rare-word clips; 8 of 10",
)


async def member_row_of(coach: Coach, user_id: str) -> object:
    async with coach.db.scope(TenantRef("discord", str(LAB)), coach.clock.now()) as scope:
        return await scope.member(user_id)


async def test_the_whole_reflection_in_dm_then_one_line_published(ada: Researcher) -> None:
    await set_goal(ada)
    await check_in(ada)  # so the team channel is known

    started = await ada.slash("reflect", topic="the distillation project")
    assert "I've sent you a DM" in started.text
    assert started.ephemeral
    (opening,) = started.dms
    assert "(1/8)" in opening and STEPS[0].question in opening
    dm_channel = ada.fake.dm_channel_of(ada.person.id)
    assert started.fake.find("POST", r"/users/@me/channels")

    for number, answer in enumerate(ANSWERS[:-1], start=1):
        reply = await ada.dm(answer)
        (question,) = reply.dms
        assert question.startswith(f"({number + 1}/8)"), question
        assert all(c.path == f"/channels/{dm_channel}/messages" for c in reply.calls)

    closing = await ada.dm(ANSWERS[-1])
    (last,) = closing.dms
    assert "share one line of what you learned" in last  # offered, never assumed
    assert "Publish one line" in closing.labels()
    _, button = closing.component("Publish one line")
    assert button["custom_id"].endswith(f":{LAB}")  # a DM has no guild: the button says it

    offered = await ada.press("Publish one line", on=closing, in_dm=True)
    line = offered.modal["components"][0]["component"]
    assert line["value"] == "The eval harness and a note on rare words"
    published = await ada.submit(offered.modal, in_dm=True)
    (post,) = published.posts
    assert post.path == f"/channels/{LAB_CHANNEL}/messages"
    assert "Ada shares a lesson: The eval harness and a note on rare words" in post.content
    assert "Published one line to the team" in published.text


async def test_stop_and_resume(ada: Researcher) -> None:
    await ada.slash("reflect", topic="grasping")
    await ada.dm(ANSWERS[0])
    stopped = await ada.dm("stop")
    assert "we'll stop here" in stopped.dms[0]

    resumed = await ada.slash("reflect")
    assert "Picking up where we left off" in resumed.dms[0]
    assert "(2/8)" in resumed.dms[0]


async def test_a_dm_without_a_reflection_gets_help(ada: Researcher) -> None:
    answer = await ada.dm("hello?")
    assert "This DM is where your reflections happen" in answer.dms[0]


async def test_dms_reach_the_guild_where_the_reflection_is_open_after_a_restart(
    ada: Researcher,
) -> None:
    await ada.slash("reflect", topic="grasping")
    await ada.bot.restart()  # the in-memory "last guild" is gone; the database knows

    reply = await ada.dm(ANSWERS[0])
    assert reply.dms[0].startswith("(2/8)")


async def test_dm_refused_continues_privately_in_the_server_and_is_recorded(
    ada: Researcher, coach: Coach
) -> None:
    ada.fake.refuse_dms.add(ada.person.id)

    started = await ada.slash("reflect", topic="the distillation project")
    refused = [c for c in started.calls if c.status == 403]
    assert refused and refused[0].response["code"] == 50007
    assert "I can't DM you" in started.text
    assert "I've sent you a DM" not in started.text  # that confirmation was withdrawn
    assert "(1/8)" in started.text  # the question is asked here instead
    assert started.ephemeral
    member = await member_row_of(coach, ada.user_id)
    assert member is not None and member.dm_refused_at == coach.clock.now()  # type: ignore[attr-defined]

    asking = await ada.press("Answer here", on=started)
    assert asking.modal["title"] == "Your answer"
    answered = await ada.submit(asking.modal, answer=ANSWERS[0])
    assert "(2/8)" in answered.text
    assert answered.ephemeral
    assert "I can't DM you" not in answered.text  # said once is enough
    assert "Your DMs are closed" in answered.text
    assert "Answer here" in answered.labels()  # and so on, step by step


async def test_dm_allowed_again_goes_back_to_dm(ada: Researcher) -> None:
    ada.fake.refuse_dms.add(ada.person.id)
    started = await ada.slash("reflect", topic="grasping")
    ada.fake.refuse_dms.clear()  # the member changed their privacy settings

    asking = await ada.press("Answer here", on=started)
    answered = await ada.submit(asking.modal, answer=ANSWERS[0])
    assert answered.dms and answered.dms[0].startswith("(2/8)")


async def test_a_scheduled_dm_button_opens_the_checkin_from_the_dm(ada: Researcher) -> None:
    await set_goal(ada)
    before = len(ada.fake.calls)
    await ada.bot.current.messenger.send_dm(  # as the scheduler does on check-in day
        TenantRef("discord", str(LAB)),
        ada.user_id,
        content("Time for your weekly check-in"),
        (Button("Check in", Action.OPEN_CHECKIN),),
    )
    prompt = Answer(None, ada.fake.calls[before:], ada.fake)

    opened = await ada.press("Check in", on=prompt, in_dm=True)
    assert opened.modal["title"] == "Weekly check-in"
    assert opened.modal["custom_id"].endswith(f":{LAB}")  # the DM's form knows its server

    saved = await ada.submit(opened.modal, in_dm=True, did="Ran the ablation")
    assert "Check-in saved for goal 1" in saved.text
    assert not saved.ephemeral  # in the DM, answers are ordinary messages
