"""``/predict``: predict, then measure. Before an experiment the member says what they expect
(a number in a range, some percent sure; or a yes/no at a probability); when the number
arrives, the coach compares, privately, and ``/coach calibration`` shows their own record.

    /predict                              the form (reopens with a refused draft)
    /predict 0.45 0.40-0.50 80% [what]    a number, its range, how sure the range holds
    /predict yes 70% the sampler wins     a yes/no and how sure
    /predict list · /predict resolve N yes|no

A number prediction is resolved by the goal's next value: one the member types (``on_value``:
a check-in, ``/goal update``), or a tracker's or a push's (``scope.resolve_with``, below the
coach, called by ``bot.schedule.readings.take``).
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.coach import calibration, forecast
from bot.coach.forms import Checking
from bot.coach.submission import checking, rejection
from bot.coach.turn import Turn
from bot.events import (
    Action,
    Button,
    Content,
    Form,
    Intent,
    OpenForm,
    Reply,
    Segment,
    UserText,
)
from bot.numbers import shown
from bot.schedule.predicted import told
from bot.store.records.predictions import NUMBER, YES_NO
from bot.store.views import GoalView, PredictionView

DRAFT = forecast.FORM_ID
RESOLVED_LISTED = 10  # resolved predictions /predict list shows, the latest


async def handle(turn: Turn, text: str) -> list[Intent]:
    words = text.strip().split()
    if not words:
        return [OpenForm(await turn.with_draft(await _form(turn, None)))]
    first = words[0].lower()
    if first == "list" and len(words) == 1:
        return [Reply(await _listed(turn))]
    if first == "resolve":
        return await _resolve_command(turn, words[1:])
    if first == "help":
        return [Reply(turn.say("usage", usage=turn.words("usage_predict")))]
    return await _from_line(turn, text)


async def _form(turn: Turn, goal: GoalView | None, experiment: str = "") -> Form:
    active = list(await turn.scope.goals(turn.member, "active"))
    if goal is None and len(active) == 1:
        goal = active[0]
    return forecast.prediction_form(active, goal, turn.prompts, experiment)


async def _goal_of(turn: Turn, values: Mapping[str, str], context: str) -> GoalView | None:
    """The goal a prediction is on: the one picked or named, else the member's only one."""
    ref = values.get("goal", "").strip() or context.strip()
    if ref.isdigit():
        goal = await turn.scope.goal(turn.member, int(ref))
        return goal if goal is not None and goal.status == "active" else None
    active = await turn.scope.goals(turn.member, "active")
    return active[0] if len(active) == 1 else None


async def open_for_checkin(turn: Turn, value: str) -> list[Intent]:
    """The "Predict the next one" button under a check-in: the form for its goal, with its
    next experiment written in."""
    checkin = await turn.scope.checkin(turn.member, int(value)) if value.isdigit() else None
    if checkin is None:
        return [Reply(turn.say("checkin_unknown"))]
    goal = await turn.scope.goal_by_id(checkin.goal_id) if checkin.goal_id else None
    if goal is not None and goal.status != "active":
        goal = None
    return [OpenForm(await _form(turn, goal, checkin.next_experiment))]


async def submit(turn: Turn, values: Mapping[str, str], context: str) -> list[Intent]:
    """A /predict form sent: kept, or turned down with every reason and the words kept."""
    goal = await _goal_of(turn, values, context)
    form = await _form(turn, goal)
    picker = any(f.name == "goal" for f in form.fields)
    found = forecast.problems(values, goal, picker, checking(turn))
    more = _labelled(form, found, checking(turn))
    rejected = await rejection(turn, form, values, draft=DRAFT, more=lambda _errors: more)
    if rejected is not None:
        return [rejected]
    return await _keep(turn, goal, forecast.stated(values))


def _labelled(form: Form, found: Mapping[str, str], checking: Checking) -> dict[str, str]:
    """Each error under its field, naming it (Discord and the console list them together)."""
    labels = {f.name: f.label for f in form.fields}
    return {
        name: checking.say("form_field", label=labels[name], problem=error)
        for name, error in found.items()
        if name in labels
    }


async def _from_line(turn: Turn, text: str) -> list[Intent]:
    """``/predict 0.45 0.40-0.50 80% …``: kept, or refused with every reason, the line kept as
    the form's draft (so ``/predict`` opens the form with it)."""
    values = forecast.from_line(text)
    ref = values["goal"]
    goal = await _goal_of(turn, values, "")
    if ref and goal is None:
        await turn.scope.save_draft(turn.member, DRAFT, {**values, "goal": ""}, turn.now)
        return [Reply(turn.say("goal_unknown", ref=ref))]
    if not values["prediction"]:
        found = {"prediction": turn.words("predict_no_prediction")}
    else:
        active = await turn.scope.goals(turn.member, "active")
        found = forecast.problems(values, goal, False, checking(turn))
        if "kind" in found and len(active) > 1:  # several goals: which one is the question
            found["kind"] = turn.words("predict_name_goal")
    if not values["experiment"] and goal is not None and values["kind"] == NUMBER:
        values["experiment"] = await _next_experiment(turn, goal)
    if found:
        await turn.scope.save_draft(turn.member, DRAFT, values, turn.now)
        body: list[Segment] = [*turn.say("predict_line_refused")]
        for error in found.values():
            body += turn.say("predict_line_problem", problem=error)
        return [Reply(tuple(body))]
    return await _keep(turn, goal, forecast.stated(values))


async def _next_experiment(turn: Turn, goal: GoalView) -> str:
    """The next experiment the member named in their latest check-in on ``goal``, if any:
    what a bare ``/predict 0.45 …`` is about."""
    latest = await turn.scope.goal_checkins(goal, 1)
    return latest[0].next_experiment if latest else ""


async def _keep(turn: Turn, goal: GoalView | None, said: forecast.Stated) -> list[Intent]:
    kept = await turn.scope.add_prediction(
        turn.member,
        goal=goal,
        experiment=said.experiment,
        kind=said.kind,
        confidence=said.confidence,
        created_at=turn.now,
        point=said.point,
        point_text=said.point_text,
        low=said.low,
        low_text=said.low_text,
        high=said.high,
        high_text=said.high_text,
        answer=said.answer,
    )
    await turn.scope.clear_draft(turn.member, DRAFT)
    sure = forecast.percent(kept.confidence)
    if kept.kind == NUMBER:
        assert goal is not None
        body = turn.say(
            "predict_saved_number",
            ref=kept.ref,
            metric=UserText(goal.metric_name),
            point=_point(kept),
            low=shown(kept.low, kept.low_text),
            high=shown(kept.high, kept.high_text),
            sure=sure,
            goal=goal.ref,
        )
        if kept.experiment:
            body += turn.say("predict_saved_experiment", experiment=UserText(kept.experiment))
        return [Reply(body)]
    body = turn.say(
        "predict_saved_yesno",
        ref=kept.ref,
        answer=turn.words("predict_yes" if kept.answer else "predict_no"),
        sure=sure,
        statement=UserText(kept.experiment),
    )
    return [Reply(body, _outcome_buttons(turn, kept))]


def _point(p: PredictionView) -> str:
    return shown(p.point, p.point_text)


def _outcome_buttons(turn: Turn, p: PredictionView) -> tuple[Button, ...]:
    return (
        Button(turn.words("button_predict_happened"), Action.PREDICTION_HAPPENED, str(p.id)),
        Button(turn.words("button_predict_did_not"), Action.PREDICTION_DID_NOT, str(p.id)),
    )


async def press(turn: Turn, value: str, happened: bool) -> list[Intent]:
    """The "It happened" / "It did not" buttons of a yes/no prediction: its member's only."""
    found = await turn.scope.prediction_by_id(int(value)) if value.isdigit() else None
    if found is None or found.member_id != turn.member.id:
        return [Reply(turn.say("predict_unknown_button"))]
    return [Reply(await _settle(turn, found, happened))]


async def _resolve_command(turn: Turn, words: list[str]) -> list[Intent]:
    usage: list[Intent] = [Reply(turn.say("usage", usage=turn.words("usage_predict_resolve")))]
    if len(words) != 2 or not words[0].lstrip("#").isdigit():
        return usage
    outcome = words[1].lower()
    if outcome not in forecast.YES | forecast.NO:
        return usage
    ref = words[0].lstrip("#")
    found = await turn.scope.prediction(turn.member, int(ref))
    if found is None:
        return [Reply(turn.say("predict_unknown", ref=ref))]
    return [Reply(await _settle(turn, found, outcome in forecast.YES))]


async def _settle(turn: Turn, p: PredictionView, happened: bool) -> Content:
    if p.resolved_at is not None:
        return turn.say("predict_already", ref=p.ref, outcome=_outcome(turn, p))
    if p.kind == NUMBER:
        goal = await turn.scope.goal_by_id(p.goal_id) if p.goal_id else None
        return turn.say("predict_by_number", ref=p.ref, goal=goal.ref if goal else "?")
    p = await turn.scope.settle_prediction(p, happened=happened, at=turn.now)
    key = "predict_settled_held" if p.held else "predict_settled_missed"
    return turn.say(
        key,
        ref=p.ref,
        outcome=_outcome(turn, p),
        answer=turn.words("predict_yes" if p.answer else "predict_no"),
        sure=forecast.percent(p.confidence),
    )


def _outcome(turn: Turn, p: PredictionView) -> str:
    """How it turned out, in words: the number that arrived, or whether it happened."""
    if p.kind == YES_NO:
        return turn.words("predict_outcome_yes" if p.happened else "predict_outcome_no")
    return turn.words("predict_outcome_number", actual=shown(p.actual, p.actual_text))


async def on_value(turn: Turn, goal: GoalView, value: float, text: str | None) -> Content:
    """The member typed ``goal``'s number (a check-in, ``/goal update``): the open number
    predictions on it are resolved, and the answer says how each did (``()``: there were
    none)."""
    resolved = await turn.scope.resolve_with(goal, value, turn.now, text=text)
    return told(turn.prompts, resolved)


async def _listed(turn: Turn) -> Content:
    every = await turn.scope.predictions(turn.member)
    if not every:
        return turn.say("predict_list_none")
    shown_ = [p for p in every if p.resolved_at is None]
    shown_ += [p for p in every if p.resolved_at is not None][-RESOLVED_LISTED:]
    shown_.sort(key=lambda p: p.ref)
    metrics = await _metrics(turn)
    out: list[Segment] = [*turn.say("predict_list_head")]
    for p in shown_:
        sure = forecast.percent(p.confidence)
        if p.kind == NUMBER:
            out += turn.say(
                "predict_list_number",
                ref=p.ref,
                metric=UserText(metrics.get(p.goal_id or 0, "?")),
                point=_point(p),
                low=shown(p.low, p.low_text),
                high=shown(p.high, p.high_text),
                sure=sure,
            )
        else:
            answer = turn.words("predict_yes" if p.answer else "predict_no")
            out += turn.say("predict_list_yesno", ref=p.ref, answer=answer, sure=sure)
        if p.experiment:
            out += turn.say("predict_list_about", experiment=UserText(p.experiment))
        if p.resolved_at is None:
            out += turn.say("predict_state_open")
        else:
            key = "predict_state_held" if p.held else "predict_state_missed"
            out += turn.say(key, outcome=_outcome(turn, p))
    return tuple(out)


async def _metrics(turn: Turn) -> dict[int, str]:
    """Goal id → the name of its number, for every goal of the member."""
    return {g.id: g.metric_name for g in await turn.scope.goals(turn.member)}


async def show_calibration(turn: Turn) -> list[Intent]:
    """``/coach calibration``: the member's own record, privately."""
    resolved = await turn.scope.predictions(turn.member, resolved_only=True)
    return [Reply(calibration.record(turn.prompts, resolved, await _metrics(turn)))]
