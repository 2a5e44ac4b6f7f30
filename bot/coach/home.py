"""The member's home: active goals with their recent numbers, best five works, and the latest
nudges as the coach worded them."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from bot.coach.forms import shown
from bot.coach.nudges import SIMILAR_TRIGGER
from bot.coach.pictures import DRAWN, goal_charts
from bot.coach.portfolio import BEST
from bot.coach.turn import Turn
from bot.events import Action, Button, Content, GoalCard, HomeView, Intent, UserText, WorkCard
from bot.prompts import render
from bot.store.views import GoalView, NudgeView

RECENT_VALUES = 12  # enough points for a sparkline
RECENT_NUDGES = 3
# The trigger of a nudge the weekly schedule gave (bot.schedule.content): it names its goal.
HISTORY_TRIGGER = re.compile(r"^history of goal (\d+)$")


async def home(turn: Turn, charts_shown: bool = True) -> list[Intent]:
    """``charts_shown``: the platform's home shows pictures (else none is drawn)."""
    cards = []
    active = await turn.scope.goals(turn.member, "active")
    # The first few goals' charts (see HOME_CHARTS), where the home can show them.
    charts = await goal_charts(turn, active) if charts_shown else [None] * len(active)
    for goal, chart in zip(active, charts, strict=True):
        recent = await turn.scope.metric_points(goal, RECENT_VALUES)
        cards.append(
            GoalCard(
                goal.ref,
                goal.capability,
                goal.metric_name,
                goal.direction,
                goal.current_best,
                goal.target,
                tuple(p.value for p in recent),
                shown(goal.current_best, goal.current_best_text),
                shown(goal.target, goal.target_text),
                tuple(shown(p.value, p.value_text) for p in recent),
                chart,
                _linked(turn, goal.ref, recent, charts_shown),
            )
        )
    works = (await turn.scope.works(turn.member))[:BEST]
    return [
        HomeView(
            turn.actor.user_id,
            tuple(cards),
            tuple(WorkCard(w.title, w.link) for w in works),
            await latest_nudges(turn),
            (
                Button(turn.words("button_check_in"), Action.OPEN_CHECKIN),
                Button(turn.words("button_settings"), Action.OPEN_SETTINGS),
            ),
        )
    ]


def _linked(turn: Turn, ref: int, recent: Sequence[object], charts_shown: bool) -> str:
    """A link the platform fetches the chart from, for a home that shows no picture of its
    own; "" when the run serves none, or the goal has too few values to draw."""
    if charts_shown or turn.chart_url is None or len(recent) < DRAWN:
        return ""
    return turn.chart_url(ref)


async def latest_nudges(turn: Turn) -> tuple[Content, ...]:
    """What the latest nudges said, newest first, worded as they were given.

    A nudge's wording rotates with how often it was given (``bot.coach.advice``), so the
    member's n-th nudge of an id used wording n; a question asked for a similarity alone used
    the gentle question instead.
    """
    records = await turn.scope.nudges(turn.member)
    if not records:
        return ()
    goals = list(await turn.scope.goals(turn.member))
    given: Counter[str] = Counter()
    numbered: list[tuple[NudgeView, int]] = []  # each record with how often it came before
    for record in records:
        numbered.append((record, given[record.nudge_id]))
        given[record.nudge_id] += 1
    latest = reversed(numbered[-RECENT_NUDGES:])
    worded = [await _worded(turn, record, index, goals) for record, index in latest]
    return tuple(w for w in worded if w)


async def _worded(turn: Turn, record: NudgeView, index: int, goals: Sequence[GoalView]) -> Content:
    goal = await _goal_of(turn, record, goals)
    goal_text: str | UserText = UserText(goal.capability) if goal else turn.words("nudge_your_goal")
    metric_text: str | UserText = (
        UserText(goal.metric_name) if goal else turn.words("nudge_your_metric")
    )
    if record.trigger.startswith(SIMILAR_TRIGGER):
        return turn.say("gentle_setback", goal=goal_text, metric=metric_text)
    try:
        nudge = turn.prompts.nudge(record.nudge_id)
    except KeyError:  # a nudge since retired from the catalogue
        return ()
    wording = nudge.wordings[index % len(nudge.wordings)]
    return render(wording, goal=goal_text, metric=metric_text)


async def _goal_of(turn: Turn, record: NudgeView, goals: Sequence[GoalView]) -> GoalView | None:
    """The goal a nudge was about: its check-in's, or the one its trigger names."""
    if record.checkin_id is not None:
        checkin = await turn.scope.checkin(turn.member, record.checkin_id)
        if checkin is not None and checkin.goal_id is not None:
            return next((g for g in goals if g.id == checkin.goal_id), None)
        return None
    named = HISTORY_TRIGGER.match(record.trigger)
    if named:
        return next((g for g in goals if g.ref == int(named.group(1))), None)
    return None
