"""``/reflect`` through the Coach: private, in DM, one question at a time, stoppable."""

from __future__ import annotations

import asyncio
import doctest

import pytest

from bot.coach import Coach
from bot.coach import reflection as reflection_module
from bot.coach.reflection import distress
from bot.events import (
    Action,
    ChannelPost,
    DirectMessage,
    FormRejected,
    FormSubmitted,
    Intent,
    MessageReceived,
    OpenForm,
    Reply,
    UserText,
)
from bot.ports import ManualClock
from bot.prompts import load_prompts, placeholders
from bot.store import Database
from bot.store.models import CheckIn, Draft, Goal, Reflection
from tests.coach.helpers import (
    CAPABILITY,
    DM,
    abandon,
    button_value,
    check_in,
    command,
    dm,
    member,
    only,
    press,
    press_offer,
    rows,
    set_goal,
    text,
)

STEPS = load_prompts().reflection.steps
ANSWERS = [f"answer {n}: {step.key}" for n, step in enumerate(STEPS, start=1)]


def question(number: int) -> str:
    return f"({number}/8) {STEPS[number - 1].question}"


def private(intents: list[Intent]) -> DirectMessage:
    """The one DM of a reflection turn; nothing of it is ever posted to a channel."""
    assert not any(isinstance(i, ChannelPost) for i in intents)
    return only(intents, DirectMessage)


async def reflection(coach: Coach) -> Reflection:
    (row,) = await rows(coach, Reflection)
    return row


# --- care: self-doubt or distress is acknowledged before the next question ---------------------

DISTRESS = [
    "Maybe I am just not cut out for research.",
    "I want to quit",
    "I'm a fraud",
    "I'm useless at this",
    "everyone else is smarter than me",
    "I should give up research",
    "I can't do this anymore",
    "imposter",
    "I don't think I'm cut out for this",
]
ORDINARY = [
    "I want to quit this approach and try distillation",
    "the model is useless on long inputs",
    "I gave up on the tokenizer route",
    "I never felt like quitting",
    "The run was a failure but I learned a lot",
    *ANSWERS,
]


@pytest.mark.parametrize("answer", DISTRESS)
def test_distress_is_read_in_an_answer(answer: str) -> None:
    assert distress(answer) is not None


@pytest.mark.parametrize("answer", ORDINARY)
def test_ordinary_answers_are_not_read_as_distress(answer: str) -> None:
    assert distress(answer) is None


def test_a_negation_sets_distress_aside_unless_it_is_part_of_it() -> None:
    assert distress("I never felt like quitting") is None
    assert distress("I don't want to quit") is None
    assert distress("I want to quit, but not research") == "quit"  # its own clause
    assert distress("I don't think I'm cut out for this") == "not_cut_out"
    assert distress("I'm afraid I'm a fraud") == "fraud"  # a hedge is not a negation


def test_the_documented_distress_examples_hold() -> None:
    result = doctest.testmod(reflection_module)
    assert result.attempted >= 3
    assert result.failed == 0


def test_the_care_is_brief_warm_and_no_therapy() -> None:
    care = load_prompts().reflection
    assert "best few works" in care.care and "upside" in care.care
    assert care.care.count(".") <= 2 and care.care_brief.count(".") == 1
    assert care.care_brief in care.care  # the brief form is the same voice
    for said in (care.care, care.care_brief):
        lowered = said.lower()
        for word in ("therap", "hotline", "diagnos", "depress", "counsel", "why did you fail"):
            assert word not in lowered, word
        assert not placeholders(said)


async def test_self_doubt_is_acknowledged_then_the_next_question_comes(coach: Coach) -> None:
    ada = member()
    await command(coach, ada, "reflect")
    for answer in ANSWERS[:6]:
        await dm(coach, ada, answer)

    said = text(private(await dm(coach, ada, "Maybe I am just not cut out for research.")))

    care = load_prompts().reflection.care
    assert said == f"{care}\n\n{question(8)}"
    row = await reflection(coach)
    assert (row.status, row.step) == ("open", 7)
    assert row.answers["scope"] == "Maybe I am just not cut out for research."


@pytest.mark.parametrize("answer", DISTRESS)
async def test_each_kind_of_distress_is_acknowledged_and_the_step_advances(
    coach: Coach, answer: str
) -> None:
    ada = member()
    await command(coach, ada, "reflect")

    said = text(private(await dm(coach, ada, answer)))

    assert said == f"{load_prompts().reflection.care}\n\n{question(2)}"
    assert (await reflection(coach)).step == 1


@pytest.mark.parametrize("answer", ORDINARY[:5])
async def test_ordinary_answers_get_only_the_next_question(coach: Coach, answer: str) -> None:
    ada = member()
    await command(coach, ada, "reflect")

    assert text(private(await dm(coach, ada, answer))) == question(2)


async def test_said_again_the_acknowledgement_is_the_brief_one(coach: Coach) -> None:
    ada = member()
    await command(coach, ada, "reflect")
    await dm(coach, ada, "I'm a fraud")
    await dm(coach, ada, ANSWERS[1])

    said = text(private(await dm(coach, ada, "I want to quit")))

    assert said == f"{load_prompts().reflection.care_brief}\n\n{question(4)}"


async def test_on_the_last_step_the_acknowledgement_comes_before_the_close(
    coach: Coach,
) -> None:
    ada = member()
    await command(coach, ada, "reflect")
    for answer in ANSWERS[:7]:
        await dm(coach, ada, answer)

    last = private(await dm(coach, ada, "I can't do this anymore"))

    prompts = load_prompts().reflection
    assert text(last) == f"{prompts.care_brief}\n\n{prompts.close}\n\n{prompts.publish_offer}"
    assert [b.label for b in last.buttons] == ["Publish one line"]
    assert (await reflection(coach)).status == "completed"


# --- the flow ----------------------------------------------------------------------------------


async def test_reflect_in_a_channel_points_to_the_dm(coach: Coach) -> None:
    intents = await command(coach, member(), "reflect", "the distillation project")

    pointer = only(intents, Reply)
    assert text(pointer) == "I've sent you a DM: reflections stay private."
    message = private(intents)
    assert message.user_id == "U1"
    assert text(message).startswith(load_prompts().reflection.intro)
    assert text(message).endswith(question(1))
    row = await reflection(coach)
    assert (row.topic, row.status, row.step, row.answers) == (
        "the distillation project",
        "open",
        0,
        {},
    )


async def test_reflect_started_in_the_dm_needs_no_pointer(coach: Coach) -> None:
    intents = await command(coach, member(), "reflect", place=DM)

    assert [type(i) for i in intents] == [DirectMessage]


async def test_all_eight_questions_come_one_at_a_time_in_order(coach: Coach) -> None:
    ada = member()
    await command(coach, ada, "reflect")

    said = [text(private(await dm(coach, ada, answer))) for answer in ANSWERS]

    assert said[:7] == [question(n) for n in range(2, 9)]
    row = await reflection(coach)
    assert row.status == "completed" and row.step == 8
    assert list(row.answers) == [step.key for step in STEPS]
    assert list(row.answers.values()) == ANSWERS


async def test_completion_reframes_and_offers_to_publish_one_line(coach: Coach) -> None:
    ada = member()
    await command(coach, ada, "reflect")
    for answer in ANSWERS[:7]:
        await dm(coach, ada, answer)

    last = private(await dm(coach, ada, ANSWERS[7]))

    prompts = load_prompts().reflection
    assert text(last) == f"{prompts.close}\n\n{prompts.publish_offer}"
    assert [b.label for b in last.buttons] == ["Publish one line"]
    assert button_value(last, Action.PUBLISH_LEARNING) == str((await reflection(coach)).id)


async def test_stop_midway_keeps_the_answers_and_reflect_resumes(coach: Coach) -> None:
    ada = member()
    await command(coach, ada, "reflect")
    for answer in ANSWERS[:3]:
        await dm(coach, ada, answer)

    stopped = private(await dm(coach, ada, "stop"))

    assert text(stopped) == load_prompts().reflection.stopped
    row = await reflection(coach)
    assert (row.status, row.step) == ("stopped", 3)
    assert list(row.answers.values()) == ANSWERS[:3]
    # While stopped, a DM is not taken as an answer.
    aside = private(await dm(coach, ada, "by the way"))
    assert "/reflect starts or resumes a reflection" in text(aside)
    assert (await reflection(coach)).answers == row.answers

    resumed = await command(coach, ada, "reflect")

    assert text(only(resumed, Reply)) == "I've sent you a DM: reflections stay private."
    assert text(private(resumed)) == f"Picking up where we left off.\n\n{question(4)}"
    assert (await reflection(coach)).status == "open"
    assert text(private(await dm(coach, ada, ANSWERS[3]))) == question(5)
    assert list((await reflection(coach)).answers.values()) == ANSWERS[:4]


async def test_reflect_stop_command_stops_and_nothing_open_is_said(coach: Coach) -> None:
    ada = member()
    assert "no reflection in progress" in text(
        only(await command(coach, ada, "reflect", "stop"), Reply)
    )
    await command(coach, ada, "reflect")
    await dm(coach, ada, ANSWERS[0])

    private(await command(coach, ada, "reflect", "stop"))

    row = await reflection(coach)
    assert (row.status, row.step) == ("stopped", 1)


async def test_a_too_long_answer_is_refused_with_the_limit_and_kept_as_a_draft(
    coach: Coach,
) -> None:
    ada = member()
    await command(coach, ada, "reflect")
    long_answer = "x" * 3001

    refused = private(await dm(coach, ada, long_answer))

    assert "3001 characters; the limit is 3000" in text(refused)
    row = await reflection(coach)
    assert (row.step, row.answers) == (0, {})
    (draft,) = await rows(coach, Draft)
    assert (draft.form_id, draft.values) == ("reflection", {"answer": long_answer})

    assert text(private(await dm(coach, ada, ANSWERS[0]))) == question(2)
    assert await rows(coach, Draft) == []


async def test_started_from_the_abandon_button(coach: Coach) -> None:
    ada = member()
    await set_goal(coach, ada)
    abandoned = await abandon(coach, ada, 1)

    intents = await press_offer(coach, ada, abandoned, Action.START_REFLECTION)

    assert text(private(intents)).endswith(question(1))
    (goal,) = await rows(coach, Goal)
    row = await reflection(coach)
    assert (row.goal_id, row.topic, row.status) == (goal.id, CAPABILITY, "open")


async def test_started_from_a_failed_checkins_button(coach: Coach) -> None:
    ada = member()
    await set_goal(coach, ada)
    failed = "The distillation run diverged, so we dropped the approach"
    reply = only(await check_in(coach, ada, failed=failed), Reply)

    intents = await press_offer(coach, ada, reply, Action.START_REFLECTION)

    assert text(private(intents)).endswith(question(1))
    (checkin,) = await rows(coach, CheckIn)
    row = await reflection(coach)
    assert (row.goal_id, row.topic) == (checkin.goal_id, failed)
    assert row.goal_id is not None


async def test_another_members_goal_button_does_not_tie_the_reflection(coach: Coach) -> None:
    ada, grace = member(), member("U2", "Grace")
    await set_goal(coach, ada)
    abandoned = await abandon(coach, ada, 1)

    await press_offer(coach, grace, abandoned, Action.START_REFLECTION)

    row = await reflection(coach)
    assert (row.goal_id, row.topic) == (None, "")


async def test_publishing_the_line_posts_only_that_line(coach: Coach) -> None:
    ada = member()
    reply = only(await check_in(coach, ada, failed="The run diverged and we dropped it"), Reply)
    await press_offer(coach, ada, reply, Action.START_REFLECTION)
    for answer in ANSWERS[:7]:
        await dm(coach, ada, answer)
    last = private(await dm(coach, ada, ANSWERS[7]))

    opened = await press(coach, ada, Action.PUBLISH_LEARNING, last.buttons[0].value, place=DM)
    form = only(opened, OpenForm).form
    assert form.fields[0].initial == ANSWERS[4]  # the "what is reusable" answer, to edit
    line = "Check the loss scale before a long distillation run"
    intents = await coach.handle(
        FormSubmitted(ada, DM, "learning", {"line": line}, context=form.context)
    )

    post = only(intents, ChannelPost)
    assert post.channel_id == "C1"
    assert text(post) == f"Ada shares a lesson: {line}"
    assert UserText(line) in post.body
    for answer in ANSWERS:
        assert answer not in text(post)
    assert "rest of your reflection stays private" in "".join(
        p if isinstance(p, str) else p.text for p in post.confirm
    )  # said once the post is made


async def test_an_empty_line_is_not_published(coach: Coach) -> None:
    ada = member()
    await command(coach, ada, "reflect")
    for answer in ANSWERS:
        await dm(coach, ada, answer)
    row = await reflection(coach)

    intents = await coach.handle(FormSubmitted(ada, DM, "learning", {"line": " "}, str(row.id)))

    assert not any(isinstance(i, ChannelPost) for i in intents)
    assert "line" in only(intents, FormRejected).errors


async def test_a_retried_delivery_of_an_answer_is_taken_once(coach: Coach) -> None:
    ada = member()
    await command(coach, ada, "reflect")
    answer = MessageReceived(ada, DM, ANSWERS[0], delivery_id="Ev42")

    first = await coach.handle(answer)
    retried = await coach.handle(answer)

    assert text(private(first)) == question(2)
    assert retried == []
    row = await reflection(coach)
    assert (row.step, list(row.answers.values())) == (1, ANSWERS[:1])


async def test_a_turn_waits_for_the_same_members_turn_on_another_replica(
    coach: Coach, db: Database, clock: ManualClock
) -> None:
    """Scaled out, two quick DM answers can reach two replicas, each with its own in-process
    lock: the database makes the second turn wait until the first has committed, and only for
    that member."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("replicas share PostgreSQL; a SQLite file serves one process")
    ada, bob = member(), member("U2", "Bob")
    await command(coach, ada, "reflect")
    replica = Coach(db, clock)
    async with db.scope(ada.tenant, clock.now()) as other:
        await other.take_turn(ada.user_id)  # another replica, in the middle of Ada's turn
        waiting = asyncio.ensure_future(
            replica.handle(MessageReceived(ada, DM, ANSWERS[0], delivery_id="Ev1"))
        )
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(asyncio.shield(waiting), 0.5)
        assert (await reflection(coach)).step == 0
        # Bob's turn does not wait for Ada's.
        await asyncio.wait_for(command(replica, bob, "help"), 5)
    await asyncio.wait_for(waiting, 5)
    row = await reflection(coach)
    assert (row.step, list(row.answers.values())) == (1, ANSWERS[:1])


async def test_answers_and_a_retry_arriving_together_take_effect_once_each(coach: Coach) -> None:
    """Slack and Discord deliver quick DM messages, and retries of them, as events handled
    concurrently: a member's turns take one at a time, so a retry is seen as one and neither
    answer is saved over the other."""
    ada = member()
    await command(coach, ada, "reflect")
    first = MessageReceived(ada, DM, ANSWERS[0], delivery_id="Ev1")
    second = MessageReceived(ada, DM, ANSWERS[1], delivery_id="Ev2")
    results = await asyncio.gather(*(coach.handle(e) for e in (first, first, second)))
    assert sorted(len(r) for r in results) == [0, 1, 1]  # the retry answered nothing
    row = await reflection(coach)
    assert row.step == 2
    assert sorted(row.answers.values()) == sorted(ANSWERS[:2])
