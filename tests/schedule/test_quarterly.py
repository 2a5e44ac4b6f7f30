"""The best five, reviewed: the clock is driven across the start of a quarter (the first
Monday of January 2027) with members in two time zones. Each member with best works gets
exactly one DM, at their own check-in time; none goes to one who turned it off or has no
works, and none comes again that quarter. The DM lists the five and asks one question; its
button opens a one-field form whose answer lands in the notebook."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.events import (
    Action,
    Actor,
    ButtonPressed,
    FormSubmitted,
    OpenForm,
    Place,
    Reply,
    plain,
)
from bot.schedule.calendar import next_quarterly
from bot.store import Database
from bot.store.deliveries import DeliveryKind
from bot.store.models import Delivery, NotebookEntry
from tests.schedule.helpers import Rig, Sent, person, utc

ADA_DUE = utc(2027, 1, 4, 8, 0)  # 09:00 in Berlin, her own check-in time
BO_DUE = utc(2027, 1, 4, 18, 0)  # 10:00 in Los Angeles, the team's check-in time
WORKS = [
    ("Geometry prover", "https://example.org/prover"),
    ("Clinic ASR harness", ""),
    ("Sparse attention note", ""),
    ("Laundry folding demo", ""),
    ("Reward model audit", ""),
    ("Sixth thing, not in the five", ""),
]


def reviews(rig: Rig, user_id: str) -> list[Sent]:
    """The quarterly DMs sent to ``user_id``: those carrying the bet button."""
    return [
        s
        for s in rig.messenger.dms(user_id)
        if any(b.action == Action.QUARTERLY_BET for b in s.buttons)
    ]


async def add_works(rig: Rig, actor: Actor, works: list[tuple[str, str]]) -> None:
    for title, link in works:
        said = await rig.form(actor, "work", {"title": title, "link": link, "why": ""})
        assert any(isinstance(i, Reply) and "Added" in plain(i.body) for i in said), said


async def test_one_review_per_member_with_works_across_a_quarter_start(db: Database) -> None:
    rig = Rig(db, utc(2026, 12, 21, 12, 0))
    ada = person("U1", "Ada", timezone="Europe/Berlin")
    bo = person("U2", "Bo", timezone="America/Los_Angeles")
    cy = person("U3", "Cy", timezone="Europe/Berlin")  # no works
    di = person("U4", "Di", timezone="America/Los_Angeles")  # turned it off
    for actor in (ada, bo, cy, di):
        await rig.join(actor)
    await rig.own_schedule(ada, "wednesday", "09:00", "Europe/Berlin")
    # What led to her best work: written before it was added, naming a word of its title.
    await rig.check_in(ada, "Built the geometry prover baseline", moves_goal="closes olympiad")
    await rig.command(ada, "log", "The provers stall on long constructions; try lemmas first")
    await rig.command(ada, "log", "Team offsite planning")  # names no title: not shown
    rig.clock.advance(timedelta(days=1))
    await add_works(rig, ada, WORKS)
    rig.clock.advance(timedelta(minutes=5))
    await rig.command(ada, "log", "geometry prover is done, written after it was added")
    await add_works(rig, bo, WORKS[:2])
    await add_works(rig, di, WORKS[:1])
    off = await rig.command(di, "coach", "quarterly off")
    assert "is off" in plain(off[0].body)  # type: ignore[union-attr]

    await rig.run_until(utc(2027, 1, 6), step=timedelta(hours=2), also=[ADA_DUE, BO_DUE])

    (to_ada,) = reviews(rig, "U1")
    (to_bo,) = reviews(rig, "U2")
    assert (to_ada.at, to_bo.at) == (ADA_DUE, BO_DUE)  # each at their own time, in their zone
    assert reviews(rig, "U3") == [] and reviews(rig, "U4") == []
    text = to_ada.text
    assert text.startswith("A new quarter, Ada.") and "best few works" in text
    for number, (title, _) in enumerate(WORKS[:5], start=1):
        assert f"\n\n{number}. {title}" in text
    assert "Sixth thing" not in text
    assert "1. Geometry prover — https://example.org/prover" in text
    assert "· check-in, 21 Dec 2026: Built the geometry prover baseline" in text
    assert "· notebook, 21 Dec 2026: The provers stall on long constructions" in text
    assert "offsite" not in text and "written after it was added" not in text
    assert text.endswith(
        "Which one bet would most change this list by next quarter? "
        "One is plenty, and it may fail: that is the price of the upside."
    )
    assert {"Ada", "Geometry prover"} <= set(to_ada.member_words)  # escaped by each platform

    # A setting changed after it went out computes the next one anew: not this quarter again.
    await rig.own_schedule(ada, "wednesday", "07:00", "Europe/Berlin")
    await rig.run_until(utc(2027, 3, 31), step=timedelta(days=1))
    assert len(reviews(rig, "U1")) == 1 and len(reviews(rig, "U2")) == 1
    async with db.session() as session:
        periods = (
            await session.execute(
                select(Delivery.target, Delivery.period).where(
                    Delivery.kind == DeliveryKind.QUARTERLY_REVIEW
                )
            )
        ).all()
    assert sorted(periods) == [("U1", "2027-Q1"), ("U2", "2027-Q1")]


async def test_the_button_opens_a_form_whose_answer_lands_in_the_notebook(
    db: Database,
) -> None:
    rig = Rig(db, utc(2027, 3, 29, 12, 0))
    ada = person("U1", "Ada", timezone="Europe/Berlin")
    await rig.join(ada)
    await add_works(rig, ada, WORKS[:2])
    april = utc(2027, 4, 5, 8, 0)  # 10:00 in Berlin (summer time): the team's time
    await rig.run_until(utc(2027, 4, 6), step=timedelta(hours=6), also=[april])
    (review,) = reviews(rig, "U1")
    assert review.at == april
    (bet,) = [b for b in review.buttons if b.action == Action.QUARTERLY_BET]
    assert bet.value == "2027-Q2"

    opened = await rig.coach.handle(ButtonPressed(ada, Place.dm(), bet.action, bet.value))

    (form,) = [i for i in opened if isinstance(i, OpenForm)]
    assert form.form.form_id == "quarterly" and len(form.form.fields) == 1
    answer = "Scale the prover to IMO shortlists with a lemma library"
    said = await rig.coach.handle(
        FormSubmitted(ada, Place.dm(), "quarterly", {"bet": answer}, form.form.context)
    )
    assert "Noted in your notebook" in plain(said[0].body)  # type: ignore[union-attr]
    async with db.session() as session:
        notes = (await session.execute(select(NotebookEntry.text))).scalars().all()
    assert notes == [f"Bet for 2027-Q2: {answer}"]


async def test_turned_back_on_it_comes_next_quarter(db: Database) -> None:
    rig = Rig(db, utc(2027, 6, 1, 12, 0))
    ada = person("U1", "Ada", timezone="UTC")
    await rig.join(ada)
    await add_works(rig, ada, WORKS[:1])
    await rig.command(ada, "coach", "quarterly off")
    await rig.run_until(utc(2027, 7, 6), step=timedelta(hours=12))
    assert reviews(rig, "U1") == []
    said = await rig.command(ada, "coach", "quarterly on")
    assert "is on" in plain(said[0].body)  # type: ignore[union-attr]
    await rig.run_until(utc(2027, 10, 5), step=timedelta(hours=12), also=[utc(2027, 10, 4, 10)])
    (review,) = reviews(rig, "U1")
    assert review.at == utc(2027, 10, 4, 10)


def test_a_muted_member_has_it_on_the_first_monday_after_the_mute() -> None:
    after = utc(2026, 12, 20)
    assert next_quarterly("UTC", "10:00", after) == (utc(2027, 1, 4, 10), "2027-Q1")
    muted = next_quarterly("UTC", "10:00", after, mute_until=utc(2027, 1, 10).date())
    assert muted == (utc(2027, 1, 11, 10), "2027-Q1")
    # Muted for the whole quarter: the next one.
    long = next_quarterly("UTC", "10:00", after, mute_until=utc(2027, 3, 30).date())
    assert long == (utc(2027, 4, 5, 10), "2027-Q2")


async def test_after_downtime_it_is_caught_up_within_grace_and_missed_after(
    db: Database,
) -> None:
    rig = Rig(db, utc(2026, 12, 28, 12, 0))
    ada = person("U1", "Ada", timezone="UTC")
    bo = person("U2", "Bo", timezone="Asia/Tokyo")  # 10:00 in Tokyo is 01:00 UTC
    for actor in (ada, bo):
        await rig.join(actor)
        await add_works(rig, actor, WORKS[:1])
    await rig.step()
    # Down from before both fell due until 13:00 UTC: Ada's (10:00) is 3 hours late, within
    # the grace window; Bo's (01:00) is 12 hours late, past it.
    rig.clock.advance(utc(2027, 1, 4, 13, 0) - rig.now)
    await rig.step()

    (late,) = reviews(rig, "U1")
    assert late.at == utc(2027, 1, 4, 13, 0)
    assert reviews(rig, "U2") == []
    async with db.session() as session:
        missed = (
            await session.execute(
                select(Delivery.target, Delivery.status).where(
                    Delivery.kind == DeliveryKind.QUARTERLY_REVIEW
                )
            )
        ).all()
    assert sorted(missed) == [("U1", "sent"), ("U2", "missed")]
