"""``/goal``: set, list, show, update the number, mark achieved, abandon."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from bot.coach import connect, forms, predictions, premortem
from bot.coach.advice import nudge_reply
from bot.coach.goal_check import unmeasurable, vague_capability
from bot.coach.limits import goals_full, keep_as_draft
from bot.coach.nudges import Candidate
from bot.coach.pictures import goal_chart
from bot.coach.provenance import list_note, source_lines
from bot.coach.submission import rejection
from bot.coach.turn import Turn
from bot.events import (
    Action,
    Button,
    Content,
    Intent,
    OpenForm,
    Reply,
    Segment,
    UserText,
    content,
    plain,
)
from bot.store.views import GoalView
from bot.text import unperiod

# In the member's "goal" draft: the answer a vagueness question was asked about, per field.
ASKED = {"capability": "_asked_capability", "metric_name": "_asked_metric_name"}


# How a stored number is shown, with the text the member typed it as: ``fmt(0.5, "0.50")``.
fmt = forms.shown


def goal_line(goal: GoalView) -> Content:
    """``2. <capability> — solve rate: best 0.41 (target 0.6)`` (no averages, ever)."""
    status = "" if goal.status == "active" else f" [{goal.status}]"
    target = f" (target {fmt(goal.target, goal.target_text)})" if goal.target is not None else ""
    return content(
        f"{goal.ref}. ",
        UserText(goal.capability),
        " — ",
        UserText(goal.metric_name),
        f": best {fmt(goal.current_best, goal.current_best_text)}{target}{status}",
    )


async def handle(turn: Turn, text: str) -> list[Intent]:
    verb, _, rest = text.strip().partition(" ")
    verb = verb.lower()
    if verb in ("", "list"):
        return await list_goals(turn)
    if verb == "set":
        return await open_form(turn, rest.strip())
    if verb == "show":
        return await show(turn, rest)
    if verb == "update":
        return await update_value(turn, rest)
    if verb == "achieved":
        return await close(turn, rest, "achieved")
    if verb == "abandon":
        return await confirm_abandon(turn, rest)
    if verb == "connect":
        return await connect_goal(turn, rest)
    if verb == "disconnect":
        return await disconnect_goal(turn, rest)
    if verb == "premortem":
        goal, problem = await pick(turn, rest)
        return problem if goal is None else await premortem.show(turn, goal)
    return [Reply(turn.say("usage", usage=turn.words("usage_goal")))]


async def open_form(turn: Turn, capability: str) -> list[Intent]:
    """The goal form, with the draft a rejected one left (and ``capability``, when given)."""
    if await goals_full(turn.scope, turn.member, turn.limits):
        if not capability:
            return [Reply(turn.say("goal_limit_open", count=turn.limits.open_goals))]
        return await _kept_at_limit(turn, {"capability": capability})
    form = await turn.with_draft(forms.goal_form(turn.prompts))
    if capability:
        form = forms.with_values(form, {"capability": capability})
    return [OpenForm(form)]


async def pick(turn: Turn, ref_text: str) -> tuple[GoalView | None, list[Intent]]:
    """The goal a member names by number, or their only active goal when they name none."""
    ref_text = ref_text.strip()
    if not ref_text:
        active = await turn.scope.goals(turn.member, "active")
        if len(active) == 1:
            return active[0], []
        key = "no_goal" if not active else "which_goal"
        return None, [Reply(turn.say(key))]
    if not ref_text.isdigit():
        return None, [Reply(turn.say("usage", usage=turn.words("usage_goal")))]
    goal = await turn.scope.goal(turn.member, int(ref_text))
    if goal is None:
        return None, [Reply(turn.say("goal_unknown", ref=ref_text))]
    return goal, []


async def list_goals(turn: Turn) -> list[Intent]:
    goals = await turn.scope.goals(turn.member)
    if not goals:
        return [Reply(turn.say("no_goal"))]
    sources = {source.goal_id: source for source in await turn.scope.sources_of(turn.member)}
    body: list[Segment] = list(turn.say("goal_list_head"))
    for goal in goals:
        body += ["\n", *goal_line(goal), *list_note(turn, sources.get(goal.id))]
    return [Reply(tuple(body))]


async def show(turn: Turn, rest: str) -> list[Intent]:
    goal, problem = await pick(turn, rest)
    if goal is None:
        return problem
    history = await turn.scope.metric_points(goal, limit=8)
    trend = " → ".join(fmt(p.value, p.value_text) for p in history) or turn.words("goal_no_values")
    return [
        Reply(
            (
                *goal_line(goal),
                *turn.say(
                    "goal_show",
                    direction="higher" if goal.direction == "up" else "lower",
                    baseline=fmt(goal.baseline, goal.baseline_text),
                    trend=trend,
                ),
                *await source_lines(turn, goal),
            ),
            chart=await goal_chart(turn, goal),  # every value, where the words show 8
        )
    ]


async def connect_goal(turn: Turn, rest: str) -> list[Intent]:
    """``/goal connect [N] [mlflow|wandb|script]``: the goal named (or the only active one)."""
    words = rest.split()
    refs = [word for word in words if word.isdigit()]
    kinds = [connect.kind_of(word) for word in words if not word.isdigit()]
    if len(refs) > 1 or len(kinds) > 1 or None in kinds:
        return [Reply(turn.say("usage", usage=turn.words("usage_goal")))]
    goal, problem = await pick(turn, refs[0] if refs else "")
    if goal is None:
        return problem
    return await connect.start(turn, goal, (kinds[0] or "") if kinds else "")


async def disconnect_goal(turn: Turn, rest: str) -> list[Intent]:
    """``/goal disconnect [N]``: forget where the goal's number came from."""
    goal, problem = await pick(turn, rest)
    if goal is None:
        return problem
    return await connect.disconnect(turn, goal)


async def update_value(turn: Turn, rest: str) -> list[Intent]:
    parts = rest.split()
    if len(parts) not in (1, 2):
        return [Reply(turn.say("usage", usage=turn.words("usage_goal")))]
    goal, problem = await pick(turn, parts[0] if len(parts) == 2 else "")
    if goal is None:
        return problem
    if goal.status != "active":
        return [Reply(turn.say("goal_closed_no_update", ref=goal.ref, status=goal.status))]
    value = forms.number(parts[-1])
    if value is None:
        return [Reply(turn.say("not_a_number", text=UserText(parts[-1][:40])))]
    before = goal.current_best
    goal = await turn.scope.add_metric(goal, value, turn.now, text=forms.kept(parts[-1]))
    told = await predictions.on_value(turn, goal, value, forms.kept(parts[-1]))
    key = "metric_new_best" if goal.current_best != before else "metric_saved"
    said = turn.say(
        key,
        ref=goal.ref,
        metric=UserText(goal.metric_name),
        value=UserText(forms.typed(parts[-1])),
        best=fmt(goal.current_best, goal.current_best_text),
    )
    return [Reply((*said, *told))]


async def confirm_abandon(turn: Turn, rest: str) -> list[Intent]:
    """``/goal abandon N`` asks first: a goal is dropped only by a deliberate second step."""
    goal, problem = await pick(turn, rest)
    if goal is None:
        return problem
    if goal.status != "active":
        return [Reply(turn.say("goal_already_closed", ref=goal.ref, status=goal.status))]
    ref = str(goal.ref)
    buttons = (
        Button(turn.words("button_abandon_goal", ref=ref), Action.ABANDON_GOAL, ref),
        Button(turn.words("button_keep_goal"), Action.KEEP_GOAL, ref),
    )
    return [
        Reply(
            turn.say(
                "goal_abandon_confirm", ref=ref, capability=UserText(unperiod(goal.capability))
            ),
            buttons,
        )
    ]


async def keep(turn: Turn, ref: str) -> list[Intent]:
    """The member chose not to abandon goal ``ref`` after all."""
    goal, problem = await pick(turn, ref)
    if goal is None:
        return problem
    return [Reply(turn.say("goal_kept", ref=goal.ref))]


async def close(turn: Turn, rest: str, status: str) -> list[Intent]:
    """Mark a goal achieved, or abandoned (once the member confirmed it)."""
    if status == "abandoned" and not rest.strip():  # a confirmation always names its goal
        return [Reply(turn.say("usage", usage=turn.words("usage_goal")))]
    goal, problem = await pick(turn, rest)
    if goal is None:
        return problem
    if goal.status != "active":
        return [Reply(turn.say("goal_already_closed", ref=goal.ref, status=goal.status))]
    goal = await turn.scope.close_goal(goal, status, turn.now)
    if status == "achieved":
        return [Reply(turn.say("goal_achieved", ref=goal.ref))]
    # One message says the best-works idea; the nudge saying it again next would repeat it.
    await turn.change_member(replace(turn.member, last_nudges="best-works"))
    offer = Button(turn.words("button_reflect"), Action.START_REFLECTION, f"goal:{goal.id}")
    return [Reply(turn.say("goal_abandoned", ref=goal.ref), (offer,))]


def _same(first: str, second: str) -> bool:
    return " ".join(first.split()).casefold() == " ".join(second.split()).casefold()


def _questions(
    turn: Turn, values: Mapping[str, str], asked: dict[str, str], errors: Mapping[str, str]
) -> dict[str, str]:
    """One question when the capability names none or the number cannot be measured, unless it
    was already asked about that very answer (sending it again keeps it). Records what it asks
    about in ``asked``. When both are vague the number is asked for: it is what makes a goal
    coachable, and naming one sharpens the capability too."""

    def to_ask(field: str, vague: Callable[[str], bool]) -> str:
        """The field's answer when it is vague and not asked about yet, else ``""``."""
        text = values.get(field, "").strip()
        if not text or field in errors or _same(asked.get(ASKED[field], ""), text):
            return ""
        return text if vague(text) else ""

    capability = to_ask("capability", vague_capability)
    metric = to_ask("metric_name", unmeasurable)
    if capability:
        asked[ASKED["capability"]] = capability
    if metric:
        asked[ASKED["metric_name"]] = metric
        return {"metric_name": plain(turn.say("goal_ask_number"))}
    if capability:
        return {"capability": plain(turn.say("goal_ask_capability"))}
    return {}


async def submit(turn: Turn, values: Mapping[str, str]) -> list[Intent]:
    form = forms.goal_form(turn.prompts)
    # What was asked comes from the member's own draft, never from what a form sends.
    values = {k: v for k, v in values.items() if k not in ASKED.values()}
    draft = await turn.scope.draft(turn.member, "goal")
    kept = draft.values if draft is not None else {}
    asked = {k: str(kept[k]) for k in ASKED.values() if k in kept}
    if await goals_full(turn.scope, turn.member, turn.limits):
        return await _kept_at_limit(turn, {**values, **asked})
    # The questions ask only about fields the form's rules let pass, and note in ``asked``
    # what they asked about: the draft keeps that with the answers.
    rejected = await rejection(
        turn,
        form,
        values,
        draft="goal",
        more=lambda errors: _questions(turn, values, asked, errors),
        keep=asked,
    )
    if rejected is not None:
        return [rejected]
    goal = await turn.scope.add_goal(
        turn.member,
        capability=values["capability"].strip(),
        metric_name=values["metric_name"].strip(),
        direction=values.get("direction", "up") or "up",
        baseline=forms.number(values.get("baseline", "")),
        target=forms.number(values.get("target", "")),
        baseline_text=forms.kept(values.get("baseline", "")),
        target_text=forms.kept(values.get("target", "")),
        status="active",
        created_at=turn.now,
    )
    await turn.scope.clear_draft(turn.member, "goal")
    if goal.baseline is not None:
        await turn.scope.add_metric(goal, goal.baseline, turn.now, text=goal.baseline_text)
    head: list[Segment] = list(
        turn.say(
            "goal_set",
            ref=goal.ref,
            capability=UserText(goal.capability),
            metric=UserText(unperiod(goal.metric_name)),
        )
    )
    head += _numbers(turn, values)
    found = (
        []
        if goal.baseline is not None
        else [Candidate("baseline-first", turn.words("trigger_new_goal"))]
    )
    reply = await nudge_reply(turn, tuple(head), found, goal)
    # Optional: imagining the goal failed, while it is fresh (kept privately with it).
    return [replace(reply, buttons=(*reply.buttons, premortem.button(turn, goal)))]


async def _kept_at_limit(turn: Turn, values: Mapping[str, str]) -> list[Intent]:
    """No new goal while the member has as many open as they may: their words are kept in the
    goal draft and shown back, and ``/goal set`` reopens the form with them."""
    kept = await keep_as_draft(turn.scope, turn.member, "goal", values, turn.now)
    capability = UserText(kept.get("capability", "").strip())
    return [Reply(turn.say("goal_limit", count=turn.limits.open_goals, capability=capability))]


def _numbers(turn: Turn, values: Mapping[str, str]) -> Content:
    """The baseline and target as the member typed them (``0.50`` stays ``0.50``)."""
    baseline, target = (values.get(name, "").strip() for name in ("baseline", "target"))
    if baseline and target:
        return turn.say(
            "goal_set_numbers",
            baseline=UserText(forms.typed(baseline)),
            target=UserText(forms.typed(target)),
        )
    if baseline:
        return turn.say("goal_set_baseline", baseline=UserText(forms.typed(baseline)))
    if target:
        return turn.say("goal_set_target", target=UserText(forms.typed(target)))
    return ()
