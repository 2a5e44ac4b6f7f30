"""Whose appointments fall when: a member's weekly prompt and a team's digest and channel
nudges, computed from their settings (see ``calendar`` for the date maths) and stored as the
next due instant in UTC. The coach reschedules with these whenever a setting changes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol

from bot.schedule.calendar import Rhythm, next_due, next_quarterly
from bot.store.models import Member, Tenant


class Scheduled(Protocol):
    """What a member's weekly rhythm is computed from: a ``Member``, or a row of its columns."""

    @property
    def timezone(self) -> str: ...
    @property
    def checkin_day(self) -> int: ...
    @property
    def checkin_time(self) -> str: ...
    @property
    def mute_until(self) -> date | None: ...
    @property
    def own_schedule(self) -> bool: ...
    @property
    def weekly_dm(self) -> bool | None: ...


class Team(Protocol):
    """What the team's rhythm is computed from: a ``Tenant``, or a view of it."""

    @property
    def platform(self) -> str: ...
    @property
    def timezone(self) -> str: ...
    @property
    def checkin_day(self) -> int: ...
    @property
    def checkin_time(self) -> str: ...
    @property
    def work_days(self) -> str: ...
    @property
    def holidays(self) -> Sequence[str]: ...
    @property
    def digest_day(self) -> int | None: ...
    @property
    def digest_time(self) -> str: ...
    @property
    def nudge_every_weeks(self) -> int: ...


def weekly_on(member: Scheduled, platform: str) -> bool:
    """Weekly DMs are on by default, except on Discord, whose rules make them opt-in."""
    return member.weekly_dm if member.weekly_dm is not None else platform != "discord"


def _days(text: str) -> frozenset[int]:
    return frozenset(int(d) for d in text.split(",") if d.strip().isdigit())


def _holidays(tenant: Team) -> frozenset[date]:
    return frozenset(date.fromisoformat(d) for d in tenant.holidays or [])


def member_rhythm(member: Scheduled, tenant: Team) -> Rhythm | None:
    """When the member's weekly prompt falls, or ``None`` when they get none."""
    if not weekly_on(member, tenant.platform):
        return None
    day, at = (
        (member.checkin_day, member.checkin_time)
        if member.own_schedule
        else (tenant.checkin_day, tenant.checkin_time)
    )
    return Rhythm(
        member.timezone, day, at, _days(tenant.work_days), _holidays(tenant), member.mute_until
    )


def team_rhythm(tenant: Team, day: int, at: str) -> Rhythm:
    """The team's own appointments (digest, channel nudges): every day counts, holidays too."""
    return Rhythm(tenant.timezone, day, at, frozenset(range(7)), _holidays(tenant))


def next_checkin_at(member: Scheduled, tenant: Team, now: datetime) -> datetime | None:
    """When the member's next weekly prompt falls after ``now`` (``None``: none)."""
    rhythm = member_rhythm(member, tenant)
    found = next_due(rhythm, now) if rhythm is not None else None
    return found[0] if found else None


class Reviewed(Scheduled, Protocol):
    """What a member's quarterly review is computed from: their rhythm, and whether they
    want the review at all."""

    @property
    def quarterly_review(self) -> bool: ...


def next_quarterly_at(member: Reviewed, tenant: Team, after: datetime) -> datetime | None:
    """When the member's next quarterly look at their best five falls after ``after``
    (``None``: they said no): the first Monday of a quarter, at their check-in time (their
    own, or the team's when they kept it), in their time zone."""
    if not member.quarterly_review:
        return None
    at = member.checkin_time if member.own_schedule else tenant.checkin_time
    found = next_quarterly(member.timezone, at, after, member.mute_until)
    return found[0] if found else None


def reschedule_member(member: Member, tenant: Tenant, now: datetime) -> None:
    """Store when the member's next weekly prompt falls after ``now`` (``None``: none)."""
    member.next_checkin_at = next_checkin_at(member, tenant, now)


def reschedule_team(tenant: Tenant, now: datetime) -> None:
    """Store when the team's next digest and channel nudge fall after ``now``."""
    tenant.next_digest_at, tenant.next_nudge_at = next_team_times(tenant, now)


def next_team_times(tenant: Team, now: datetime) -> tuple[datetime | None, datetime | None]:
    """When the team's next digest and next channel nudge fall after ``now`` (``None``: none)."""
    digest = (
        next_due(team_rhythm(tenant, tenant.digest_day, tenant.digest_time), now)
        if tenant.digest_day is not None
        else None
    )
    nudge = (
        next_due(team_rhythm(tenant, tenant.checkin_day, tenant.checkin_time), now)
        if tenant.nudge_every_weeks > 0
        else None
    )
    return (digest[0] if digest else None, nudge[0] if nudge else None)
