"""``/checkin``: the form, the private answer with at most two nudges, publishing to the team."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta
from functools import cache
from importlib import resources

import yaml

from bot import analysis
from bot.analysis import ALIGNED_THRESHOLD, Evidence, Feedback, Signals
from bot.coach import ask, forms, predictions
from bot.coach.advice import nudge_reply
from bot.coach.goals import fmt
from bot.coach.member import shared_with_llm
from bot.coach.nudges import ALWAYS_ASKED, CheckInFacts, candidates
from bot.coach.pictures import goal_chart
from bot.coach.provenance import offered, reading_hint, unconfirmed_reading
from bot.coach.submission import rejection
from bot.coach.team import team_channel
from bot.coach.turn import Turn
from bot.events import (
    Action,
    Button,
    ButtonPressed,
    ChannelPost,
    Choice,
    Content,
    Form,
    FormField,
    Intent,
    OpenForm,
    Reply,
    Segment,
    UserText,
    plain,
)
from bot.llm.followup import PAST_CHECKINS, CheckInContext, PastCheckIn
from bot.schedule.calendar import local_period
from bot.schedule.rows import DeliveryRow, claim
from bot.schedule.summary import team_summary
from bot.store.deliveries import DeliveryKind
from bot.store.views import CheckInView, GoalView
from bot.text import unperiod

FOLLOW_UP_HISTORY = timedelta(weeks=8)  # how far back the LLM follow-up sees check-ins
HISTORY = 8  # earlier check-ins on the goal that teach the coach the member's vocabulary
FEEDBACK = 20  # latest "did not help" presses on the goal's nudges read with each check-in
CHOICE_LABEL = 60  # characters of a goal on a button (Slack takes 75, Discord 80)


def _form(goal: GoalView | None, active: list[GoalView]) -> Form:
    """The check-in form for one goal; with a picker when it names none of several."""
    only = goal or (active[0] if len(active) == 1 else None)
    if only is not None:
        return replace(forms.checkin_form(only.metric_name), context=str(only.ref))
    return forms.checkin_form(None, tuple(Choice(_short(g.capability), str(g.ref)) for g in active))


def _short(capability: str) -> str:
    """A goal as a button or a choice shows it: its capability, cut where no label has room."""
    return capability if len(capability) <= CHOICE_LABEL else capability[: CHOICE_LABEL - 1] + "…"


async def open_form(turn: Turn, text: str) -> list[Intent]:
    active = list(await turn.scope.goals(turn.member, "active"))
    goal = None
    if text.strip():
        if not text.strip().isdigit():
            return [Reply(turn.say("usage", usage=turn.words("usage_checkin")))]
        goal = await turn.scope.goal(turn.member, int(text))
        if goal is None or goal.status != "active":
            return [Reply(turn.say("goal_unknown", ref=text.strip()))]
    elif len(active) > 1:  # the goal first: then the form can name its number
        offers = tuple(
            Button(_short(g.capability), Action.OPEN_CHECKIN, str(g.ref)) for g in active
        )
        return [Reply(turn.say("checkin_which_goal"), offers)]
    form = await turn.with_draft(_form(goal, active))
    only = goal or (active[0] if len(active) == 1 else None)
    if only is not None:
        form = await _with_reading(turn, form, only)
    if not active:  # said in the form: a message first would hold the form back on Discord
        note = plain(turn.say("checkin_without_goal"))
        form = replace(form, fields=tuple(_noted(f, note) for f in form.fields))
    return [OpenForm(form)]


async def _with_reading(turn: Turn, form: Form, goal: GoalView) -> Form:
    """The number field offers what a tracker or script brought since the member's last
    check-in (saying where from); a number the member already typed in a draft stays."""
    reading = await unconfirmed_reading(turn, goal)
    if reading is None:
        return form
    hint = reading_hint(turn, reading)
    value = forms.shown(reading.value, reading.value_text)
    return replace(
        form,
        fields=tuple(
            replace(f, initial=f.initial or value, hint=hint) if f.name == "metric_value" else f
            for f in form.fields
        ),
    )


def _noted(field: FormField, note: str) -> FormField:
    """The first answer's field carries the note, where every platform shows a hint."""
    return replace(field, hint=note) if field.name == "did" else field


async def _goal_of(turn: Turn, values: Mapping[str, str], context: str) -> GoalView | None:
    ref = values.get("goal", "").strip() or context.strip()
    if ref.isdigit():
        goal = await turn.scope.goal(turn.member, int(ref))
        if goal is not None and goal.status == "active":
            return goal
    active = await turn.scope.goals(turn.member, "active")
    return active[0] if len(active) == 1 else None


async def submit(turn: Turn, values: Mapping[str, str], context: str) -> list[Intent]:
    intents, _ = await save(turn, values, context)
    return intents


async def save(
    turn: Turn, values: Mapping[str, str], context: str, *, for_follow_up: bool = False
) -> tuple[list[Intent], CheckInContext | None]:
    """Save a submitted check-in and answer it; with ``for_follow_up``, also return what an
    LLM follow-up may use: this member's own goal, this check-in and their recent ones."""
    goal = await _goal_of(turn, values, context)
    active = list(await turn.scope.goals(turn.member, "active"))
    rejected = await rejection(turn, _form(goal, active), values, draft="checkin")
    if rejected is not None:
        return [rejected], None
    field = {
        name: values.get(name, "").strip()
        for name in ("did", "moves_goal", "metric_value", "next_experiment", "failed")
    }
    earlier = list(await turn.scope.goal_checkins(goal, HISTORY)) if goal else []
    # The reading the form offered: sent back as it was, it is a point of the goal already.
    reading = await unconfirmed_reading(turn, goal) if goal else None
    confirmed = offered(reading, values.get("metric_value", ""))
    before = await turn.scope.metric_history(goal, limit=2 if confirmed else 1) if goal else []
    before = before[:-1] if confirmed else before  # what the number was before that reading
    checkin = await turn.scope.add_checkin(
        turn.member,
        goal_id=goal.id if goal else None,
        did=field["did"],
        moves_goal=field["moves_goal"],
        metric_value=forms.number(field["metric_value"]),
        metric_value_text=forms.kept(field["metric_value"]),
        next_experiment=field["next_experiment"],
        failed=field["failed"],
        channel_id=turn.place.channel_id,
        created_at=turn.now,
    )
    await turn.scope.clear_draft(turn.member, "checkin")
    best_before = goal.current_best if goal else None
    if goal is not None and checkin.metric_value is not None and not confirmed:
        goal = await turn.scope.add_metric(
            goal, checkin.metric_value, turn.now, checkin, checkin.metric_value_text
        )
    told: Content = ()  # what the number says of the member's open predictions on the goal
    if goal is not None and checkin.metric_value is not None:
        value, typed = checkin.metric_value, checkin.metric_value_text
        told = await predictions.on_value(turn, goal, value, typed)
    return await answer(
        turn,
        goal,
        checkin,
        field,
        earlier,
        before,
        best_before,
        for_follow_up=for_follow_up,
        told=told,
    )


async def answer(
    turn: Turn,
    goal: GoalView | None,
    checkin: CheckInView,
    field: Mapping[str, str],
    earlier: list[CheckInView],
    before: list[float],
    best_before: float | None,
    *,
    for_follow_up: bool = False,
    told: Content = (),
) -> tuple[list[Intent], CheckInContext | None]:
    """The answer to a check-in as stored (just sent, or edited: ``bot.coach.edits``): its
    analysis, at most two nudges, the next experiment. ``field``: the answers as typed;
    ``earlier``, ``before`` and ``best_before``: the goal's check-ins, last value and best
    from before this check-in."""
    evidence = await _evidence(turn, goal, checkin, earlier, before, best_before)
    # In a worker thread: the embedded model must not hold up the event loop.
    signals = await asyncio.to_thread(analysis.analyze_evidence, evidence)
    if turn.judge is not None:  # the LLM judges too; on any failure the embedded verdict stands
        shared = evidence
        if turn.member.llm_since is not None:  # nothing from while the member had it off
            mine = shared_with_llm(turn.member, earlier)
            shared = await _evidence(turn, goal, checkin, mine, before, best_before)
            shared = replace(shared, unhelpful=())  # "did not help" on older check-ins
        signals = await turn.judge.verdict(shared, signals)
    checkin = await turn.scope.record_alignment(checkin, signals.goal_alignment)
    facts = CheckInFacts(
        has_goal=goal is not None,
        next_experiment_empty=not field["next_experiment"],
        recent_values=tuple(await turn.scope.goal_checkin_values(goal, 3)) if goal else (),
    )
    head: list[Segment] = list(
        turn.say("checkin_saved_goal", ref=goal.ref, capability=UserText(goal.capability))
        if goal
        else turn.say("checkin_saved_no_goal")
    )
    if goal is not None and checkin.metric_value is not None:
        best_now = goal.current_best
        key = "checkin_new_best" if best_now != best_before else "checkin_metric"
        value = forms.typed(field["metric_value"])  # as typed: 0.50 stays 0.50
        head += turn.say(
            key,
            metric=UserText(goal.metric_name),
            value=UserText(value),
            best=UserText(value)
            if best_now == checkin.metric_value
            else fmt(best_now, goal.current_best_text),
        )
    head += told
    if signals.away:  # a week away: a kind word, no goal nudges, no homework
        closing = turn.say("checkin_away")
    elif field["next_experiment"]:
        closing = turn.say("checkin_next", experiment=UserText(unperiod(field["next_experiment"])))
        if turn.member.nudges_enabled:  # a teammate's shared lesson on the same experiment
            closing += await ask.tried_before(turn, checkin)
    else:
        closing = turn.say("checkin_ask_next")
    found = candidates(signals, facts, turn.prompts)
    reply = await nudge_reply(turn, tuple(head), found, goal, checkin, closing, ALWAYS_ASKED)
    offers = [
        Button(turn.words("button_publish_checkin"), Action.PUBLISH_CHECKIN, str(checkin.id)),
        Button(turn.words("button_edit_checkin"), Action.EDIT_CHECKIN, str(checkin.id)),
    ]
    if signals.failure_scope == "project":  # a dropped project, direction or idea
        reflect = turn.words("button_reflect")
        offers.append(Button(reflect, Action.START_REFLECTION, f"checkin:{checkin.id}"))
    if field["next_experiment"] and not signals.away:  # predict, then measure
        predict = turn.words("button_predict_next")
        offers.append(Button(predict, Action.PREDICT_NEXT, str(checkin.id)))
    # The number's chart, to the member only: a published check-in carries its words, never this.
    chart = await goal_chart(turn, goal) if goal and checkin.metric_value is not None else None
    answer = Reply(reply.body, (*offers, *reply.buttons), chart)
    if not for_follow_up or not turn.member.nudges_enabled:  # nudges off: no LLM note either
        return [answer], None
    return [answer], await _follow_up_context(turn, goal, checkin, signals, answer)


async def _evidence(
    turn: Turn,
    goal: GoalView | None,
    checkin: CheckInView,
    earlier: list[CheckInView],
    before: list[float],
    best_before: float | None,
) -> Evidence:
    """Everything the coach knows about this check-in: the number before and after, the
    member's earlier on-goal updates (their vocabulary) and their "did not help" presses."""
    if goal is None:
        return Evidence(None, checkin.did, checkin.moves_goal, checkin.failed)
    unhelpful = await turn.scope.unhelpful_on_goal(goal, FEEDBACK)
    return Evidence(
        f"{goal.capability}; {goal.metric_name}",
        checkin.did,
        moves_goal=checkin.moves_goal,
        failed=checkin.failed,
        metric_before=before[-1] if before else None,
        metric_after=checkin.metric_value,
        direction="down" if goal.direction == "down" else "up",
        best_before=best_before,
        history=tuple(
            c.did
            for c in reversed(earlier)
            if c.alignment is not None and c.alignment >= ALIGNED_THRESHOLD
        ),
        unhelpful=tuple(Feedback(nudge_id, did) for nudge_id, did in unhelpful),
    )


@cache
def _llm_words() -> dict[str, str]:
    """prompts/llm.yaml: the words the goal is given to the LLM follow-up in."""
    text = resources.files("prompts").joinpath("llm.yaml").read_text(encoding="utf-8")
    return {str(key): str(value) for key, value in yaml.safe_load(text).items()}


async def _follow_up_context(
    turn: Turn, goal: GoalView | None, checkin: CheckInView, signals: Signals, answer: Reply
) -> CheckInContext:
    """This member's own data for the LLM follow-up (read in their own tenant scope)."""
    since = turn.now - FOLLOW_UP_HISTORY
    found = await turn.scope.checkins_since(turn.member, since)
    earlier = [c for c in shared_with_llm(turn.member, found) if c.id != checkin.id]
    earlier.sort(key=lambda c: c.created_at, reverse=True)
    recent = tuple(
        PastCheckIn(c.created_at.date().isoformat(), c.did, c.metric_value)
        for c in earlier[:PAST_CHECKINS]
    )
    words = _llm_words()
    if goal is not None:
        better = "checkin_lower_better" if goal.direction == "down" else "checkin_higher_better"
        goal_line = words["checkin_goal"].format(
            capability=goal.capability,
            metric=goal.metric_name,
            direction=words[better],
            baseline=fmt(goal.baseline, goal.baseline_text),
            target=fmt(goal.target, goal.target_text),
            best=fmt(goal.current_best, goal.current_best_text),
        )
    else:
        goal_line = words["checkin_goal_none"]
    return CheckInContext(
        actor=turn.actor,
        goal=goal_line,
        did=checkin.did,
        moves_goal=checkin.moves_goal,
        metric_value=checkin.metric_value,
        next_experiment=checkin.next_experiment,
        failed=checkin.failed,
        recent=recent,
        signals=signals,
        reply=plain(answer.body),
    )


async def publish(turn: Turn, value: str) -> list[Intent]:
    """Share the member's own summary with the team: their words, never scores or nudges.

    With a team digest, the check-in joins its week's digest thread (at digest time, or at
    once when that digest is already out); without one, it is posted to the team channel.
    """
    checkin = await turn.scope.checkin(turn.member, int(value)) if value.isdigit() else None
    if checkin is None:
        return [Reply(turn.say("checkin_unknown"))]
    if checkin.published_at is not None:
        return [Reply(turn.say("checkin_already_published"))]
    tenant = turn.scope.tenant
    checkin = await turn.scope.mark_published(checkin, turn.now)
    if tenant.team_channel and tenant.digest_day is not None:
        item = DeliveryRow(
            tenant.id,
            turn.member.id,
            DeliveryKind.DIGEST_ITEM,
            f"checkin:{checkin.id}",
            local_period(checkin.created_at, tenant.timezone),
            turn.now,
            detail={"checkin_id": checkin.id},
        )
        await claim(turn.scope.session, item)
        return [Reply(turn.say("checkin_published_digest"))]
    channel = await team_channel(turn, checkin.channel_id)
    if channel is None:
        await turn.scope.mark_published(checkin, None)
        return [Reply(turn.say("no_team_channel"))]
    goal = await turn.scope.goal_by_id(checkin.goal_id) if checkin.goal_id else None
    body = team_summary(turn.prompts, turn.member, checkin, goal)
    failed = ButtonPressed(turn.actor, turn.place, Action.POST_FAILED, str(checkin.id))
    return [ChannelPost(channel, body, confirm=turn.say("checkin_published"), failed=failed)]


async def post_failed(turn: Turn, value: str) -> list[Intent]:
    """The platform refused a post: a check-in it carried can be published again."""
    checkin = await turn.scope.checkin(turn.member, int(value)) if value.isdigit() else None
    if checkin is not None:
        await turn.scope.mark_published(checkin, None)
    return [Reply(turn.say("publish_failed"))]
