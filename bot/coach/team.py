"""Where the team reads what members publish, and ``/coach team …`` for team admins: the team
channel, the weekly rhythm, work days, holidays, the digest, channel nudges, reminders."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.coach import forms
from bot.coach.submission import rejection
from bot.coach.turn import Turn
from bot.events import (
    Choice,
    Content,
    FieldKind,
    Form,
    FormField,
    Intent,
    OpenForm,
    Reply,
    plain,
)
from bot.schedule.rhythms import next_checkin_at, next_team_times
from bot.store import TenantScope

TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
MENTION = re.compile(r"^<@!?([A-Za-z0-9]+)(?:\|[^>]*)?>$|^([A-Za-z0-9]+)$")
DAYS = {d[:3]: i for i, d in enumerate(forms.WEEKDAYS)}


async def team_channel(turn: Turn, hint: str | None = None) -> str | None:
    """The team channel: the tenant's own, else where the member works with the coach.

    ``hint`` is the channel a published item came from (a check-in's channel).
    """
    return (
        turn.scope.tenant.team_channel
        or hint
        or await turn.scope.latest_checkin_channel(turn.member)
        or turn.place.channel_id
    )


def is_admin(turn: Turn) -> bool:
    """Workspace admins (as the platform says) and the members an admin named."""
    return turn.actor.is_admin or turn.actor.user_id in (turn.scope.tenant.admins or [])


def _day_list(days: str) -> str:
    return ", ".join(forms.WEEKDAYS[int(d)][:3] for d in days.split(",") if d.strip().isdigit())


async def handle(turn: Turn, text: str) -> list[Intent]:
    words = text.split()
    if words[:1] in ([], ["show"]):
        return [Reply(describe(turn))]
    if not is_admin(turn):
        return [Reply(turn.say("team_admins_only"))]
    match words:
        case ["channel"]:
            if turn.place.kind != "channel" or turn.place.channel_id is None:
                return [Reply(turn.say("team_channel_here"))]
            team = turn.scope.tenant
            await turn.scope.update_tenant(team, replace(team, team_channel=turn.place.channel_id))
            return [Reply(turn.say("team_channel_set"))]
        case ["rhythm"]:
            return [OpenForm(rhythm_form(turn))]
        case ["digest"]:
            return [OpenForm(digest_form(turn))]
        case ["admin", ("add" | "remove") as verb, who]:
            return await _admin(turn, verb, who)
    return [Reply(turn.say("usage", usage=turn.words("usage_team")))]


def describe(turn: Turn) -> Content:
    t = turn.scope.tenant
    w = turn.words
    off = w("team_show_off")
    digest = (
        f"{forms.WEEKDAYS[t.digest_day].capitalize()} {t.digest_time}"
        + (w("team_show_digest_empty_too") if t.digest_when_empty else "")
        if t.digest_day is not None
        else off
    )
    nudges = w("team_show_nudges", weeks=t.nudge_every_weeks) if t.nudge_every_weeks else off
    reminders = w("team_show_reminders", hours=t.reminder_after_hours) if t.reminders else off
    return turn.say(
        "team_show",
        channel=w("team_show_channel_set") if t.team_channel else w("team_show_channel_unset"),
        day=forms.WEEKDAYS[t.checkin_day].capitalize(),
        time=t.checkin_time,
        timezone=t.timezone,
        work_days=_day_list(t.work_days),
        holidays=", ".join(t.holidays or []) or w("team_show_no_holidays"),
        digest=digest,
        nudges=nudges,
        reminders=reminders,
        tagging=w("team_show_on") if t.tag_nonresponders else off,
    )


def rhythm_form(turn: Turn) -> Form:
    t = turn.scope.tenant
    w = turn.words
    day_choices = tuple(Choice(d.capitalize(), d) for d in forms.WEEKDAYS)
    return Form(
        "team_rhythm",
        w("team_rhythm_title"),
        (
            FormField(
                "timezone",
                w("team_rhythm_timezone"),
                required=True,
                max_length=64,
                initial=t.timezone,
                hint=w("team_rhythm_timezone_hint"),
            ),
            FormField(
                "checkin_day",
                w("team_rhythm_day"),
                FieldKind.CHOICE,
                required=True,
                choices=day_choices,
                initial=forms.WEEKDAYS[t.checkin_day],
            ),
            FormField(
                "checkin_time",
                w("team_rhythm_time"),
                required=True,
                max_length=5,
                initial=t.checkin_time,
            ),
            FormField(
                "work_days",
                w("team_rhythm_work_days"),
                required=True,
                max_length=40,
                initial=_day_list(t.work_days),
                hint=w("team_rhythm_work_days_hint"),
            ),
            FormField(
                "holidays",
                w("team_rhythm_holidays"),
                FieldKind.LONG,
                max_length=1000,
                initial=", ".join(t.holidays or []),
            ),
        ),
    )


def digest_form(turn: Turn) -> Form:
    t = turn.scope.tenant
    w = turn.words
    day_choices = (
        Choice(w("team_digest_off"), "off"),
        *(Choice(d.capitalize(), d) for d in forms.WEEKDAYS),
    )
    return Form(
        "team_digest",
        w("team_digest_title"),
        (
            FormField(
                "digest_day",
                w("team_digest_day"),
                FieldKind.CHOICE,
                required=True,
                choices=day_choices,
                initial=forms.WEEKDAYS[t.digest_day] if t.digest_day is not None else "off",
            ),
            FormField(
                "digest_time",
                w("team_digest_time"),
                required=True,
                max_length=5,
                initial=t.digest_time,
            ),
            FormField(
                "nudge_every_weeks",
                w("team_digest_nudge_weeks"),
                FieldKind.NUMBER,
                required=True,
                max_length=2,
                initial=str(t.nudge_every_weeks),
            ),
            FormField(
                "reminder_after_hours",
                w("team_digest_remind_hours"),
                FieldKind.NUMBER,
                required=True,
                max_length=3,
                initial=str(t.reminder_after_hours if t.reminders else 0),
            ),
            FormField(
                "tag_nonresponders",
                w("team_digest_tag"),
                FieldKind.CHOICE,
                required=True,
                choices=(Choice(w("team_digest_no"), "no"), Choice(w("team_digest_yes"), "yes")),
                initial="yes" if t.tag_nonresponders else "no",
            ),
            FormField(
                "digest_when_empty",
                w("team_digest_when_empty"),
                FieldKind.CHOICE,
                choices=(Choice(w("team_digest_skip"), "no"), Choice(w("team_digest_post"), "yes")),
                initial="yes" if t.digest_when_empty else "no",
            ),
        ),
    )


def _parse_days(text: str) -> str | None:
    found = sorted({DAYS.get(part.strip().lower()[:3], -1) for part in text.split(",")})
    return None if not found or -1 in found else ",".join(str(d) for d in found)


def _parse_holidays(text: str) -> list[str] | None:
    out = []
    for part in filter(None, (p.strip() for p in text.replace("\n", ",").split(","))):
        try:
            out.append(date.fromisoformat(part).isoformat())
        except ValueError:
            return None
    return sorted(set(out))


def _whole(text: str, low: int, high: int) -> int | None:
    value = forms.number(text)
    if value is None or value != int(value) or not low <= value <= high:
        return None
    return int(value)


async def submit_rhythm(turn: Turn, values: Mapping[str, str]) -> list[Intent]:
    if not is_admin(turn):
        return [Reply(turn.say("team_admins_only"))]
    more: dict[str, str] = {}
    try:
        ZoneInfo(values.get("timezone", "").strip())
    except (ZoneInfoNotFoundError, ValueError):
        more["timezone"] = plain(turn.say("team_form_timezone"))
    if not TIME.match(values.get("checkin_time", "").strip()):
        more["checkin_time"] = plain(turn.say("team_form_time", example="09:30"))
    days = _parse_days(values.get("work_days", ""))
    if days is None:
        more["work_days"] = plain(turn.say("team_form_work_days"))
    holidays = _parse_holidays(values.get("holidays", ""))
    if holidays is None:
        more["holidays"] = plain(turn.say("team_form_holidays"))
    rejected = await rejection(turn, rhythm_form(turn), values, more=lambda _: more)
    if rejected is not None:
        return [rejected]
    assert days is not None and holidays is not None
    t = turn.scope.tenant
    hour, minute = values["checkin_time"].strip().split(":")
    changed = replace(
        t,
        timezone=values["timezone"].strip(),
        checkin_day=forms.WEEKDAYS.index(values["checkin_day"]),
        checkin_time=f"{int(hour):02d}:{minute}",
        work_days=days,
        holidays=tuple(holidays),
    )
    await turn.scope.update_tenant(t, changed)
    await _reschedule_everyone(turn)
    return [Reply(turn.say("team_saved"))]


async def submit_digest(turn: Turn, values: Mapping[str, str]) -> list[Intent]:
    if not is_admin(turn):
        return [Reply(turn.say("team_admins_only"))]
    more: dict[str, str] = {}
    if not TIME.match(values.get("digest_time", "").strip()):
        more["digest_time"] = plain(turn.say("team_form_time", example="16:00"))
    weeks = _whole(values.get("nudge_every_weeks", ""), 0, 12)
    if weeks is None:
        more["nudge_every_weeks"] = plain(turn.say("team_form_weeks"))
    hours = _whole(values.get("reminder_after_hours", ""), 0, 168)
    if hours is None:
        more["reminder_after_hours"] = plain(turn.say("team_form_hours"))
    rejected = await rejection(turn, digest_form(turn), values, more=lambda _: more)
    if rejected is not None:
        return [rejected]
    assert weeks is not None and hours is not None
    t = turn.scope.tenant
    day = values["digest_day"]
    hour, minute = values["digest_time"].strip().split(":")
    empty = values.get("digest_when_empty", "").strip()
    changed = replace(
        t,
        digest_day=None if day == "off" else forms.WEEKDAYS.index(day),
        digest_time=f"{int(hour):02d}:{minute}",
        nudge_every_weeks=weeks,
        reminders=hours > 0,
        reminder_after_hours=hours or t.reminder_after_hours,
        tag_nonresponders=values["tag_nonresponders"] == "yes",
        # A form from before this field was added leaves it as it was.
        digest_when_empty=empty == "yes" if empty else t.digest_when_empty,
    )
    await turn.scope.update_tenant(t, changed)
    await reschedule(turn.scope, turn.now)
    return [Reply(turn.say("team_saved"))]


async def reschedule(scope: TenantScope, now: datetime) -> None:
    """Store when the team's next digest and channel nudge fall after ``now``."""
    team = scope.tenant
    digest, nudge = next_team_times(team, now)
    await scope.update_tenant(team, replace(team, next_digest_at=digest, next_nudge_at=nudge))


async def _reschedule_everyone(turn: Turn) -> None:
    """The team's rhythm changed: every member's next prompt and the team's own times move."""
    team = turn.scope.tenant
    await turn.scope.reschedule_members(lambda member: next_checkin_at(member, team, turn.now))
    await reschedule(turn.scope, turn.now)
    # The turn's own member was among them: their view takes the new due time.
    fresh = await turn.scope.member_by_id(turn.member.id)
    assert fresh is not None
    turn.member = fresh


async def _admin(turn: Turn, verb: str, who: str) -> list[Intent]:
    match = MENTION.match(who)
    if match is None:
        return [Reply(turn.say("usage", usage=turn.words("usage_team")))]
    user_id = match.group(1) or match.group(2)
    team = turn.scope.tenant
    admins = set(team.admins)
    admins = admins | {user_id} if verb == "add" else admins - {user_id}
    await turn.scope.update_tenant(team, replace(team, admins=tuple(sorted(admins))))
    return [Reply(turn.say("team_admin_added" if verb == "add" else "team_admin_removed"))]
