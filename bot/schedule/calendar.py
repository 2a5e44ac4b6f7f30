"""When things fall due, in each person's own time zone. Date maths happens on local dates and
is converted to UTC at the edge: a nonexistent local time (spring forward) moves forward by the
gap, an ambiguous one (fall back) takes its first occurrence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SEARCH_WEEKS = 60  # a rhythm with no possible day within this far is treated as off


@dataclass(frozen=True)
class Rhythm:
    """A weekly appointment: a weekday and a local time, minus days off."""

    timezone: str
    day: int  # Monday is 0
    at: str  # "HH:MM", local
    work_days: frozenset[int] = frozenset(range(7))
    holidays: frozenset[date] = frozenset()
    mute_until: date | None = None


def to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """A naive local wall time as a UTC instant.

    ``fold=0`` gives both rules at once: in a gap the offset from before the change applies,
    which lands the instant after the gap; in an overlap it picks the first occurrence.

    >>> to_utc(datetime(2026, 3, 8, 2, 30), ZoneInfo("America/New_York")).isoformat()
    '2026-03-08T07:30:00+00:00'
    """
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC)


def period_of(day: date) -> str:
    """The ISO week a local date belongs to: ``period_of(date(2026, 11, 2)) == "2026-W45"``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def occurrence(rhythm: Rhythm, monday: date) -> date | None:
    """The local date of this week's appointment, moved to the next work day that is not a
    holiday within the same week; ``None`` when the week has none or the person is muted."""
    day = monday + timedelta(days=rhythm.day)
    while day.weekday() not in rhythm.work_days or day in rhythm.holidays:
        day += timedelta(days=1)
        if day >= monday + timedelta(days=7):
            return None
    if rhythm.mute_until is not None and day <= rhythm.mute_until:
        return None
    return day


def parse_time(text: str) -> time:
    hour, minute = text.split(":")
    return time(int(hour), int(minute))


def next_due(rhythm: Rhythm, after: datetime) -> tuple[datetime, str] | None:
    """The first appointment strictly after ``after`` (UTC), and its period.

    >>> rhythm = Rhythm("Europe/Berlin", day=0, at="09:00")
    >>> due, period = next_due(rhythm, datetime(2026, 11, 2, 7, 0, tzinfo=UTC))
    >>> due.isoformat(), period
    ('2026-11-02T08:00:00+00:00', '2026-W45')
    """
    zone = ZoneInfo(rhythm.timezone)
    at = parse_time(rhythm.at)
    monday = monday_of(after.astimezone(zone).date())
    for week in range(SEARCH_WEEKS):
        day = occurrence(rhythm, monday + timedelta(weeks=week))
        if day is None:
            continue
        due = to_utc(datetime.combine(day, at), zone)
        if due > after:
            return due, period_of(day)
    return None


def answered_from(instant: datetime, timezone: str) -> datetime:
    """From when a check-in answers the weekly prompt due at ``instant``: the start of its
    local week (a check-in any day of that week answers it), or of the local day before when
    that is earlier (a Monday prompt is answered from Sunday on).

    >>> answered_from(datetime(2026, 11, 4, 9, 0, tzinfo=UTC), "Europe/Berlin").isoformat()
    '2026-11-01T23:00:00+00:00'
    >>> answered_from(datetime(2026, 11, 2, 9, 0, tzinfo=UTC), "Europe/Berlin").isoformat()
    '2026-10-31T23:00:00+00:00'
    """
    zone = ZoneInfo(timezone)
    week = to_utc(datetime.combine(monday_of(instant.astimezone(zone).date()), time()), zone)
    return min(week, day_before_start(instant, timezone))


def day_before_start(instant: datetime, timezone: str) -> datetime:
    """When the local day before ``instant`` began, in UTC: a check-in from then on is an
    early answer to the appointment at ``instant``.

    >>> day_before_start(datetime(2026, 11, 2, 9, 0, tzinfo=UTC), "Europe/Berlin").isoformat()
    '2026-10-31T23:00:00+00:00'
    """
    zone = ZoneInfo(timezone)
    day = instant.astimezone(zone).date() - timedelta(days=1)
    return to_utc(datetime.combine(day, time()), zone)


def local_period(instant: datetime, timezone: str) -> str:
    """The ISO week of ``instant`` on the wall calendar of ``timezone``."""
    return period_of(instant.astimezone(ZoneInfo(timezone)).date())


QUARTER_STARTS = (1, 4, 7, 10)  # the months a quarter begins
QUARTERS_AHEAD = 12  # a mute longer than three years leaves no quarterly review


def quarter_of(day: date) -> str:
    """The quarter a local date belongs to: ``quarter_of(date(2027, 1, 4)) == "2027-Q1"``."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarter_mondays(year: int, quarter: int) -> list[date]:
    """The Mondays of a quarter (1–4), first to last."""
    start = date(year, QUARTER_STARTS[quarter - 1], 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, QUARTER_STARTS[quarter], 1)
    day = start + timedelta(days=(7 - start.weekday()) % 7)
    found = []
    while day < end:
        found.append(day)
        day += timedelta(weeks=1)
    return found


def next_quarterly(
    timezone: str, at: str, after: datetime, mute_until: date | None = None
) -> tuple[datetime, str] | None:
    """The first quarterly appointment strictly after ``after`` (UTC), and its quarter: the
    first Monday of January, April, July or October at local time ``at``. Someone muted that
    day has it on the first Monday after their mute, if that is still in the same quarter;
    otherwise that quarter has none.

    >>> due, period = next_quarterly("Europe/Berlin", "09:00", datetime(2026, 12, 7, tzinfo=UTC))
    >>> due.isoformat(), period
    ('2027-01-04T08:00:00+00:00', '2027-Q1')
    """
    zone = ZoneInfo(timezone)
    clock = parse_time(at)
    local = after.astimezone(zone).date()
    year, quarter = local.year, (local.month - 1) // 3 + 1
    for _ in range(QUARTERS_AHEAD):
        free = [d for d in quarter_mondays(year, quarter) if mute_until is None or d > mute_until]
        if free:
            due = to_utc(datetime.combine(free[0], clock), zone)
            if due > after:
                return due, quarter_of(free[0])
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return None


def local_quarter(instant: datetime, timezone: str) -> str:
    """The quarter of ``instant`` on the wall calendar of ``timezone``: ``2027-Q1``."""
    return quarter_of(instant.astimezone(ZoneInfo(timezone)).date())
