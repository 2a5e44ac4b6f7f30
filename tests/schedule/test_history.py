"""What a member's history calls for alongside the weekly prompt: the notebook-review prompt every
two weeks while they keep notes, and the long-bet and switch-or-commit nudges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.events import Action
from bot.store import Database
from bot.store.models import Delivery, NudgeRecord
from tests.schedule.helpers import Rig, person, utc

GOAL = {
    "capability": "Robust speech recognition for clinics",
    "metric_name": "clinic WER",
    "direction": "down",
    "baseline": "",
    "target": "",
}
ON_GOAL = {
    "did": "Fine-tuned the clinic audio recognizer on noisy clips",
    "moves_goal": "Lower clinic WER on noisy recordings",
    "next_experiment": "Add speed perturbation",
    "failed": "",
}


def reviews(rig: Rig, user: str) -> list[datetime]:
    return [
        s.at
        for s in rig.messenger.dms(user)
        if any(b.action == Action.DRAFT_REVIEW for b in s.buttons)
    ]


async def test_a_notebook_review_every_two_weeks_while_notes_are_kept(db: Database) -> None:
    rig = Rig(db, datetime(2026, 11, 1, 12, 0, tzinfo=UTC))  # Sunday
    writer, silent = person("U1"), person("U2")
    for member in (writer, silent):
        await rig.join(member)
    await rig.command(writer, "log", "Noisy clips hurt the small model most")

    mondays = [utc(2026, 11, 2, 10) + timedelta(weeks=w) for w in range(4)]
    await rig.run_until(mondays[1] - timedelta(days=5), timedelta(hours=6), also=mondays[:1])
    await rig.command(writer, "log", "Speed perturbation helps")  # Wednesday the 4th
    await rig.run_until(mondays[3] + timedelta(hours=1), timedelta(hours=12), also=mondays)

    # Week 1: notes, no review yet; week 2: asked a week ago; week 3: notes in the last two
    # weeks and no review for two; week 4: no note for two weeks.
    assert reviews(rig, "U1") == [mondays[0], mondays[2]]
    assert reviews(rig, "U2") == []
    assert len(rig.messenger.prompts_to("U1")) == 4  # the weekly prompt still comes each week


async def test_history_nudges_come_with_the_weekly_prompt(db: Database) -> None:
    """Ada's number has not improved for four weeks: switch or commit. Bob works on his goal
    but has recorded no number for three weeks: the long bet. Cy turned nudges off."""
    rig = Rig(db, datetime(2026, 10, 5, 9, 0, tzinfo=UTC))  # a Monday, an hour before prompts
    ada, bob, cy = person("U1", "Ada"), person("U2", "Bob"), person("U3", "Cy")
    for member in (ada, bob, cy):
        await rig.form(member, "goal", GOAL)
    await rig.command(cy, "coach", "nudges off")
    for week, value in enumerate(["0.30", "0.35", "0.33", "0.34", "0.36"]):
        await rig.form(ada, "checkin", {**ON_GOAL, "metric_value": value})
        await rig.form(bob, "checkin", {**ON_GOAL, "metric_value": "0.3" if week == 0 else ""})
        await rig.form(cy, "checkin", {**ON_GOAL, "metric_value": "0.3" if week == 0 else ""})
        rig.clock.advance(timedelta(hours=1))
        await rig.step()  # Monday 10:00: each check-in above answered the week's prompt
        rig.clock.advance(timedelta(days=7, hours=-1))

    nudges = await rig.deliveries(Delivery.kind == "nudge")
    assert sorted((n.due_at, n.target, n.detail["nudge"], n.status) for n in nudges) == [
        (utc(2026, 10, 26, 10), "U2", "long-bet", "sent"),
        (utc(2026, 11, 2, 10), "U1", "switch-or-commit", "sent"),
        (utc(2026, 11, 2, 10), "U2", "long-bet", "sent"),
    ]
    for nudge in nudges:  # delivered by DM, with feedback buttons, and recorded
        (sent,) = [s for s in rig.messenger.dms(nudge.target) if s.at == nudge.due_at]
        assert {b.action for b in sent.buttons} == {Action.NUDGE_HELPFUL, Action.NUDGE_UNHELPFUL}
    async with db.session() as session:
        given = (await session.execute(select(NudgeRecord.batch))).scalars().all()
    assert sum(b.startswith("delivery-") for b in given) == 3  # one record per nudge sent
    assert rig.messenger.dms("U3") == []  # nudges off, and every prompt answered early
