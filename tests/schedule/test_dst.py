"""Prompts on the days clocks change, and at both ends of the earth: the clock is driven through
each whole local day in small steps, ticking and draining after every step."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.store import Database
from bot.store.models import Delivery
from tests.schedule.helpers import ALL_DAYS, Rig, person, utc

STEP = timedelta(minutes=15)  # ticks land on every :00, :15, :30 and :45, in UTC and locally


# (zone, the Sunday clocks change, {member's local time: the one instant it must be sent at})
SPRING = [
    ("America/New_York", date(2026, 3, 8), {"02:30": utc(2026, 3, 8, 7, 30)}),
    ("Europe/Berlin", date(2026, 3, 29), {"02:30": utc(2026, 3, 29, 1, 30)}),
    ("Australia/Sydney", date(2026, 10, 4), {"02:30": utc(2026, 10, 3, 16, 30)}),
]
# 01:30 is the repeated hour in New York; Berlin and Sydney repeat 02:00 to 03:00 instead.
AUTUMN = [
    (
        "America/New_York",
        date(2026, 11, 1),
        {"01:30": utc(2026, 11, 1, 5, 30), "02:30": utc(2026, 11, 1, 7, 30)},
    ),
    (
        "Europe/Berlin",
        date(2026, 10, 25),
        {"01:30": utc(2026, 10, 24, 23, 30), "02:30": utc(2026, 10, 25, 0, 30)},
    ),
    (
        "Australia/Sydney",
        date(2026, 4, 5),
        {"01:30": utc(2026, 4, 4, 14, 30), "02:30": utc(2026, 4, 4, 15, 30)},
    ),
]


def local_start(day: date, zone: str) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(zone)).astimezone(UTC)


# Every zone on SQLite; New York's two days on PostgreSQL too (the database only stores UTC
# instants, so one pair there shows the same arithmetic survives the round trip).
CASES = [
    pytest.param(backend, zone, day, expected, id=f"{backend}-{zone}-{day}")
    for zone, day, expected in SPRING + AUTUMN
    for backend in ("sqlite", "postgresql")
    if backend == "sqlite" or zone == "America/New_York"
]


@pytest.mark.parametrize(("db", "zone", "day", "expected"), CASES, indirect=["db"])
async def test_one_prompt_on_the_day_clocks_change(
    db: Database, zone: str, day: date, expected: dict[str, datetime]
) -> None:
    rig = Rig(db, local_start(day, zone) - timedelta(hours=1))
    admin = person("UA", timezone=zone, admin=True)
    await rig.team_rhythm(admin, timezone=zone, work_days=ALL_DAYS)
    members = {at: person(f"U{at.replace(':', '')}", timezone=zone) for at in expected}
    for at, member in members.items():
        await rig.own_schedule(member, "sunday", at, zone)

    await rig.run_until(local_start(day, zone))
    await rig.run_until(local_start(day + timedelta(days=1), zone), STEP)  # 23, 24 or 25 hours

    for at, member in members.items():
        (prompt,) = rig.messenger.prompts_to(member.user_id)
        assert prompt.at == expected[at], at  # on the first tick at or after its instant
        (row,) = await rig.deliveries(Delivery.target == member.user_id, Delivery.kind == "checkin")
        assert row.due_at == expected[at] and row.status == "sent"
        # The next one is a week later at the same wall time, in whatever offset then applies.
        following = (await rig.member(member)).next_checkin_at
        assert following is not None
        local = following.astimezone(ZoneInfo(zone))
        assert (local.date(), f"{local:%H:%M}") == (day + timedelta(weeks=1), at)


async def test_the_ends_of_the_earth_get_theirs_on_their_own_monday(db: Database) -> None:
    """Monday 09:00 at UTC+14 is Sunday 19:00 UTC; at UTC-12 it is Monday 21:00 UTC."""
    rig = Rig(db, utc(2026, 11, 1, 10, 0))  # Sunday, before either is due
    admin = person("UA", timezone="UTC", admin=True)
    await rig.team_rhythm(admin, day="monday", at="09:00")
    far_east = person("UKIR", timezone="Pacific/Kiritimati")
    far_west = person("UBAK", timezone="Etc/GMT+12")
    for member in (far_east, far_west):
        await rig.join(member)

    await rig.run_until(utc(2026, 11, 3, 0, 0), timedelta(minutes=30))

    for member, expected in ((far_east, utc(2026, 11, 1, 19, 0)), (far_west, utc(2026, 11, 2, 21))):
        (prompt,) = rig.messenger.prompts_to(member.user_id)
        assert prompt.at == expected
        local = prompt.at.astimezone(ZoneInfo(str(member.timezone)))
        assert local.weekday() == 0 and local.date() == date(2026, 11, 2)
        (row,) = await rig.deliveries(Delivery.target == member.user_id, Delivery.kind == "checkin")
        assert row.period == "2026-W45"  # their own week, though UTC says W44 for one of them
