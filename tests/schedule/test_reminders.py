"""Early check-ins answer the week's prompt, and so does any check-in that week; one reminder when
a prompt went unanswered, none when it was answered or the team turned reminders off; no channel
tags unless the team asked; quiet weeks get new words, and three of them one note and a pause."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.events import Mention, TenantRef, UserText
from bot.prompts import render
from bot.schedule.content import weekly_words
from bot.store import Database
from bot.store.models import Delivery
from tests.schedule.helpers import CHANNEL, Rig, person, utc

SUNDAY = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)  # the day before everyone's Monday 10:00


async def test_one_reminder_only_when_unanswered(db: Database) -> None:
    rig = Rig(db, SUNDAY)
    admin = person("UA", "Admin", admin=True)
    await rig.command(admin, "coach", "team channel")
    await rig.team_digest(admin, reminder_after_hours="24")
    quiet, answers, early = person("U1", "Quinn"), person("U2", "Ann"), person("U3", "Eve")
    for member in (quiet, answers, early):
        await rig.join(member)
    await rig.check_in(early, "Wrote the eval harness")  # Sunday 10:00: the day before

    off = person("U4", "Otto", admin=True, tenant=TenantRef("slack", "T2"))
    await rig.team_digest(off, reminder_after_hours="0")  # this team wants no reminders

    await rig.run_until(utc(2026, 11, 2, 12, 0), timedelta(hours=2))
    assert sorted(s.target for s in rig.messenger.prompts_to("U1") + rig.messenger.dms("U2")) == [
        "U1",
        "U2",
    ]
    assert rig.messenger.dms("U3") == []  # answered early: no prompt
    (answered,) = await rig.deliveries(Delivery.target == "U3", Delivery.kind == "checkin")
    assert answered.status == "answered"
    assert len(rig.messenger.prompts_to("U4")) == 1

    await rig.check_in(answers, "Ran the ablation")  # Monday 12:00, after the prompt
    await rig.run_until(utc(2026, 11, 3, 10, 0), timedelta(hours=2))
    assert [r.at for r in rig.messenger.reminders_to("U1")] == [utc(2026, 11, 3, 10)]  # +24 h
    await rig.run_until(utc(2026, 11, 7, 0, 0), timedelta(hours=12))

    assert len(rig.messenger.reminders_to("U1")) == 1  # one, never a second
    for user in ("U2", "U3", "U4"):
        assert rig.messenger.reminders_to(user) == [], user
    # Tagging is off by default: no channel post names the member who did not answer.
    assert rig.messenger.posts(CHANNEL)  # the channel did get the week's nudge and digest
    for post in rig.messenger.posts():
        assert not any(isinstance(s, Mention) for s in post.body)
        assert "U1" not in post.text and "Quinn" not in post.text


async def test_the_reminder_delay_is_the_teams(db: Database) -> None:
    rig = Rig(db, SUNDAY)
    admin = person("UA", admin=True)
    await rig.team_digest(admin, reminder_after_hours="4")
    await rig.run_until(utc(2026, 11, 3, 0, 0), timedelta(hours=1))
    assert [r.at for r in rig.messenger.reminders_to("UA")] == [utc(2026, 11, 2, 14)]


async def test_a_check_in_on_the_day_before_answers_the_prompt(db: Database) -> None:
    """In her own zone: Monday 10:00 in Berlin; she checks in on Sunday at 08:00 there, 26 hours
    before. A check-in on Saturday evening does not count."""
    rig = Rig(db, utc(2026, 10, 31, 21, 0))  # Saturday 22:00 in Berlin
    sunday, saturday = (person(u, timezone="Europe/Berlin") for u in ("U1", "U2"))
    for member in (sunday, saturday):
        await rig.join(member)
    await rig.check_in(saturday, "Read two papers")
    rig.clock.advance(timedelta(hours=10))  # Sunday 08:00 in Berlin
    await rig.check_in(sunday, "Cleaned the dataset")

    await rig.run_until(utc(2026, 11, 2, 12, 0), timedelta(hours=1))
    assert [p.at for p in rig.messenger.prompts_to("U2")] == [utc(2026, 11, 2, 9)]
    assert rig.messenger.prompts_to("U1") == []


async def test_tagging_names_non_responders_only_when_the_team_enabled_it(db: Database) -> None:
    rig = Rig(db, SUNDAY)
    admin = person("UA", "Admin", admin=True)
    await rig.command(admin, "coach", "team channel")
    await rig.team_digest(admin, tag="yes")
    for member in (person("U1", "Quinn"), person("U2", "Ann")):
        await rig.join(member)
    rig.clock.advance(timedelta(days=1, hours=1))
    await rig.step()  # Monday 11:00: prompts are out
    await rig.check_in(person("U2", "Ann"), "Ran the ablation")
    await rig.run_until(utc(2026, 11, 7, 0, 0), timedelta(hours=6))

    tags = [p for p in rig.messenger.posts(CHANNEL) if any(isinstance(s, Mention) for s in p.body)]
    (tag,) = tags  # one a period
    assert [s.user_id for s in tag.body if isinstance(s, Mention)] == ["U1", "UA"]
    assert tag.at == rig.messenger.reminders_to("U1")[0].at  # with the reminders


MONDAY_MORNING = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # before everyone's Monday 10:00


async def test_a_week_answered_before_the_day_moved_gets_no_prompt_and_no_reminder(
    db: Database,
) -> None:
    rig = Rig(db, MONDAY_MORNING)
    ada = person("U1", "Ada")
    await rig.join(ada)
    await rig.check_in(ada, "Swapped in a conformer encoder")  # Monday, before the prompt
    await rig.own_schedule(ada, "wednesday", "10:00", "UTC")  # then moves her day

    await rig.run_until(utc(2026, 11, 9, 0, 0), timedelta(hours=2))

    assert rig.messenger.dms("U1") == []  # the week is answered, whatever the day
    (week,) = await rig.deliveries(Delivery.target == "U1", Delivery.kind == "checkin")
    assert (week.period, week.status) == ("2026-W45", "answered")
    await rig.run_until(utc(2026, 11, 12, 0, 0), timedelta(hours=2))
    assert [p.at for p in rig.messenger.prompts_to("U1")] == [utc(2026, 11, 11, 10)]


async def test_silent_weeks_vary_the_words_then_one_note_pauses_the_prompts(
    db: Database,
) -> None:
    rig = Rig(db, MONDAY_MORNING)
    ada = person("U1", "Ada")
    await rig.join(ada)

    await rig.run_until(utc(2026, 11, 23, 0, 0), timedelta(hours=6))  # three silent weeks

    prompts = [p.text for p in rig.messenger.prompts_to("U1")]
    reminders = [r.text for r in rig.messenger.reminders_to("U1")]
    assert len(prompts) == len(set(prompts)) == 3  # never the same words twice
    assert len(reminders) == len(set(reminders)) == 3
    await rig.run_until(utc(2026, 12, 14, 0, 0), timedelta(hours=6))
    pause = [d for d in rig.messenger.dms("U1") if "pause the weekly prompts" in d.text]
    assert [d.at.date() for d in pause] == [date(2026, 11, 23)]  # one note, the fourth week
    assert len(rig.messenger.prompts_to("U1")) == 3  # and nothing after it
    assert len(rig.messenger.dms("U1")) == 7

    await rig.command(ada, "log", "back from the field trip")  # any command: back
    await rig.run_until(utc(2026, 12, 15, 0, 0), timedelta(hours=6))
    assert rig.messenger.prompts_to("U1")[-1].at.date() == date(2026, 12, 14)
    assert rig.messenger.prompts_to("U1")[-1].text == prompts[0]  # an ordinary week again


async def test_a_member_who_writes_without_checking_in_is_not_paused(db: Database) -> None:
    rig = Rig(db, MONDAY_MORNING)
    ada = person("U1", "Ada")
    await rig.join(ada)
    for week in range(5):
        await rig.run_until(utc(2026, 11, 3, 12, 0) + timedelta(weeks=week), timedelta(hours=6))
        await rig.command(ada, "log", f"notes of week {week}")

    assert len(rig.messenger.prompts_to("U1")) == 5
    assert not [d for d in rig.messenger.dms("U1") if "pause" in d.text]


def test_every_weekly_wording_renders_and_says_what_it_is() -> None:
    words = weekly_words()
    name, capability = UserText("<!here> Ada"), UserText("a {braced} goal")
    for key, wordings in (
        ("prompt_goal", words.prompt_goal),
        ("prompt", words.prompt),
        ("reminder", words.reminder),
        ("paused", (words.paused,)),
    ):
        for wording in wordings:
            parts = render(wording, name=name, capability=capability)
            coach_words = "".join(p for p in parts if isinstance(p, str))
            assert "{" not in coach_words and "<!here>" not in coach_words, wording
            assert name in parts, wording
            if key.startswith("prompt"):
                assert "weekly check-in" in wording and "still open" not in wording
            if key == "reminder":
                assert "still open" in wording
