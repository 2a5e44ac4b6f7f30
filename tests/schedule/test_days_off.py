"""Holidays, work days, mute and vacation: no prompt while they apply, and the next one on time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.store import Database
from bot.store.models import Delivery
from tests.schedule.helpers import Rig, person, said, utc

SUNDAY = datetime(2026, 11, 1, 4, 0, tzinfo=UTC)
# Ticks at 04:00, 10:00, 16:00 and 22:00: a 10:00 prompt goes out on the tick at 10:00, and one
# sent at any other time would show.
STEP = timedelta(hours=6)


async def test_a_holiday_moves_the_prompt_to_the_next_work_day(db: Database) -> None:
    rig = Rig(db, SUNDAY)
    admin = person("UA", admin=True)
    await rig.team_rhythm(admin, day="monday", at="10:00", holidays="2026-11-02")
    ada = person("U1")
    await rig.join(ada)

    await rig.run_until(utc(2026, 11, 3, 4, 0), STEP)
    assert rig.messenger.prompts_to("U1") == []  # not on the holiday
    await rig.run_until(utc(2026, 11, 10, 4, 0), STEP)
    assert [p.at for p in rig.messenger.prompts_to("U1")] == [
        utc(2026, 11, 3, 10, 0),  # Tuesday, the next work day
        utc(2026, 11, 9, 10, 0),  # and back on Monday the week after
    ]


async def test_a_week_of_holidays_has_no_prompt(db: Database) -> None:
    rig = Rig(db, SUNDAY)
    admin = person("UA", admin=True)
    week = ", ".join(f"2026-11-0{d}" for d in range(2, 7))
    await rig.team_rhythm(admin, day="wednesday", at="10:00", holidays=week)
    await rig.join(person("U1"))

    await rig.run_until(utc(2026, 11, 12, 4, 0), STEP)
    assert [p.at for p in rig.messenger.prompts_to("U1")] == [utc(2026, 11, 11, 10, 0)]
    assert await rig.deliveries(Delivery.kind == "checkin", Delivery.period == "2026-W45") == []


async def test_the_prompt_waits_for_the_first_work_day(db: Database) -> None:
    rig = Rig(db, SUNDAY)
    admin = person("UA", admin=True)
    await rig.team_rhythm(admin, day="monday", at="10:00", work_days="tue, wed, thu, fri, sat")
    tokyo = person("U2", timezone="Asia/Tokyo")
    await rig.join(tokyo)
    await rig.own_schedule(tokyo, "saturday", "13:00", "Asia/Tokyo")
    await rig.join(person("U1"))

    await rig.run_until(utc(2026, 11, 9, 4, 0), STEP)
    assert [p.at for p in rig.messenger.prompts_to("U1")] == [utc(2026, 11, 3, 10, 0)]
    # Her own day is a work day: Saturday 13:00 in Tokyo is Saturday 04:00 UTC.
    assert [p.at for p in rig.messenger.prompts_to("U2")] == [utc(2026, 11, 7, 4, 0)]


async def test_mute_and_vacation_skip_prompts_until_their_date(db: Database) -> None:
    rig = Rig(db, SUNDAY)
    muted, away, unmuted, control = (person(f"U{n}") for n in range(1, 5))
    for member in (muted, away, unmuted, control):
        await rig.join(member)
    assert "2026-11-02" in said(await rig.command(muted, "coach", "mute until 2026-11-02"))
    assert "2026-11-13" in said(await rig.command(away, "coach", "vacation until 2026-11-13"))
    await rig.command(unmuted, "coach", "mute until 2026-12-31")
    await rig.command(unmuted, "coach", "unmute")

    await rig.run_until(utc(2026, 11, 17, 4, 0), STEP)

    def times(user: str) -> list[datetime]:
        return [p.at for p in rig.messenger.prompts_to(user)]

    mondays = [utc(2026, 11, 2, 10, 0), utc(2026, 11, 9, 10, 0), utc(2026, 11, 16, 10, 0)]
    assert times("U4") == mondays
    assert times("U3") == mondays  # unmuted: as if never muted
    assert times("U1") == mondays[1:]  # muted through Monday the 2nd, back on time after
    assert times("U2") == mondays[2:]  # away through Friday the 13th
    # Muted weeks leave no delivery row at all: nothing is claimed, missed or sent late.
    assert len(await rig.deliveries(Delivery.target == "U2", Delivery.kind == "checkin")) == 1
