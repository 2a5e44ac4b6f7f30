"""The pre-mortem: when a goal is set, the member may imagine it has failed three months on
and say what went wrong. The answer is kept privately with the goal; ``/goal premortem N``
shows it back (and edits it), and if the goal is ever abandoned the reflection starts by
showing it back, so the member can hold what they feared next to what happened."""

from __future__ import annotations

from collections.abc import Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.coach import forms
from bot.coach.submission import rejection
from bot.coach.turn import Turn
from bot.events import (
    Action,
    Button,
    Content,
    Form,
    Intent,
    OpenForm,
    Reply,
    UserText,
)
from bot.store.views import GoalView

FORM = "premortem"


def button(turn: Turn, goal: GoalView) -> Button:
    """The offer under a goal just set: "Pre-mortem"."""
    return Button(turn.words("button_premortem"), Action.OPEN_PREMORTEM, str(goal.ref))


def form(turn: Turn, goal: GoalView, initial: str = "") -> Form:
    """One long field; the goal's number rides along as the context."""
    words = (
        turn.words("premortem_form_title", ref=goal.ref),
        turn.words("premortem_form_label"),
        turn.words("premortem_form_hint"),
        turn.words("premortem_form_submit"),
    )
    return forms.one_question(FORM, "premortem", words, initial, str(goal.ref))


async def _goal(turn: Turn, ref: str) -> tuple[GoalView | None, list[Intent]]:
    ref = ref.strip()
    if not ref.isdigit():
        return None, [Reply(turn.say("usage", usage=turn.words("usage_goal")))]
    goal = await turn.scope.goal(turn.member, int(ref))
    if goal is None:
        return None, [Reply(turn.say("goal_unknown", ref=ref))]
    return goal, []


async def open_form(turn: Turn, ref: str) -> list[Intent]:
    """The form for goal ``ref`` (the "Pre-mortem" button), with what was kept or drafted."""
    goal, problem = await _goal(turn, ref)
    if goal is None:
        return problem
    if goal.status != "active":
        return [Reply(turn.say("premortem_closed", ref=goal.ref, status=goal.status))]
    draft = await turn.scope.draft(turn.member, FORM)
    drafted = str(draft.values.get("premortem", "")) if draft is not None else ""
    return [OpenForm(form(turn, goal, drafted or goal.premortem or ""))]


async def show(turn: Turn, goal: GoalView) -> list[Intent]:
    """``/goal premortem [N]``: the kept pre-mortem, shown back with a button to change it, or
    the form when there is none yet."""
    if not goal.premortem:
        return await open_form(turn, str(goal.ref))
    said = turn.say(
        "premortem_shown",
        ref=goal.ref,
        day=_day(turn, goal),
        premortem=UserText(goal.premortem),
    )
    if goal.status != "active":
        return [Reply(said)]
    edit = Button(turn.words("button_premortem_edit"), Action.OPEN_PREMORTEM, str(goal.ref))
    return [Reply(said, (edit,))]


async def submit(turn: Turn, values: Mapping[str, str], context: str) -> list[Intent]:
    """Keep the answer with the goal the form was opened for (one of the member's own)."""
    goal, problem = await _goal(turn, context)
    if goal is None:
        return problem
    rejected = await rejection(turn, form(turn, goal), values, draft=FORM)
    if rejected is not None:
        return [rejected]
    if goal.status != "active":
        return [Reply(turn.say("premortem_closed", ref=goal.ref, status=goal.status))]
    goal = await turn.scope.keep_premortem(goal, values["premortem"].strip(), turn.now)
    await turn.scope.clear_draft(turn.member, FORM)
    return [Reply(turn.say("premortem_kept", ref=goal.ref))]


def recalled(turn: Turn, goal: GoalView | None) -> Content:
    """What opens the reflection on an abandoned goal that has a pre-mortem: the member's own
    words from when they set it, then a blank line; nothing otherwise."""
    if goal is None or not goal.premortem:
        return ()
    said = turn.say("premortem_recalled", day=_day(turn, goal), premortem=UserText(goal.premortem))
    return (*said, "\n\n")


def _day(turn: Turn, goal: GoalView) -> str:
    """The day the pre-mortem was written, on the member's calendar: ``2 November 2026``."""
    at = goal.premortem_at or goal.created_at
    try:
        local = at.astimezone(ZoneInfo(turn.member.timezone))
    except (ZoneInfoNotFoundError, ValueError):
        local = at
    return f"{local.day} {local:%B %Y}"
