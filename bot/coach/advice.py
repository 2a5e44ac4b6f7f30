"""Turns chosen nudges into a private reply: the wording, one line of why, feedback buttons.

A nudge called for by similarity alone (``Candidate.gentle``) is asked as a gentler question
from prompts/messages.yaml (``gentle_*``) instead of the nudge's own wording.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace

from bot import metrics
from bot.coach.nudges import GENTLE_NUDGES, Candidate, choose
from bot.coach.turn import Turn
from bot.events import Action, Button, Content, Reply, Segment, UserText
from bot.prompts import render
from bot.store.views import CheckInView, GoalView


async def nudge_reply(
    turn: Turn,
    head: Content,
    found: Sequence[Candidate],
    goal: GoalView | None,
    checkin: CheckInView | None = None,
    closing: Content = (),
    closing_nudge: str | None = None,
) -> Reply:
    """``head``, then at most two nudges (recorded), then ``closing``; private to the member.

    ``closing`` is left out when the nudge ``closing_nudge`` was given: it asks the same.
    """
    previous = set(filter(None, turn.member.last_nudges.split(",")))
    chosen = choose(found, previous, turn.member.nudges_enabled)
    last = ",".join(c.nudge_id for c in chosen)
    await turn.change_member(replace(turn.member, last_nudges=last))
    body: list[Segment] = list(head)
    buttons: list[Button] = []
    batch = str(uuid.uuid4())
    for number, candidate in enumerate(chosen, start=1):
        nudge = turn.prompts.nudge(candidate.nudge_id)
        given = await turn.scope.nudge_count(turn.member, nudge.id)
        wording = nudge.wordings[given % len(nudge.wordings)]  # rotate, never random
        goal_text: str | UserText = (
            UserText(goal.capability) if goal else turn.words("nudge_your_goal")
        )
        metric_text: str | UserText = (
            UserText(goal.metric_name) if goal else turn.words("nudge_your_metric")
        )
        if candidate.gentle:
            said = _gentle(turn, candidate.nudge_id, goal_text, metric_text)
        else:
            said = render(wording, goal=goal_text, metric=metric_text)
        record = await turn.scope.record_nudge(
            turn.member,
            nudge_id=nudge.id,
            trigger=candidate.trigger[:500],
            checkin_id=checkin.id if checkin else None,
            batch=batch,
            given_at=turn.now,
        )
        metrics.NUDGES.labels(nudge.id, "question" if candidate.gentle else "nudge").inc()
        body += [f"\n\n{number}) ", *said, *turn.say("nudge_why", why=nudge.why)]
        buttons += [
            Button(
                turn.words("button_nudge_helped", number=number),
                Action.NUDGE_HELPFUL,
                str(record.id),
            ),
            Button(
                turn.words("button_nudge_not_helped", number=number),
                Action.NUDGE_UNHELPFUL,
                str(record.id),
            ),
        ]
    if closing and closing_nudge not in {c.nudge_id for c in chosen}:
        body += ["\n\n", *closing]
    return Reply(tuple(body), tuple(buttons))


def _gentle(turn: Turn, nudge_id: str, goal: str | UserText, metric: str | UserText) -> Content:
    """The question asked instead of nudge ``nudge_id`` when only similarity called for it
    (only a setback: accusing nudges need words that say so)."""
    if nudge_id not in GENTLE_NUDGES:
        raise ValueError(f"{nudge_id} has no gentle question")
    return turn.say("gentle_setback", goal=goal, metric=metric)


async def feedback(turn: Turn, record_id: str, helpful: bool) -> Reply:
    ok = record_id.isdigit() and await turn.scope.set_nudge_feedback(
        turn.member, int(record_id), "helpful" if helpful else "unhelpful"
    )
    return Reply(turn.say("feedback_thanks" if ok else "feedback_unknown"))
