"""What the team reads when a member publishes a check-in: their own words, nothing else —
no nudges, no scores, no reflection."""

from __future__ import annotations

from bot.coach.goals import fmt
from bot.events import Content, Segment, UserText
from bot.prompts import Prompts
from bot.store.models import CheckIn, Goal, Member

FIELD_LIMIT = 500  # each published field is cut to this; the team reads a summary


def _clip(text: str) -> str:
    return text if len(text) <= FIELD_LIMIT else text[: FIELD_LIMIT - 1] + "…"


def team_summary(prompts: Prompts, member: Member, checkin: CheckIn, goal: Goal | None) -> Content:
    """The published form of a check-in, every member word marked as ``UserText``."""
    name = member.display_name or member.user_id
    body: list[Segment] = list(prompts.say("team_checkin_head", name=UserText(name)))
    if goal is not None:
        body += prompts.say("team_checkin_goal", capability=UserText(_clip(goal.capability)))
    body += prompts.say("team_checkin_did", did=UserText(_clip(checkin.did)))
    if checkin.moves_goal:
        body += prompts.say("team_checkin_moves", moves=UserText(_clip(checkin.moves_goal)))
    if goal is not None and checkin.metric_value is not None:
        body += prompts.say(
            "team_checkin_metric",
            metric=UserText(_clip(goal.metric_name)),
            value=fmt(checkin.metric_value),
        )
    if checkin.next_experiment:
        body += prompts.say(
            "team_checkin_next", experiment=UserText(_clip(checkin.next_experiment))
        )
    return tuple(body)
