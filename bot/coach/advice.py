"""Turns chosen nudges into a private reply: the wording, one line of why, feedback buttons."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from bot.coach.nudges import Candidate, choose
from bot.coach.turn import Turn
from bot.events import Action, Button, Content, Reply, Segment, UserText
from bot.prompts import render
from bot.store.models import CheckIn, Goal


async def nudge_reply(
    turn: Turn,
    head: Content,
    found: Sequence[Candidate],
    goal: Goal | None,
    checkin: CheckIn | None = None,
    closing: Content = (),
    closing_nudge: str | None = None,
) -> Reply:
    """``head``, then at most two nudges (recorded), then ``closing``; private to the member.

    ``closing`` is left out when the nudge ``closing_nudge`` was given: it asks the same.
    """
    previous = set(filter(None, turn.member.last_nudges.split(",")))
    chosen = choose(found, previous, turn.member.nudges_enabled)
    turn.member.last_nudges = ",".join(c.nudge_id for c in chosen)
    body: list[Segment] = list(head)
    buttons: list[Button] = []
    batch = str(uuid.uuid4())
    for number, candidate in enumerate(chosen, start=1):
        nudge = turn.prompts.nudge(candidate.nudge_id)
        given = await turn.scope.nudge_count(turn.member, nudge.id)
        wording = nudge.wordings[given % len(nudge.wordings)]  # rotate, never random
        record = await turn.scope.record_nudge(
            turn.member,
            nudge_id=nudge.id,
            trigger=candidate.trigger[:500],
            checkin_id=checkin.id if checkin else None,
            batch=batch,
            given_at=turn.now,
        )
        body += [
            f"\n\n{number}) ",
            *render(
                wording,
                goal=UserText(goal.capability) if goal else "your goal",
                metric=UserText(goal.metric_name) if goal else "your number",
            ),
            f"\n   Why I ask: {nudge.why}",
        ]
        buttons += [
            Button(f"{number} helped", Action.NUDGE_HELPFUL, str(record.id)),
            Button(f"{number} did not help", Action.NUDGE_UNHELPFUL, str(record.id)),
        ]
    if closing and closing_nudge not in {c.nudge_id for c in chosen}:
        body += ["\n\n", *closing]
    return Reply(tuple(body), tuple(buttons))


async def feedback(turn: Turn, record_id: str, helpful: bool) -> Reply:
    ok = record_id.isdigit() and await turn.scope.set_nudge_feedback(
        turn.member, int(record_id), "helpful" if helpful else "unhelpful"
    )
    return Reply(turn.say("feedback_thanks" if ok else "feedback_unknown"))
