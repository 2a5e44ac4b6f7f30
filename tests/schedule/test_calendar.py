"""The calendar on its own: local wall times to UTC across DST, weeks as periods, days off.

Expected instants are written out by hand (not computed with the code under test)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.schedule.calendar import Rhythm, local_period, next_due, period_of, to_utc
from tests.schedule.helpers import utc

EVERY_DAY = frozenset(range(7))
MON_FRI = frozenset(range(5))


# A wall time that does not exist (clocks jump over it) moves forward by the gap.
SPRING = [
    ("America/New_York", datetime(2026, 3, 8, 2, 30), utc(2026, 3, 8, 7, 30)),  # 03:30 EDT
    ("Europe/Berlin", datetime(2026, 3, 29, 2, 30), utc(2026, 3, 29, 1, 30)),  # 03:30 CEST
    ("Australia/Sydney", datetime(2026, 10, 4, 2, 30), utc(2026, 10, 3, 16, 30)),  # 03:30 AEDT
]
# A wall time that happens twice (clocks go back over it) takes its first occurrence.
AUTUMN = [
    ("America/New_York", datetime(2026, 11, 1, 1, 30), utc(2026, 11, 1, 5, 30)),  # EDT, not EST
    ("Europe/Berlin", datetime(2026, 10, 25, 2, 30), utc(2026, 10, 25, 0, 30)),  # CEST, not CET
    ("Australia/Sydney", datetime(2026, 4, 5, 2, 30), utc(2026, 4, 4, 15, 30)),  # AEDT, not AEST
]


@pytest.mark.parametrize(("zone", "local", "expected"), SPRING + AUTUMN)
def test_to_utc_moves_gaps_forward_and_takes_the_first_of_a_repeat(
    zone: str, local: datetime, expected: datetime
) -> None:
    assert to_utc(local, ZoneInfo(zone)) == expected


@pytest.mark.parametrize(("zone", "local", "expected"), SPRING + AUTUMN)
def test_the_dst_day_has_exactly_one_appointment(
    zone: str, local: datetime, expected: datetime
) -> None:
    """From the start of that local day, the first due instant is the expected one, and the
    one after it is a week later on the same wall time, never the second copy of a repeated
    hour (the APScheduler cron bug: a 01:30 job ran twice on the autumn day)."""
    rhythm = Rhythm(zone, local.weekday(), f"{local:%H:%M}", EVERY_DAY)
    day_start = to_utc(local.replace(hour=0, minute=0), ZoneInfo(zone))
    first = next_due(rhythm, day_start)
    assert first is not None and first[0] == expected
    again = next_due(rhythm, first[0])
    assert again is not None
    assert again[0].astimezone(ZoneInfo(zone)).replace(tzinfo=None) == local + timedelta(weeks=1)
    assert again[1] != first[1]  # the next ISO week


def test_a_weekly_time_keeps_its_wall_clock_across_a_change() -> None:
    rhythm = Rhythm("Europe/Berlin", 0, "09:00", EVERY_DAY)
    before = next_due(rhythm, utc(2026, 10, 19, 0, 0))
    after = next_due(rhythm, utc(2026, 10, 20, 0, 0))
    assert before == (utc(2026, 10, 19, 7, 0), "2026-W43")  # CEST: UTC+2
    assert after == (utc(2026, 10, 26, 8, 0), "2026-W44")  # CET: UTC+1


def test_next_due_is_strictly_after() -> None:
    rhythm = Rhythm("UTC", 0, "10:00", MON_FRI)
    assert next_due(rhythm, utc(2026, 11, 2, 9, 59)) == (utc(2026, 11, 2, 10, 0), "2026-W45")
    assert next_due(rhythm, utc(2026, 11, 2, 10, 0)) == (utc(2026, 11, 9, 10, 0), "2026-W46")


def test_periods_are_iso_weeks_of_the_local_date() -> None:
    assert period_of(date(2026, 11, 2)) == "2026-W45"
    assert period_of(date(2026, 11, 8)) == "2026-W45"  # Sunday ends the week
    assert period_of(date(2027, 1, 1)) == "2026-W53"  # ISO years differ from calendar years
    assert period_of(date(2027, 1, 4)) == "2027-W01"


def test_the_ends_of_the_earth_count_their_own_day() -> None:
    """UTC+14 and UTC-12 are 26 hours apart: Monday 09:00 falls on two different UTC days,
    and each belongs to its own local week."""
    kiritimati = next_due(Rhythm("Pacific/Kiritimati", 0, "09:00"), utc(2026, 10, 31, 0, 0))
    baker = next_due(Rhythm("Etc/GMT+12", 0, "09:00"), utc(2026, 10, 31, 0, 0))
    assert kiritimati == (utc(2026, 11, 1, 19, 0), "2026-W45")  # a Sunday in UTC
    assert baker == (utc(2026, 11, 2, 21, 0), "2026-W45")
    assert local_period(utc(2026, 11, 1, 19, 0), "Pacific/Kiritimati") == "2026-W45"
    assert local_period(utc(2026, 11, 1, 19, 0), "UTC") == "2026-W44"
    assert local_period(utc(2026, 11, 2, 11, 0), "Etc/GMT+12") == "2026-W44"  # still Sunday


def test_a_holiday_moves_the_appointment_to_the_next_work_day_of_the_week() -> None:
    rhythm = Rhythm("UTC", 0, "10:00", MON_FRI, frozenset({date(2026, 11, 2)}))
    assert next_due(rhythm, utc(2026, 11, 1)) == (utc(2026, 11, 3, 10, 0), "2026-W45")
    # The week after is back on Monday.
    assert next_due(rhythm, utc(2026, 11, 3, 10, 0)) == (utc(2026, 11, 9, 10, 0), "2026-W46")


def test_a_week_of_holidays_has_no_appointment() -> None:
    week = frozenset(date(2026, 12, 21) + timedelta(days=d) for d in range(5))
    rhythm = Rhythm("UTC", 0, "10:00", MON_FRI, week)
    assert next_due(rhythm, utc(2026, 12, 20)) == (utc(2026, 12, 28, 10, 0), "2026-W53")


def test_days_off_move_the_appointment_within_the_week() -> None:
    tuesday_to_saturday = frozenset({1, 2, 3, 4, 5})
    rhythm = Rhythm("UTC", 0, "10:00", tuesday_to_saturday)
    assert next_due(rhythm, utc(2026, 11, 1)) == (utc(2026, 11, 3, 10, 0), "2026-W45")


def test_a_day_off_at_the_end_of_the_week_skips_the_week() -> None:
    """An appointment on a Sunday in a Monday-to-Friday team has no later work day in its
    week: it never falls due (the settings form lets a member pick such a day)."""
    assert next_due(Rhythm("UTC", 6, "10:00", MON_FRI), utc(2026, 11, 1)) is None


def test_mute_skips_every_appointment_up_to_its_date() -> None:
    rhythm = Rhythm("UTC", 0, "10:00", MON_FRI, mute_until=date(2026, 11, 11))
    assert next_due(rhythm, utc(2026, 11, 1)) == (utc(2026, 11, 16, 10, 0), "2026-W47")
    last_day = Rhythm("UTC", 0, "10:00", MON_FRI, mute_until=date(2026, 11, 16))
    assert next_due(last_day, utc(2026, 11, 1)) == (utc(2026, 11, 23, 10, 0), "2026-W48")


def test_no_possible_day_means_no_appointment() -> None:
    assert next_due(Rhythm("UTC", 0, "10:00", frozenset()), utc(2026, 11, 1)) is None
