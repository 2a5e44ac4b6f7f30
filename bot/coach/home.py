"""The member's home: active goals with their recent numbers, best five works, latest nudges."""

from __future__ import annotations

from bot.coach.portfolio import BEST
from bot.coach.turn import Turn
from bot.events import Action, Button, GoalCard, HomeView, Intent, WorkCard

RECENT_VALUES = 12  # enough points for a sparkline
RECENT_NUDGES = 3


async def home(turn: Turn) -> list[Intent]:
    cards = []
    for goal in await turn.scope.goals(turn.member, "active"):
        recent = await turn.scope.metric_history(goal, RECENT_VALUES)
        cards.append(
            GoalCard(
                goal.ref,
                goal.capability,
                goal.metric_name,
                goal.direction,
                goal.current_best,
                goal.target,
                tuple(recent),
            )
        )
    works = (await turn.scope.works(turn.member))[:BEST]
    nudges = (await turn.scope.nudges(turn.member))[-RECENT_NUDGES:]
    return [
        HomeView(
            turn.actor.user_id,
            tuple(cards),
            tuple(WorkCard(w.title, w.link) for w in works),
            tuple(n.nudge_id for n in reversed(nudges)),
            (Button("Check in", Action.OPEN_CHECKIN), Button("Settings", Action.OPEN_SETTINGS)),
        )
    ]
