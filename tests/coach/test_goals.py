"""``/goal`` through the Coach: set, list, show, update the number, achieved, abandon."""

from __future__ import annotations

import pytest

from adapters.slack.listeners import ERROR_TEXT
from bot.coach import Coach
from bot.events import Action, FormRejected, FormSubmitted, Intent, OpenForm, Reply, plain
from bot.ports import ManualClock
from bot.prompts import load_prompts
from bot.store.models import Draft, Goal, MetricPoint, NudgeRecord
from tests.coach.helpers import (
    CAPABILITY,
    CHANNEL,
    METRIC,
    abandon,
    button_value,
    command,
    member,
    nudge_ids,
    only,
    press,
    rows,
    set_goal,
    text,
)


async def goal_says(coach: Coach, args: str) -> str:
    return text(only(await command(coach, member(), "goal", args), Reply))


# --- set -----------------------------------------------------------------------------------------


async def test_goal_set_opens_the_form_prefilled_with_the_capability(coach: Coach) -> None:
    form = only(await command(coach, member(), "goal", "set Prove geometry lemmas"), OpenForm).form

    initial = {f.name: f.initial for f in form.fields}
    assert form.form_id == "goal"
    assert initial["capability"] == "Prove geometry lemmas"
    assert initial["direction"] == "up"


async def test_a_goal_without_a_baseline_gets_the_baseline_first_nudge(coach: Coach) -> None:
    reply = await set_goal(coach, member(), target="0.1")

    assert f"Goal 1 set: {CAPABILITY}" in text(reply)
    assert await nudge_ids(coach, reply) == ["baseline-first"]
    (goal,) = await rows(coach, Goal)
    assert (goal.ref, goal.capability, goal.metric_name) == (1, CAPABILITY, METRIC)
    assert (goal.direction, goal.baseline, goal.target, goal.current_best) == (
        "down",
        None,
        0.1,
        None,
    )
    assert goal.status == "active"
    (record,) = await rows(coach, NudgeRecord)
    assert record.nudge_id == "baseline-first"


async def test_a_goal_with_a_baseline_starts_its_history_there(coach: Coach) -> None:
    reply = await set_goal(coach, member(), baseline="0.42")

    assert await nudge_ids(coach, reply) == []
    (goal,) = await rows(coach, Goal)
    assert goal.baseline == goal.current_best == 0.42
    assert [p.value for p in await rows(coach, MetricPoint)] == [0.42]


async def test_a_goal_form_with_errors_is_rejected_and_kept_as_a_draft(coach: Coach) -> None:
    values = {"capability": "", "metric_name": METRIC, "direction": "up", "baseline": "high"}

    intents = await coach.handle(FormSubmitted(member(), CHANNEL, "goal", values))

    rejected = only(intents, FormRejected)
    assert set(rejected.errors) == {"capability", "baseline"}
    assert "must be a number" in rejected.errors["baseline"]
    (draft,) = await rows(coach, Draft)
    assert draft.form_id == "goal" and draft.values["baseline"] == "high"
    assert await rows(coach, Goal) == []


# --- goals worth coaching: one question for a vague capability or number -------------------------


async def submit_goal(coach: Coach, capability: str, metric: str, **more: str) -> list[Intent]:
    values = {"capability": capability, "metric_name": metric, "direction": "up", **more}
    return await coach.handle(FormSubmitted(member(), CHANNEL, "goal", values))


NUMBER_QUESTION = (
    "Which number could you measure? E.g. success rate on 50 held-out towels, WER on clinic-50, "
    "pass@1 on HumanEval. Send it again to keep yours."
)
CAPABILITY_QUESTION = (
    "Which capability do you want to exist? E.g. a robot arm that folds laundry from pixels, "
    "measured by fold success rate. Send it again to keep yours."
)


async def test_a_vague_goal_gets_one_question_and_the_same_answer_again_keeps_it(
    coach: Coach,
) -> None:
    rejected = only(await submit_goal(coach, "do cool stuff with LLMs", "vibes"), FormRejected)

    # One question, on the number, with examples of a measurable one and how to keep theirs.
    assert rejected.errors == {"metric_name": NUMBER_QUESTION}
    initial = {f.name: f.initial for f in rejected.form.fields}
    assert (initial["capability"], initial["metric_name"]) == ("do cool stuff with LLMs", "vibes")
    assert await rows(coach, Goal) == []
    (draft,) = await rows(coach, Draft)
    assert draft.values["_asked_metric_name"] == "vibes"
    assert draft.values["_asked_capability"] == "do cool stuff with LLMs"

    reply = only(await submit_goal(coach, "do cool stuff with LLMs", " Vibes "), Reply)

    assert "Goal 1 set: do cool stuff with LLMs" in text(reply)
    (goal,) = await rows(coach, Goal)
    assert (goal.capability, goal.metric_name) == ("do cool stuff with LLMs", "Vibes")
    assert await rows(coach, Draft) == []  # the marker goes with the draft


@pytest.mark.parametrize(
    "metric", ["vibes", "progress", "make it better", "quality", "how good it feels", "impact"]
)
async def test_a_number_that_cannot_be_measured_is_asked_about_once(
    coach: Coach, metric: str
) -> None:
    rejected = only(await submit_goal(coach, CAPABILITY, metric), FormRejected)
    assert rejected.errors == {"metric_name": NUMBER_QUESTION}

    only(await submit_goal(coach, CAPABILITY, metric), Reply)

    (goal,) = await rows(coach, Goal)
    assert goal.metric_name == metric


@pytest.mark.parametrize(
    "capability",
    ["do cool stuff with LLMs", "research", "make progress", "stuff", "be better at ML"],
)
async def test_a_capability_that_names_none_is_asked_about_once(
    coach: Coach, capability: str
) -> None:
    rejected = only(await submit_goal(coach, capability, "WER on clinic-50"), FormRejected)
    assert rejected.errors == {"capability": CAPABILITY_QUESTION}

    only(await submit_goal(coach, capability, "WER on clinic-50"), Reply)

    (goal,) = await rows(coach, Goal)
    assert goal.capability == capability


async def test_a_sharper_answer_to_the_question_is_taken_at_once(coach: Coach) -> None:
    only(await submit_goal(coach, "do cool stuff with LLMs", "vibes"), FormRejected)

    reply = only(await submit_goal(coach, "Answer clinic questions", "exact match on 200"), Reply)

    assert "Goal 1 set: Answer clinic questions" in text(reply)
    assert await rows(coach, Draft) == []


async def test_asked_at_most_once_per_answer(coach: Coach) -> None:
    only(await submit_goal(coach, CAPABILITY, "vibes"), FormRejected)
    # Another vague answer is another answer: asked about once too, then kept.
    again = only(await submit_goal(coach, CAPABILITY, "progress"), FormRejected)
    assert again.errors == {"metric_name": NUMBER_QUESTION}
    only(await submit_goal(coach, CAPABILITY, "progress"), Reply)
    # Once the goal is set, a new goal starts afresh.
    assert only(await submit_goal(coach, CAPABILITY, "progress"), FormRejected).errors
    assert len(await rows(coach, Goal)) == 1


async def test_the_question_comes_with_other_errors_and_survives_them(coach: Coach) -> None:
    rejected = only(await submit_goal(coach, CAPABILITY, "vibes", baseline="high"), FormRejected)
    assert set(rejected.errors) == {"metric_name", "baseline"}

    # The baseline fixed, "vibes" kept: not asked again.
    only(await submit_goal(coach, CAPABILITY, "vibes", baseline="0.3"), Reply)
    (goal,) = await rows(coach, Goal)
    assert (goal.metric_name, goal.baseline) == ("vibes", 0.3)


async def test_a_form_cannot_claim_the_question_was_asked(coach: Coach) -> None:
    forged = {"_asked_metric_name": "vibes", "_asked_capability": CAPABILITY}

    rejected = only(await submit_goal(coach, CAPABILITY, "vibes", **forged), FormRejected)

    assert rejected.errors == {"metric_name": NUMBER_QUESTION}
    assert await rows(coach, Goal) == []


@pytest.mark.parametrize(
    ("capability", "metric"),
    [
        ("Robot arm that folds laundry from pixels", "fold success rate on 50 towels"),
        ("Transcribe clinic audio reliably", "WER on clinic-50"),
        *[
            (CAPABILITY, name)
            for name in ("WER", "BLEU", "pass@1", "F1", "success rate", "AUROC", "MAE")
        ],
        (CAPABILITY, "latency (ms)"),
    ],
)
async def test_good_goals_are_not_questioned(coach: Coach, capability: str, metric: str) -> None:
    reply = only(await submit_goal(coach, capability, metric), Reply)

    assert f"Goal 1 set: {capability}" in text(reply)
    (goal,) = await rows(coach, Goal)
    assert goal.metric_name == metric


def test_the_questions_fit_under_a_slack_form_field() -> None:
    prompts = load_prompts()
    for key, question in (
        ("goal_ask_number", NUMBER_QUESTION),
        ("goal_ask_capability", CAPABILITY_QUESTION),
    ):
        said = plain(prompts.say(key))
        assert said == question
        assert len(said) <= ERROR_TEXT, key  # Slack cuts longer errors under a field
        assert said.count("?") == 1 and "send it again to keep yours" in said.lower()


# --- list and show -------------------------------------------------------------------------------


async def test_goal_list_shows_every_goal_with_its_best_and_status(coach: Coach) -> None:
    assert "You have no goal yet" in await goal_says(coach, "list")
    await set_goal(coach, member(), baseline="0.5", target="0.2")
    await set_goal(coach, member(), capability="Summarise radiology reports", metric="ROUGE-L")
    await abandon(coach, member(), 2)

    listed = await goal_says(coach, "")

    assert listed.splitlines() == [
        "Your goals:",
        f"1. {CAPABILITY} — {METRIC}: best 0.5 (target 0.2)",
        "2. Summarise radiology reports — ROUGE-L: best – [abandoned]",
    ]


async def test_goal_show_gives_direction_baseline_and_recent_values(coach: Coach) -> None:
    await set_goal(coach, member(), baseline="0.5")
    await command(coach, member(), "goal", "update 0.45")
    await command(coach, member(), "goal", "update 0.47")

    shown = await goal_says(coach, "show 1")

    assert shown.startswith(f"1. {CAPABILITY} — {METRIC}: best 0.45")
    assert "Better is lower. Baseline 0.5. Recent values: 0.5 → 0.45 → 0.47" in shown


# --- update --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("direction", "worse", "better"),
    [("down", "0.6", "0.4"), ("up", "0.4", "0.6")],
)
async def test_update_tracks_the_best_value_in_the_goal_direction(
    coach: Coach, direction: str, worse: str, better: str
) -> None:
    await set_goal(coach, member(), direction=direction, baseline="0.5")

    said_worse = await goal_says(coach, f"update 1 {worse}")
    (goal,) = await rows(coach, Goal)
    assert goal.current_best == 0.5
    said_better = await goal_says(coach, f"update {better}")

    assert said_worse == f"Saved for goal 1: {METRIC} = {worse} (best so far 0.5)."
    assert said_better == f"Goal 1: {METRIC} = {better}, a new best."
    (goal,) = await rows(coach, Goal)
    assert goal.current_best == float(better)
    assert [p.value for p in await rows(coach, MetricPoint)] == [0.5, float(worse), float(better)]


async def test_update_names_the_goal_when_there_are_several(coach: Coach) -> None:
    await set_goal(coach, member())
    await set_goal(coach, member(), capability="Summarise radiology reports", metric="ROUGE-L")

    assert "several goals" in await goal_says(coach, "update 0.3")
    assert "ROUGE-L = 0.3, a new best" in await goal_says(coach, "update 2 0.3")
    goals = await rows(coach, Goal)
    assert [g.current_best for g in goals] == [None, 0.3]


async def test_update_with_a_value_that_is_not_a_number_is_refused(coach: Coach) -> None:
    await set_goal(coach, member())

    for answer in ("abc", "1,5", "nan", "inf"):
        said = await goal_says(coach, f"update {answer}")
        assert said == (
            f"{answer} is not a number. Send the value like 0.42 or 42% (a dot for decimals)."
        )
    assert await rows(coach, MetricPoint) == []


# --- achieved and abandon ------------------------------------------------------------------------


async def test_an_achieved_goal_is_closed_and_points_to_best_works(
    coach: Coach, clock: ManualClock
) -> None:
    await set_goal(coach, member())

    said = await goal_says(coach, "achieved 1")

    assert said == "Goal 1 achieved. Does it belong among your best works? /wins add"
    (goal,) = await rows(coach, Goal)
    assert goal.status == "achieved" and goal.closed_at == clock.now()
    assert await goal_says(coach, "abandon 1") == "Goal 1 is already achieved."
    (goal,) = await rows(coach, Goal)
    assert goal.status == "achieved"


async def test_abandoning_asks_first_then_says_one_thing_and_offers_a_reflection(
    coach: Coach,
) -> None:
    await set_goal(coach, member(), baseline="0.5")

    asked = only(await command(coach, member(), "goal", "abandon 1"), Reply)
    assert text(asked).startswith(f"Abandon goal 1, {CAPABILITY}?")
    assert [b.label for b in asked.buttons] == ["Yes, abandon goal 1", "No, keep it"]
    (goal,) = await rows(coach, Goal)
    assert goal.status == "active"  # nothing happens before the member confirms

    kept = only(await press(coach, member(), Action.KEEP_GOAL, "1"), Reply)
    assert text(kept) == "Goal 1 stays active."
    reply = only(await press(coach, member(), Action.ABANDON_GOAL, "1"), Reply)

    said = text(reply)
    assert said.startswith("Goal 1 abandoned. Stopping on purpose is a decision")
    assert "not a failure" not in said and "Failure is allowed" not in said  # one message
    assert "best few works" in said and "reflection" in said
    assert await nudge_ids(coach, reply) == []
    (goal,) = await rows(coach, Goal)
    assert goal.status == "abandoned" and goal.closed_at is not None
    assert [b.label for b in reply.buttons] == ["Reflect on this"]
    assert button_value(reply, Action.START_REFLECTION) == f"goal:{goal.id}"
    again = only(await press(coach, member(), Action.ABANDON_GOAL, "1"), Reply)
    assert text(again) == "Goal 1 is already abandoned."


async def test_an_unknown_goal_number_is_named_back(coach: Coach) -> None:
    await set_goal(coach, member())

    for args in ("show 7", "achieved 7", "abandon 7", "update 7 0.3"):
        said = await goal_says(coach, args)
        assert said == "I can't find goal 7 among your goals. /goal list shows them.", args
    (goal,) = await rows(coach, Goal)
    assert goal.status == "active" and goal.current_best is None


async def test_another_members_goal_number_is_not_theirs(coach: Coach) -> None:
    await set_goal(coach, member("U2", "Grace"))

    assert "can't find goal 1" in await goal_says(coach, "abandon 1")
    (goal,) = await rows(coach, Goal)
    assert goal.status == "active"


async def test_malformed_arguments_get_the_usage_line(coach: Coach) -> None:
    await set_goal(coach, member())

    for args in ("frobnicate", "show first", "update", "update 1 2 3", "abandon one", "achieved x"):
        usage = load_prompts().messages["usage_goal"]
        assert await goal_says(coach, args) == f"Usage: {usage}", args
    (goal,) = await rows(coach, Goal)
    assert goal.status == "active" and goal.current_best is None
