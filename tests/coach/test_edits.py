"""Editing a check-in after sending it: ``/checkin edit`` and the "Edit" button open the form as
it was sent; the edit changes the words, the number and the goal's best, answered like a fresh
check-in; a published one is corrected where the team saw it; outside 24 hours, or on a
teammate's check-in, nothing changes."""

from __future__ import annotations

from datetime import timedelta

from adapters.console import ConsoleSession
from bot.coach import Coach
from bot.events import (
    Action,
    ChannelPost,
    FormSubmitted,
    Intent,
    OpenForm,
    Reply,
    UserText,
)
from bot.ports import ManualClock
from bot.schedule.content import Composer
from bot.store.deliveries import DeliveryKind, DeliveryStatus
from bot.store.models import CheckIn, Delivery, Goal, MetricPoint
from tests.adapters.console.test_transcript import buttons
from tests.coach.helpers import (
    CHANNEL,
    button_value,
    check_in,
    command,
    member,
    only,
    press,
    rows,
    set_goal,
    text,
)
from tests.conftest import say

LAUNDRY = ("/goal set", "Robot arm that folds laundry", "fold success", "1", "0.1", "0.6")
# The console's check-in form: did, how it moves the goal, the number, next experiment, failed.
# In an edit form, Enter keeps what was sent and "-" clears an optional answer.


async def checkin(session: ConsoleSession, did: str, value: str = "") -> str:
    return await say(session, "/checkin", did, "", value, "try 20 more towels", "")


async def checkin_values(coach: Coach) -> list[float]:
    """The goal values that came with check-ins, oldest first."""
    return [p.value for p in await rows(coach, MetricPoint, MetricPoint.checkin_id.is_not(None))]


async def test_the_edit_form_opens_with_what_was_sent(coach: Coach) -> None:
    ada = member()
    await set_goal(coach, ada)
    sent = only(await check_in(coach, ada, did="Cleaned noisy clips", metric_value="0.50"), Reply)

    by_command = only(await command(coach, ada, "checkin", "edit"), OpenForm).form
    by_button = only(
        await press(coach, ada, Action.EDIT_CHECKIN, button_value(sent, Action.EDIT_CHECKIN)),
        OpenForm,
    ).form

    assert by_command == by_button
    assert by_command.form_id == "checkin_edit" and by_command.title == "Edit check-in"
    initial = {f.name: f.initial for f in by_command.fields}
    assert initial["did"] == "Cleaned noisy clips"
    assert initial["metric_value"] == "0.50"  # as typed
    assert "goal" not in initial  # the check-in keeps its goal


async def test_an_edit_within_a_day_changes_words_number_and_best(
    ada: ConsoleSession, coach: Coach, clock: ManualClock
) -> None:
    await say(ada, *LAUNDRY)
    await checkin(ada, "Set up the towel eval", "0.3")
    clock.advance(timedelta(hours=2))
    await checkin(ada, "Trained a diffusion policy", "0.5")
    clock.advance(timedelta(hours=20))

    did = "Trained a diffusion policy on 200 demos"
    out = await say(ada, "/checkin edit", did, "", "0.4", "", "")  # Enter: kept as sent

    assert out.startswith("[only you] Your check-in of Mon 2 Nov is updated.")
    assert "fold success: 0.4, a new best." in out  # over 0.3, the best without this one
    assert "Next: try 20 more towels" in out  # Enter kept the answer as sent
    assert "Publish to team" in buttons(out)  # still unpublished
    (first, second) = await rows(coach, CheckIn)
    assert second.did == "Trained a diffusion policy on 200 demos" and second.metric_value == 0.4
    assert first.did == "Set up the towel eval"
    assert await checkin_values(coach) == [0.3, 0.4]  # changed, not added
    (goal,) = await rows(coach, Goal)
    assert goal.current_best == 0.4  # 0.5 was the best: read again

    lower = await say(ada, "/checkin edit", "", "", "0.2", "", "")
    assert "fold success: 0.2 (best so far 0.3)" in lower
    (goal,) = await rows(coach, Goal)
    assert goal.current_best == 0.3

    await say(ada, "/checkin edit", "", "", "-", "", "")  # the number cleared
    assert await checkin_values(coach) == [0.3]
    assert "fold success 0.3" in await say(ada, "/checkin history")
    assert len(await rows(coach, CheckIn)) == 2  # never a second check-in


async def test_a_checkin_kept_private_can_be_edited_after_a_day(
    ada: ConsoleSession, coach: Coach, clock: ManualClock
) -> None:
    await say(ada, *LAUNDRY)
    await checkin(ada, "Set up the towel eval", "0.3")
    clock.advance(timedelta(days=3))

    out = await say(ada, "/checkin edit", "Set up the towel eval on the real arm", "", "", "", "")

    assert "can't be edited" not in out
    (kept,) = await rows(coach, CheckIn)
    assert kept.did == "Set up the towel eval on the real arm"


async def test_after_a_day_a_published_checkin_cannot_be_edited(
    ada: ConsoleSession, coach: Coach, clock: ManualClock
) -> None:
    await say(ada, *LAUNDRY)
    sent = await checkin(ada, "Set up the towel eval", "0.3")
    await say(ada, str(buttons(sent)["Publish to team"]))
    clock.advance(timedelta(hours=25))

    by_command = await say(ada, "/checkin edit")

    closed = (
        "[only you] Your check-in of Mon 2 Nov can't be edited any more: a published check-in"
        " can be changed for 24 hours after you send it."
    )
    assert by_command.startswith(closed)
    assert "(form)" not in ada.prompt
    (kept,) = await rows(coach, CheckIn)
    assert kept.did == "Set up the towel eval" and kept.metric_value == 0.3


async def test_a_form_sent_just_after_the_day_is_still_taken(
    coach: Coach, clock: ManualClock
) -> None:
    ada = member()
    await set_goal(coach, ada)
    sent = only(await check_in(coach, ada, metric_value="0.3"), Reply)
    checkin_id = button_value(sent, Action.EDIT_CHECKIN)
    await press(coach, ada, Action.PUBLISH_CHECKIN, button_value(sent, Action.PUBLISH_CHECKIN))
    form = only(await press(coach, ada, Action.EDIT_CHECKIN, checkin_id), OpenForm).form
    values = {f.name: f.initial for f in form.fields} | {"metric_value": "0.25"}
    clock.advance(timedelta(hours=24, minutes=30))

    late = await coach.handle(FormSubmitted(ada, CHANNEL, form.form_id, values, form.context))
    clock.advance(timedelta(hours=1))
    too_late = await coach.handle(FormSubmitted(ada, CHANNEL, form.form_id, values, form.context))

    assert "updated" in text(only(late, Reply))
    assert "can't be edited any more" in text(only(too_late, Reply))


async def test_a_published_checkin_is_corrected_in_the_channel_as_member_text(
    ada: ConsoleSession, coach: Coach, clock: ManualClock
) -> None:
    await say(ada, *LAUNDRY)
    sent = await checkin(ada, "Set up the towel eval", "0.3")
    published = await say(ada, str(buttons(sent)["Publish to team"]))
    assert published.startswith("[#team] Ada checked in.")
    clock.advance(timedelta(hours=3))

    out = await say(
        ada, "/checkin edit", "Set up the towel eval\x1b[2J for <!channel>", "", "0.35", "", ""
    )

    assert "Publish to team" not in buttons(out)  # it is published already
    post = out[out.index("[#team]") :]
    assert post.startswith("[#team] Ada corrected their check-in of Mon 2 Nov:")
    assert "Did: Set up the towel eval[2J for <!channel>" in post  # no terminal control
    assert "\x1b" not in out
    assert "fold success: 0.35" in post
    assert "The correction is posted where your check-in was published." in out


async def test_the_correction_carries_the_words_as_member_text(coach: Coach) -> None:
    ada = member()
    await set_goal(coach, ada)
    sent = only(await check_in(coach, ada, metric_value="0.3"), Reply)
    checkin_id = button_value(sent, Action.EDIT_CHECKIN)
    only(await press(coach, ada, Action.PUBLISH_CHECKIN, checkin_id), ChannelPost)
    form = only(await press(coach, ada, Action.EDIT_CHECKIN, checkin_id), OpenForm).form
    values = {f.name: f.initial for f in form.fields} | {"did": "Fixed it, <!here> @everyone"}

    intents = await coach.handle(FormSubmitted(ada, CHANNEL, form.form_id, values, form.context))

    post = only(intents, ChannelPost)
    assert post.channel_id == "C1" and post.thread_id is None
    assert UserText("Fixed it, <!here> @everyone") in post.body
    assert all("<!here>" not in part for part in post.body if isinstance(part, str))


async def published_with_digest(coach: Coach, checkin_id: str, item: DeliveryStatus) -> None:
    """The check-in published for its week's digest: the digest out in C9 (thread 1700.01),
    the check-in's own item in that thread ``item`` (pending: not out yet)."""
    async with coach.db.session() as session:
        row = await session.get(CheckIn, int(checkin_id))
        assert row is not None
        row.published_at = coach.clock.now()
        for kind, target, status, detail in (
            (DeliveryKind.DIGEST, "C9", DeliveryStatus.SENT, {"ts": "1700.01"}),
            (DeliveryKind.DIGEST_ITEM, f"checkin:{checkin_id}", item, {"checkin_id": row.id}),
        ):
            session.add(
                Delivery(
                    tenant_id=row.tenant_id,
                    member_id=row.member_id,
                    kind=kind,
                    target=target,
                    period="2026-W45",
                    due_at=coach.clock.now(),
                    next_attempt_at=coach.clock.now(),
                    status=status,
                    detail=detail,
                )
            )


async def edit_words(coach: Coach, checkin_id: str, did: str) -> list[Intent]:
    ada = member()
    form = only(await press(coach, ada, Action.EDIT_CHECKIN, checkin_id), OpenForm).form
    values = {f.name: f.initial for f in form.fields} | {"did": did}
    return await coach.handle(FormSubmitted(ada, CHANNEL, form.form_id, values, form.context))


async def test_a_checkin_published_in_a_sent_digest_is_corrected_in_its_thread(
    coach: Coach,
) -> None:
    await set_goal(coach, member())
    sent = only(await check_in(coach, member(), metric_value="0.3"), Reply)
    checkin_id = button_value(sent, Action.EDIT_CHECKIN)
    await published_with_digest(coach, checkin_id, DeliveryStatus.SENT)

    intents = await edit_words(coach, checkin_id, "Corrected words")

    post = only(intents, ChannelPost)
    assert (post.channel_id, post.thread_id) == ("C9", "1700.01")
    assert UserText("Corrected words") in post.body


async def test_a_checkin_waiting_for_its_digest_goes_out_as_edited(coach: Coach) -> None:
    await set_goal(coach, member())
    sent = only(await check_in(coach, member(), metric_value="0.3"), Reply)
    checkin_id = button_value(sent, Action.EDIT_CHECKIN)
    await published_with_digest(coach, checkin_id, DeliveryStatus.PENDING)

    intents = await edit_words(coach, checkin_id, "Corrected before the digest")

    assert [i for i in intents if isinstance(i, ChannelPost)] == []  # nothing to correct yet
    assert "which will show it as it is now" in text(only(intents, Reply))
    async with coach.db.session() as session:
        (item,) = await rows(coach, Delivery, Delivery.kind == DeliveryKind.DIGEST_ITEM)
        message = await Composer(coach.prompts).message(session, item)
    assert message is not None and message.thread == "1700.01"
    assert UserText("Corrected before the digest") in message.body


async def test_a_teammates_checkin_cannot_be_edited_by_its_button(coach: Coach) -> None:
    ada, grace = member(), member("U2", "Grace")
    await set_goal(coach, ada)
    sent = only(await check_in(coach, ada, did="Ada's own words", metric_value="0.3"), Reply)
    checkin_id = button_value(sent, Action.EDIT_CHECKIN)

    opened = only(await press(coach, grace, Action.EDIT_CHECKIN, checkin_id), Reply)
    values = {"did": "Grace was here", "metric_value": "0.9"}
    submitted = only(
        await coach.handle(FormSubmitted(grace, CHANNEL, "checkin_edit", values, checkin_id)),
        Reply,
    )
    nonsense = only(await press(coach, ada, Action.EDIT_CHECKIN, "not-a-check-in"), Reply)

    for answer in (opened, submitted):
        assert text(answer).startswith("That check-in is not one of yours, so I can't edit it")
        assert "Ada's own words" not in text(answer)
    assert text(nonsense).startswith("That check-in is not one of yours")
    (checkin,) = await rows(coach, CheckIn)
    assert checkin.did == "Ada's own words" and checkin.metric_value == 0.3
    assert await checkin_values(coach) == [0.3]


async def test_edit_with_no_checkin_says_how_to_check_in(ada: ConsoleSession) -> None:
    out = await say(ada, "/checkin edit")
    assert out == "[only you] You have no check-in to edit yet. /checkin records one."
