"""What the team reads: a published check-in in the member's own words, and the weekly digest
of what was published — never nudges, scores or reflections. The coach posts a check-in with
these at once when the team has no digest; the outbox composes the digest and its thread."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.events import Content, Segment, UserText
from bot.numbers import shown as fmt
from bot.prompts import Prompts
from bot.store.models import CheckIn, Goal, Member
from bot.store.views import CheckInView, GoalView, MemberView

FIELD_LIMIT = 500  # each published field is cut to this; the team reads a summary


def _clip(text: str) -> str:
    return text if len(text) <= FIELD_LIMIT else text[: FIELD_LIMIT - 1] + "…"


def team_summary(
    prompts: Prompts,
    member: Member | MemberView,
    checkin: CheckIn | CheckInView,
    goal: Goal | GoalView | None,
) -> Content:
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
            value=fmt(checkin.metric_value, checkin.metric_value_text),
        )
        body += _against(prompts, goal)
    if checkin.next_experiment:
        body += prompts.say(
            "team_checkin_next", experiment=UserText(_clip(checkin.next_experiment))
        )
    return tuple(body)


def _against(prompts: Prompts, goal: Goal | GoalView) -> Content:
    """`` (baseline 0.31, target 0.15)``, with what the goal has of the two; ``()`` for none."""
    known = []
    if goal.baseline is not None:
        known.append(prompts.say("baseline_of", value=fmt(goal.baseline, goal.baseline_text)))
    if goal.target is not None:
        known.append(prompts.say("target_of", value=fmt(goal.target, goal.target_text)))
    if not known:
        return ()
    inside: list[Segment] = list(known[0])
    for more in known[1:]:
        inside += [", ", *more]
    return (" (", *inside, ")")


@dataclass(frozen=True)
class Shared:
    """One published check-in of the week, as the digest reads it."""

    member: Member
    checkin: CheckIn
    goal: Goal | None
    before: float | None  # what it is compared with: the last published value, or the baseline
    before_text: str | None = None  # ``before`` as the member typed it

    @property
    def moved(self) -> bool:
        """The number moved the better way since the value before it."""
        value, goal = self.checkin.metric_value, self.goal
        if value is None or goal is None or self.before is None:
            return False
        return value < self.before if goal.direction == "down" else value > self.before


def digest(prompts: Prompts, week: str, shared: Sequence[Shared]) -> Content:
    """The week's digest: a line per published check-in (its number against the goal's
    baseline and target), then who moved their number. Names, goals and metrics are member
    words (``UserText``): no adapter lets them ping anyone."""
    body: list[Segment] = list(prompts.say("digest_head", week=week))
    for item in shared:
        name = UserText(item.member.display_name or item.member.user_id)
        if item.goal is None:
            body += prompts.say("digest_line_no_goal", name=name)
            continue
        body += prompts.say(
            "digest_line", name=name, capability=UserText(_clip(item.goal.capability))
        )
        value = item.checkin.metric_value
        if value is None:
            continue
        body += prompts.say(
            "digest_line_number",
            metric=UserText(_clip(item.goal.metric_name)),
            value=fmt(value, item.checkin.metric_value_text),
        )
        body += _against(prompts, item.goal)
        if item.moved and item.before is not None:
            body += prompts.say("digest_line_moved", before=fmt(item.before, item.before_text))
    movers: list[str] = []
    for item in shared:
        mover = item.member.display_name or item.member.user_id
        if item.moved and mover not in movers:
            movers.append(mover)
    if movers:
        names: list[Segment] = []
        for mover in movers:
            names += [", " if names else "", UserText(mover)]
        body += [*prompts.say("digest_moved"), *names, "."]
    body += prompts.say("digest_thread")
    return tuple(p for p in body if p != "")
