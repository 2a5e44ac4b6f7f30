"""Editing a check-in after sending it: ``/checkin edit`` (the latest) or its "Edit" button.

A check-in can be edited until it is published or for 24 hours after it is sent, whichever is
later (``editable_until``): a private one as long as it stays private, a published one for the
rest of its first day. The form opens with what was sent; the edit changes the check-in in
place (its number too, and the goal's best read again, ``scope.edit_checkin``) and is answered
like a fresh check-in (``bot.coach.checkins.answer``), with no second check-in recorded. A
published check-in can be corrected: the team sees the corrected words where it was published
(the digest's thread when it went out with a digest; a digest still to come simply shows it as
it is), always as the member's own text.

    >>> only(await press(coach, ada, Action.EDIT_CHECKIN, "12"), OpenForm).form.form_id
    'checkin_edit'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.coach import forms
from bot.coach.checkins import HISTORY, answer
from bot.coach.history import day_of
from bot.coach.submission import rejection
from bot.coach.team import team_channel
from bot.coach.turn import Turn
from bot.events import (
    Action,
    ChannelPost,
    Content,
    Form,
    Intent,
    OpenForm,
    Reply,
    UserText,
)
from bot.schedule.summary import team_summary
from bot.store.views import CheckInView, GoalView

FORM = "checkin_edit"
WINDOW = timedelta(hours=24)
# A form opened within the window may be sent a little after it closes: the member chose to
# edit in time, and their words are not turned away for a slow hand.
GRACE = timedelta(hours=1)
FIELDS = ("did", "moves_goal", "metric_value", "next_experiment", "failed")


def editable_until(checkin: CheckInView) -> datetime:
    """Until when ``checkin`` can be edited: until it is published or 24 hours after it was
    sent, whichever is later. One not published (yet) stays the member's own to change."""
    until = checkin.created_at + WINDOW
    published = checkin.published_at
    if published is None:
        return datetime.max.replace(tzinfo=UTC) - GRACE
    return max(published, until)


def editable(checkin: CheckInView, now: datetime) -> bool:
    return now <= editable_until(checkin)


async def open_latest(turn: Turn, text: str) -> list[Intent]:
    """``/checkin edit``: the form for the member's latest check-in, filled in as it was sent."""
    if text.strip():
        return [Reply(turn.say("usage", usage=turn.words("usage_checkin_edit")))]
    latest = await turn.scope.latest_checkin(turn.member)
    if latest is None:
        return [Reply(turn.say("checkin_edit_none"))]
    return await _open(turn, latest)


async def open_chosen(turn: Turn, value: str) -> list[Intent]:
    """The "Edit" button: ``value`` names a check-in, which must be the member's own."""
    checkin = await _own(turn, value)
    if checkin is None:
        return [Reply(turn.say("checkin_edit_unknown"))]
    return await _open(turn, checkin)


async def _own(turn: Turn, value: str) -> CheckInView | None:
    """The member's check-in that ``value`` names; ``None`` for any other (or none)."""
    value = value.strip()
    return await turn.scope.checkin(turn.member, int(value)) if value.isdigit() else None


async def _open(turn: Turn, checkin: CheckInView) -> list[Intent]:
    if not editable(checkin, turn.now):
        return [_closed(turn, checkin)]
    goal = await turn.scope.goal_by_id(checkin.goal_id) if checkin.goal_id else None
    sent = {
        "did": checkin.did,
        "moves_goal": checkin.moves_goal,
        "metric_value": forms.shown(checkin.metric_value, checkin.metric_value_text)
        if checkin.metric_value is not None
        else "",
        "next_experiment": checkin.next_experiment,
        "failed": checkin.failed,
    }
    return [OpenForm(forms.with_values(_form(turn, checkin, goal), sent))]


def _form(turn: Turn, checkin: CheckInView, goal: GoalView | None) -> Form:
    """The check-in form on the check-in's own goal, titled as an edit; its context names the
    check-in (checked again to be the member's when it comes back)."""
    form = forms.checkin_form(goal.metric_name if goal else None, prompts=turn.prompts)
    return replace(
        form,
        form_id=FORM,
        title=turn.words("checkin_edit_form_title"),
        submit_label=turn.words("checkin_edit_form_submit"),
        context=str(checkin.id),
    )


def _closed(turn: Turn, checkin: CheckInView) -> Reply:
    return Reply(turn.say("checkin_edit_closed", day=day_of(turn, checkin.created_at)))


async def submit(turn: Turn, values: Mapping[str, str], context: str) -> list[Intent]:
    """The edited check-in: saved in place and answered like a fresh one; a published one is
    corrected where the team saw it."""
    checkin = await _own(turn, context)
    if checkin is None:
        return [Reply(turn.say("checkin_edit_unknown"))]
    if turn.now > editable_until(checkin) + GRACE:
        return [_closed(turn, checkin)]
    goal = await turn.scope.goal_by_id(checkin.goal_id) if checkin.goal_id else None
    rejected = await rejection(turn, _form(turn, checkin, goal), values)
    if rejected is not None:
        return [rejected]
    field = {name: values.get(name, "").strip() for name in FIELDS}
    earlier = []
    if goal is not None:  # the goal's check-ins before this one: the member's vocabulary
        latest = await turn.scope.goal_checkins(goal, HISTORY + 1)
        earlier = [c for c in latest if c.id != checkin.id and c.created_at <= checkin.created_at]
    edited = await turn.scope.edit_checkin(
        checkin,
        did=field["did"],
        moves_goal=field["moves_goal"],
        metric_value=forms.number(field["metric_value"]),
        metric_value_text=forms.kept(field["metric_value"]),
        next_experiment=field["next_experiment"],
        failed=field["failed"],
    )
    before = [] if edited.before is None else [edited.before]
    intents, _ = await answer(
        turn, edited.goal, edited.checkin, field, earlier[:HISTORY], before, edited.best_before
    )
    said = turn.say("checkin_edited", day=day_of(turn, checkin.created_at))
    reply = next(i for i in intents if isinstance(i, Reply))  # the answer comes first
    rest = [i for i in intents if i is not reply]
    if checkin.published_at is None:
        return [replace(reply, body=(*said, *reply.body)), *rest]
    # Published: it cannot be published again, and the team sees the correction.
    post, note = await _correction(turn, edited.checkin, edited.goal)
    buttons = tuple(b for b in reply.buttons if b.action != Action.PUBLISH_CHECKIN)
    return [replace(reply, body=(*said, *reply.body, *note), buttons=buttons), *rest, *post]


async def _correction(
    turn: Turn, checkin: CheckInView, goal: GoalView | None
) -> tuple[list[Intent], Content]:
    """The corrected check-in, posted where the team saw it: in its digest's thread when a
    digest carried it, else in the team channel it was published to; or what the member is
    told instead (a digest still to come shows it as it is now)."""
    item = await turn.scope.digest_item(checkin)
    if item is not None and item.pending:
        return [], turn.say("checkin_edit_digest_waiting")
    if item is not None:
        channel, thread = item.channel_id, item.thread_id
    else:
        channel, thread = await team_channel(turn, checkin.channel_id), None
    if channel is None:  # the team never saw it (its digest item was not sent)
        return [], ()
    name = turn.member.display_name or turn.member.user_id
    summary = team_summary(turn.prompts, turn.member, checkin, goal)
    head = turn.say("team_checkin_head", name=UserText(name))
    assert summary[: len(head)] == head, "a published check-in starts with who checked in"
    body = (
        *turn.say("checkin_correction", name=UserText(name), day=day_of(turn, checkin.created_at)),
        *summary[len(head) :],
    )
    return [ChannelPost(channel, body, thread, confirm=turn.say("checkin_edit_corrected"))], ()
