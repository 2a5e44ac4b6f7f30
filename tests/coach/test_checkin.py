"""``/checkin`` through the Coach: the form, the private reply and its nudges, publishing."""

from __future__ import annotations

import string

from bot.analysis import analyze
from bot.coach import Coach
from bot.coach.nudges import CheckInFacts, candidates
from bot.events import (
    Action,
    ChannelPost,
    FormRejected,
    OpenForm,
    Reply,
    UserText,
    plain,
)
from bot.prompts import load_prompts
from bot.store.models import CheckIn, Draft, MetricPoint, NudgeRecord
from tests.coach.helpers import (
    CAPABILITY,
    NEXT,
    OFF_GOAL_DID,
    ON_GOAL_DID,
    ON_GOAL_MOVES,
    abandon,
    button_value,
    check_in,
    command,
    member,
    nudge_ids,
    only,
    press,
    rows,
    set_goal,
    text,
)

FAILED = "The distillation run diverged, so we dropped the approach"


def longest_literal(template: str) -> str:
    """The longest stretch of a nudge wording that is not a placeholder."""
    return max((literal for literal, *_ in string.Formatter().parse(template)), key=len)


async def reply_to_checkin(coach: Coach, **fields: str) -> Reply:
    return only(await check_in(coach, member(), **fields), Reply)


# --- the form ----------------------------------------------------------------------------------


async def test_with_several_goals_the_goal_is_asked_first(coach: Coach) -> None:
    ada = member()
    await set_goal(coach, ada)

    form = only(await command(coach, ada, "checkin"), OpenForm).form
    assert [f.name for f in form.fields][:1] == ["did"]
    assert form.context == "1"
    assert "clinic WER now" in [f.label for f in form.fields]

    await set_goal(coach, ada, capability="Summarise radiology reports", metric="ROUGE-L")
    asked = only(await command(coach, ada, "checkin"), Reply)
    assert text(asked).startswith("Which goal is this check-in for?")
    assert [(b.label, b.action, b.value) for b in asked.buttons] == [
        (CAPABILITY, Action.OPEN_CHECKIN, "1"),
        ("Summarise radiology reports", Action.OPEN_CHECKIN, "2"),
    ]
    form = only(await press(coach, ada, Action.OPEN_CHECKIN, "2"), OpenForm).form
    assert form.context == "2" and "goal" not in [f.name for f in form.fields]
    assert "ROUGE-L now" in [f.label for f in form.fields]  # the goal's own number

    await abandon(coach, ada, 2)
    form = only(await command(coach, ada, "checkin"), OpenForm).form
    assert "goal" not in [f.name for f in form.fields]


async def test_with_several_goals_the_picked_goal_gets_the_checkin(coach: Coach) -> None:
    ada = member()
    await set_goal(coach, ada)
    await set_goal(coach, ada, capability="Summarise radiology reports", metric="ROUGE-L")

    unpicked = only(await check_in(coach, ada), FormRejected)  # a check-in naming no goal
    picked = only(await check_in(coach, ada, context="2", metric_value="0.4"), Reply)

    assert unpicked.errors == {"goal": '"Goal" is needed.'}
    assert [c.label for c in unpicked.form.fields[0].choices] == [
        CAPABILITY,
        "Summarise radiology reports",
    ]
    assert "Check-in saved for goal 2: Summarise radiology reports" in text(picked)
    assert "ROUGE-L: 0.4, a new best." in text(picked)
    (checkin,) = await rows(coach, CheckIn)
    (point,) = await rows(coach, MetricPoint)
    assert checkin.goal_id == point.goal_id and point.value == 0.4


async def test_the_form_is_prefilled_from_a_saved_draft(coach: Coach) -> None:
    ada = member()
    await set_goal(coach, ada)
    await check_in(coach, ada, did="Cleaned the noisy clips", metric_value="about 0.3")

    form = only(await command(coach, ada, "checkin"), OpenForm).form

    initial = {f.name: f.initial for f in form.fields}
    assert initial["did"] == "Cleaned the noisy clips"
    assert initial["metric_value"] == "about 0.3"
    assert initial["next_experiment"] == NEXT


async def test_checkin_for_a_goal_number_that_is_not_active_is_refused(coach: Coach) -> None:
    ada = member()
    await set_goal(coach, ada)

    unknown = only(await command(coach, ada, "checkin", "7"), Reply)
    malformed = only(await command(coach, ada, "checkin", "x"), Reply)

    assert "can't find goal 7" in text(unknown)
    assert "Usage: /checkin [goal number]" in text(malformed)


# --- the private reply and its nudges ------------------------------------------------------------


async def test_a_reply_has_at_most_two_nudges(coach: Coach) -> None:
    await set_goal(coach, member())
    did = "Saw a new paper on speech and I can do it better, like Karpathy does"
    called_for = candidates(
        analyze(CAPABILITY, did, moves_goal="", failed=FAILED),
        CheckInFacts(next_experiment_empty=True),
    )
    assert len(called_for) >= 4  # the update calls for many; the reply keeps two

    reply = await reply_to_checkin(coach, did=did, moves_goal="", next_experiment="", failed=FAILED)

    assert await nudge_ids(coach, reply) == ["best-works", "role-models"]
    assert text(reply).count("Why I ask:") == 2
    assert len(await rows(coach, NudgeRecord, NudgeRecord.checkin_id.is_not(None))) == 2


async def test_an_update_that_shows_no_tie_to_the_goal_gives_tie_to_goal(coach: Coach) -> None:
    await set_goal(coach, member())

    reply = await reply_to_checkin(coach, did=OFF_GOAL_DID, moves_goal="")

    assert await nudge_ids(coach, reply) == ["tie-to-goal"]
    assert "Which part of this moves clinic WER, even a little?" in text(reply)
    (checkin,) = await rows(coach, CheckIn)
    (record,) = await rows(coach, NudgeRecord, NudgeRecord.checkin_id == checkin.id)
    assert record.nudge_id == "tie-to-goal"
    assert "low goal alignment" in record.trigger
    assert checkin.alignment is not None and checkin.alignment < 0.5


async def test_an_empty_answer_is_fine_when_the_words_or_the_number_show_the_tie(
    coach: Coach,
) -> None:
    """Evidence before words: an empty "how does this move your goal" no longer calls for
    tie-to-goal when the update's words show the tie, or when the number reached a new best."""
    await set_goal(coach, member(), baseline="0.5")

    worded = await reply_to_checkin(coach, moves_goal="")
    numbered = await reply_to_checkin(
        coach, did="Collected 40 more noisy recordings", moves_goal="", metric_value="0.41"
    )

    assert await nudge_ids(coach, worded) == []
    assert await nudge_ids(coach, numbered) == []
    assert "a new best" in text(numbered)


async def test_an_on_goal_update_gets_no_nudge(coach: Coach) -> None:
    await set_goal(coach, member())

    reply = await reply_to_checkin(coach)

    assert await nudge_ids(coach, reply) == []
    assert "Why I ask" not in text(reply)
    assert f"Next: {NEXT}. Can it be done in a day or less?" in text(reply)


async def test_a_dropped_approach_gives_best_works_and_a_reflect_button(coach: Coach) -> None:
    await set_goal(coach, member())

    reply = await reply_to_checkin(coach, failed=FAILED)

    assert "best-works" in await nudge_ids(coach, reply)
    (checkin,) = await rows(coach, CheckIn)
    assert button_value(reply, Action.START_REFLECTION) == f"checkin:{checkin.id}"
    assert [b.label for b in reply.buttons if b.action == Action.START_REFLECTION] == [
        "Reflect on this"
    ]


async def test_no_reflect_button_without_a_failure(coach: Coach) -> None:
    await set_goal(coach, member())

    reply = await reply_to_checkin(coach, failed="nothing, all good")

    assert Action.START_REFLECTION not in [b.action for b in reply.buttons]


async def test_a_number_flat_over_three_checkins_gives_switch_or_commit(coach: Coach) -> None:
    await set_goal(coach, member())

    first = await reply_to_checkin(coach, metric_value="0.3")
    second = await reply_to_checkin(coach, metric_value="0.3")
    third = await reply_to_checkin(coach, metric_value="0.30")

    assert await nudge_ids(coach, first) == []
    assert await nudge_ids(coach, second) == []
    assert await nudge_ids(coach, third) == ["switch-or-commit"]
    assert "clinic WER has been flat for a while" in text(third)


async def test_a_number_that_moved_in_the_last_three_is_not_flat(coach: Coach) -> None:
    await set_goal(coach, member())

    for value in ("0.3", "0.28", "0.28"):
        reply = await reply_to_checkin(coach, metric_value=value)

    assert await nudge_ids(coach, reply) == []
    assert [p.value for p in await rows(coach, MetricPoint)] == [0.3, 0.28, 0.28]


async def test_without_a_goal_the_checkin_is_saved_and_a_goal_is_asked_for(coach: Coach) -> None:
    ada = member()

    opened = await command(coach, ada, "checkin")
    reply = await reply_to_checkin(coach, moves_goal="", metric_value="0.4")

    (form,) = opened  # the form at once, the note inside it
    assert isinstance(form, OpenForm)
    assert "No goal yet: I'll save this check-in anyway" in form.form.fields[0].hint
    assert "goal" not in [f.name for f in form.form.fields]
    assert "Check-in saved. Tie next week's work to a goal: /goal set" in text(reply)
    (checkin,) = await rows(coach, CheckIn)
    assert checkin.goal_id is None and checkin.did == ON_GOAL_DID
    assert checkin.metric_value == 0.4
    assert await rows(coach, MetricPoint) == []
    assert "tie-to-goal" not in await nudge_ids(coach, reply)


async def test_the_same_nudge_is_never_given_in_two_consecutive_replies(coach: Coach) -> None:
    await set_goal(coach, member(), baseline="0.5")

    first = await reply_to_checkin(coach, did=OFF_GOAL_DID, moves_goal="")
    second = await reply_to_checkin(coach, did=OFF_GOAL_DID, moves_goal="", failed=FAILED)
    third = await reply_to_checkin(coach, did=OFF_GOAL_DID, moves_goal="")

    assert await nudge_ids(coach, first) == ["tie-to-goal"]
    assert await nudge_ids(coach, second) == ["best-works"]
    assert await nudge_ids(coach, third) == ["tie-to-goal"]


async def test_the_same_nudge_is_not_repeated_for_one_member_across_teammates(
    coach: Coach,
) -> None:
    """A teammate's nudges do not hide Ada's: "in a row" is per member."""
    ada, grace = member(), member("U2", "Grace")
    await set_goal(coach, ada, baseline="0.5")
    await set_goal(coach, grace, baseline="0.5")

    await check_in(coach, ada, did=OFF_GOAL_DID, moves_goal="")
    grace_reply = only(await check_in(coach, grace, did=OFF_GOAL_DID, moves_goal=""), Reply)

    assert await nudge_ids(coach, grace_reply) == ["tie-to-goal"]


async def test_a_skipped_nudge_returns_after_a_reply_without_nudges(coach: Coach) -> None:
    await set_goal(coach, member(), baseline="0.5")

    replies = [await reply_to_checkin(coach, did=OFF_GOAL_DID, moves_goal="") for _ in range(3)]

    assert await nudge_ids(coach, replies[0]) == ["tie-to-goal"]
    assert await nudge_ids(coach, replies[1]) == []  # never twice in a row
    # The third reply does not follow one with tie-to-goal: the tie is asked about again.
    assert await nudge_ids(coach, replies[2]) == ["tie-to-goal"]


async def test_with_nudges_off_only_the_next_experiment_question_remains(coach: Coach) -> None:
    ada = member()
    await set_goal(coach, ada)
    assert "Nudges are off" in text(only(await command(coach, ada, "coach", "nudges off"), Reply))

    asked = await reply_to_checkin(coach, moves_goal="", next_experiment="", failed=FAILED)
    closing = await reply_to_checkin(coach, moves_goal="", failed=FAILED)

    assert await nudge_ids(coach, asked) == ["next-experiment"]
    assert await nudge_ids(coach, closing) == []
    assert f"Next: {NEXT}. Can it be done in a day or less?" in text(closing)
    await command(coach, ada, "coach", "nudges on")
    back_on = await reply_to_checkin(coach, did=OFF_GOAL_DID, moves_goal="")
    assert await nudge_ids(coach, back_on) == ["tie-to-goal"]


async def test_nudge_feedback_is_recorded_for_the_member_only(coach: Coach) -> None:
    ada, grace = member(), member("U2", "Grace")
    await set_goal(coach, ada)
    reply = await reply_to_checkin(coach, did=OFF_GOAL_DID, moves_goal="")
    record_id = button_value(reply, Action.NUDGE_HELPFUL)

    theirs = only(await press(coach, grace, Action.NUDGE_UNHELPFUL, record_id), Reply)
    mine = only(await press(coach, ada, Action.NUDGE_HELPFUL, record_id), Reply)

    assert "can't find that nudge" in text(theirs)
    assert "Thanks" in text(mine)
    (record,) = await rows(coach, NudgeRecord, NudgeRecord.id == int(record_id))
    assert record.feedback == "helpful"


# --- rejected forms ------------------------------------------------------------------------------


async def test_a_metric_value_that_is_not_a_number_is_rejected_and_kept_as_a_draft(
    coach: Coach,
) -> None:
    await set_goal(coach, member())

    intents = await check_in(coach, member(), metric_value="0,42")

    rejected = only(intents, FormRejected)
    assert list(rejected.errors) == ["metric_value"]
    assert "must be a number, like 0.42" in rejected.errors["metric_value"]
    assert "'0,42'" in rejected.errors["metric_value"]
    initial = {f.name: f.initial for f in rejected.form.fields}
    assert initial["metric_value"] == "0,42" and initial["did"] == ON_GOAL_DID
    (draft,) = await rows(coach, Draft)
    assert draft.form_id == "checkin"
    assert draft.values["metric_value"] == "0,42"
    assert draft.values["moves_goal"] == ON_GOAL_MOVES
    assert await rows(coach, CheckIn) == []
    assert await rows(coach, MetricPoint) == []


async def test_text_over_the_limit_is_rejected_with_the_limit_and_the_draft_kept(
    coach: Coach,
) -> None:
    await set_goal(coach, member())
    long_did = "tuned " * 501  # 3006 characters, 3005 once stripped

    rejected = only(await check_in(coach, member(), did=long_did), FormRejected)

    assert "the limit of 3000" in rejected.errors["did"]
    assert "3005 characters" in rejected.errors["did"]
    assert "Kept as a draft" in rejected.errors["did"]
    assert "/checkin reopens the form with it" in rejected.errors["did"]  # how to get it back
    (draft,) = await rows(coach, Draft)
    assert draft.values["did"] == long_did
    assert await rows(coach, CheckIn) == []
    reopened = only(await command(coach, member(), "checkin"), OpenForm).form
    assert {f.name: f.initial for f in reopened.fields}["did"] == long_did

    await check_in(coach, member())
    assert await rows(coach, Draft) == []
    assert len(await rows(coach, CheckIn)) == 1


# --- publishing ----------------------------------------------------------------------------------


async def test_publishing_posts_member_words_as_user_text_and_no_coaching(coach: Coach) -> None:
    ada = member()
    await set_goal(coach, ada, capability="Transcribe <!channel> clinic audio")
    words = {
        "did": "Fine-tuned on <@U999> clips, like Karpathy does",
        "moves_goal": "Lower clinic WER <https://evil.example|here>",
        "next_experiment": "Ping @here about speed perturbation",
    }
    reply = await reply_to_checkin(coach, metric_value="0.31", failed=FAILED, **words)
    assert await nudge_ids(coach, reply)  # the private reply did carry nudges

    value = button_value(reply, Action.PUBLISH_CHECKIN)
    intents = await press(coach, ada, Action.PUBLISH_CHECKIN, value)

    post = only(intents, ChannelPost)
    assert post.channel_id == "C1"
    member_words = {seg.text for seg in post.body if isinstance(seg, UserText)}
    assert {*words.values(), "Ada", "Transcribe <!channel> clinic audio"} <= member_words
    coach_strings = "".join(seg for seg in post.body if isinstance(seg, str))
    for marker in ("<", "@", "Karpathy", "Ada"):
        assert marker not in coach_strings
    published = text(post)
    assert "0.31" in published
    assert "Why I ask" not in published
    prompts = load_prompts()
    for nudge in prompts.catalogue.nudges:
        assert nudge.why not in published
        for wording in nudge.wordings:
            assert longest_literal(wording) not in published
    (checkin,) = await rows(coach, CheckIn)
    signals = analyze(CAPABILITY, checkin.did, moves_goal=checkin.moves_goal, failed=checkin.failed)
    assert f"{signals.goal_alignment:.2f}" not in published
    assert "alignment" not in published.lower()
    assert FAILED not in published  # what failed stays private
    assert plain(post.confirm) == "Published to the team."  # said once the post is made
    assert not any(isinstance(i, Reply) for i in intents)


async def test_a_refused_post_can_be_published_again(coach: Coach) -> None:
    ada = member()
    reply = await reply_to_checkin(coach)
    value = button_value(reply, Action.PUBLISH_CHECKIN)
    first = only(await press(coach, ada, Action.PUBLISH_CHECKIN, value), ChannelPost)
    assert first.failed is not None
    # The platform refused it: the adapter hands ``failed`` back.
    told = only(await coach.handle(first.failed), Reply)
    assert "couldn't post to the team channel" in text(told)
    (checkin,) = await rows(coach, CheckIn)
    assert checkin.published_at is None
    again = await press(coach, ada, Action.PUBLISH_CHECKIN, value)
    assert isinstance(again[0], ChannelPost)


async def test_publishing_twice_posts_once(coach: Coach) -> None:
    ada = member()
    reply = await reply_to_checkin(coach)
    value = button_value(reply, Action.PUBLISH_CHECKIN)

    first = await press(coach, ada, Action.PUBLISH_CHECKIN, value)
    second = await press(coach, ada, Action.PUBLISH_CHECKIN, value)

    assert len([i for i in first if isinstance(i, ChannelPost)]) == 1
    assert not any(isinstance(i, ChannelPost) for i in second)
    assert "already published" in text(only(second, Reply))
    (checkin,) = await rows(coach, CheckIn)
    assert checkin.published_at is not None


async def test_another_member_cannot_publish_someone_elses_checkin(coach: Coach) -> None:
    reply = await reply_to_checkin(coach)
    value = button_value(reply, Action.PUBLISH_CHECKIN)
    (checkin,) = await rows(coach, CheckIn)
    assert value == str(checkin.id)

    intents = await press(coach, member("U2", "Grace"), Action.PUBLISH_CHECKIN, value)

    assert not any(isinstance(i, ChannelPost) for i in intents)
    assert "can't find that check-in" in text(only(intents, Reply))
    (checkin,) = await rows(coach, CheckIn)
    assert checkin.published_at is None
