"""Builders for coach tests: members, goals, check-ins; reading what the coach said or stored."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import select

from bot.coach import Coach
from bot.events import (
    Action,
    Actor,
    ButtonPressed,
    ChannelPost,
    CommandInvoked,
    DirectMessage,
    FormSubmitted,
    Intent,
    MessageReceived,
    Place,
    Reply,
    TenantRef,
    TryAgainLater,
    plain,
)
from bot.store.models import NudgeRecord

TEAM = TenantRef("slack", "T1")
CHANNEL = Place.channel("C1")
DM = Place.dm()

CAPABILITY = "Transcribe noisy clinic audio reliably"
METRIC = "clinic WER"
# An update that plainly serves the goal above: it calls for no nudge of its own.
ON_GOAL_DID = "Fine-tuned the clinic audio recognizer on noisy clips"
ON_GOAL_MOVES = "Lower clinic WER on noisy audio recordings"
NEXT = "Add speed perturbation to the noisy clips"
# An update that does not visibly serve the goal above: it calls for tie-to-goal.
OFF_GOAL_DID = "Reviewed two workshop papers and planned the team offsite"

IntentT = TypeVar("IntentT", bound=Intent)


def member(user_id: str = "U1", name: str = "Ada", tenant: TenantRef = TEAM) -> Actor:
    """An actor of ``tenant``; ``member("U2", "Grace")`` is her teammate."""
    return Actor(tenant, user_id, name)


def text(intent: Intent) -> str:
    """What an intent says, member words included, as one string."""
    assert isinstance(intent, Reply | DirectMessage | ChannelPost | TryAgainLater), intent
    return plain(intent.body)


def only(intents: Sequence[Intent], kind: type[IntentT]) -> IntentT:
    """The one intent of ``kind`` among ``intents``."""
    found = [i for i in intents if isinstance(i, kind)]
    assert len(found) == 1, f"expected one {kind.__name__}, got {intents!r}"
    return found[0]


def button_value(intent: Reply | DirectMessage, action: Action) -> str:
    values = [b.value for b in intent.buttons if b.action == action]
    assert len(values) == 1, f"expected one {action} button, got {intent.buttons!r}"
    return values[0]


async def command(
    coach: Coach, actor: Actor, name: str, args: str = "", place: Place = CHANNEL
) -> list[Intent]:
    return await coach.handle(CommandInvoked(actor, place, name, args))


async def press(
    coach: Coach, actor: Actor, action: Action | str, value: str = "", place: Place = CHANNEL
) -> list[Intent]:
    return await coach.handle(ButtonPressed(actor, place, str(action), value))


async def press_offer(
    coach: Coach, actor: Actor, offer: Reply | DirectMessage, action: Action, place: Place = CHANNEL
) -> list[Intent]:
    """Press the ``action`` button that ``offer`` carries."""
    return await press(coach, actor, action, button_value(offer, action), place)


async def abandon(coach: Coach, actor: Actor, ref: int) -> Reply:
    """``/goal abandon N``, confirmed with its button; return the coach's answer."""
    asked = only(await command(coach, actor, "goal", f"abandon {ref}"), Reply)
    return only(await press_offer(coach, actor, asked, Action.ABANDON_GOAL), Reply)


async def dm(coach: Coach, actor: Actor, message: str) -> list[Intent]:
    return await coach.handle(MessageReceived(actor, DM, message))


async def set_goal(
    coach: Coach,
    actor: Actor,
    capability: str = CAPABILITY,
    metric: str = METRIC,
    direction: str = "down",
    baseline: str = "",
    target: str = "",
) -> Reply:
    """Submit the goal form; return the coach's reply."""
    values = {
        "capability": capability,
        "metric_name": metric,
        "direction": direction,
        "baseline": baseline,
        "target": target,
    }
    intents = await coach.handle(FormSubmitted(actor, CHANNEL, "goal", values))
    return only(intents, Reply)


async def check_in(
    coach: Coach,
    actor: Actor,
    *,
    did: str = ON_GOAL_DID,
    moves_goal: str = ON_GOAL_MOVES,
    metric_value: str = "",
    next_experiment: str = NEXT,
    failed: str = "",
    goal: str | None = None,
    context: str = "",
    place: Place = CHANNEL,
) -> list[Intent]:
    """Submit the check-in form. By default an on-goal update that calls for no nudge."""
    values = {
        "did": did,
        "moves_goal": moves_goal,
        "metric_value": metric_value,
        "next_experiment": next_experiment,
        "failed": failed,
    }
    if goal is not None:
        values["goal"] = goal
    return await coach.handle(FormSubmitted(actor, place, "checkin", values, context))


async def rows(coach: Coach, model: type[Any], *conditions: Any) -> list[Any]:
    """Every stored row of ``model`` matching ``conditions``, oldest first."""
    async with coach.db.session() as session:
        query = select(model).where(*conditions).order_by(model.id)
        return list((await session.execute(query)).scalars().all())


async def nudge_ids(coach: Coach, reply: Reply) -> list[str]:
    """The nudges a reply gave, in order, read back from their NudgeRecord rows."""
    record_ids = [int(b.value) for b in reply.buttons if b.action == Action.NUDGE_HELPFUL]
    if not record_ids:
        return []
    records = {r.id: r for r in await rows(coach, NudgeRecord, NudgeRecord.id.in_(record_ids))}
    return [records[i].nudge_id for i in record_ids]
