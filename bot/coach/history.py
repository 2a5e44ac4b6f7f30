"""``/checkin history [weeks]`` and ``/log search <words>``: a member's own check-ins and
notebook read back to them, privately and briefly (Schulman's notebook is worth keeping because
it can be read again).

Only the member's own rows are read (their tenant scope, their member id); every answer is a
``Reply``, so it stays with them. Long texts are cut to a line; the adapters split a long answer
where the platform needs it.

    >>> plain(only(await command(coach, ada, "checkin", "history 2"), Reply).body)
    'Your check-ins of the last 2 weeks, newest first (only you see this):\\n\\nWeek of …'
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.coach.forms import known_zone
from bot.coach.turn import Turn
from bot.events import Intent, Reply, Segment, UserText
from bot.numbers import shown
from bot.schedule.calendar import monday_of, period_of, to_utc
from bot.schedule.content import week_of
from bot.store.views import CheckInView, GoalView, NoteView

WEEKS = 4  # /checkin history with no number
MOST_WEEKS = 52
LISTED = 40  # check-ins listed in one answer; the rest are counted
LINE = 120  # characters of a check-in's words in its line
FOUND = 10  # notebook entries a search shows, the newest
SNIPPET = 200  # characters of a notebook entry shown
LEAD = 60  # characters shown before the first word searched for, in a cut entry
WEEK_COUNT = re.compile(r"(\d{1,3})\s*(?:w|wk|wks|week|weeks)?")


def subcommand(text: str, word: str) -> str | None:
    """What follows ``word`` when ``text`` starts with it (any case), else ``None``:
    ``subcommand("History 8", "history") == "8"``."""
    first, _, rest = text.strip().partition(" ")
    return rest.strip() if first.lower() == word else None


def zone_of(turn: Turn) -> ZoneInfo:
    """The member's time zone (the team's wall clock when theirs is unknown)."""
    return (
        known_zone(turn.member.timezone)
        or known_zone(turn.scope.tenant.timezone)
        or ZoneInfo("UTC")
    )


def day_of(turn: Turn, instant: datetime, *, year: bool = False) -> str:
    """A day on the member's calendar, as people write it: ``Mon 2 Nov`` (``Mon 2 Nov 2026``)."""
    local = instant.astimezone(zone_of(turn))
    return f"{local:%a} {local.day} {local:%b}" + (f" {local.year}" if year else "")


def one_line(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters: ``one_line("a\\n b", 9) == "a b"``."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _weeks(text: str) -> int | None:
    """``""`` → 4; ``"8"``, ``"8 weeks"``, ``"8w"`` → 8; ``None`` when it is no week count
    from 1 to 52."""
    if not text.strip():
        return WEEKS
    found = WEEK_COUNT.fullmatch(text.strip().lower())
    weeks = int(found[1]) if found else 0
    return weeks if 1 <= weeks <= MOST_WEEKS else None


async def checkins(turn: Turn, text: str) -> list[Intent]:
    """The member's check-ins of this week and the ``weeks - 1`` before it (on their own
    calendar), newest first, under each week's heading: goal, words, number, published."""
    weeks = _weeks(text)
    if weeks is None:
        said = turn.say("history_weeks_range", text=UserText(one_line(text, 40)))
        return [Reply((*said, "\n", *turn.say("usage", usage=turn.words("usage_checkin_history"))))]
    zone = zone_of(turn)
    first = monday_of(turn.now.astimezone(zone).date()) - timedelta(weeks=weeks - 1)
    found = await turn.scope.checkins_since(
        turn.member, to_utc(datetime.combine(first, time()), zone)
    )
    if not found:
        if await turn.scope.latest_checkin(turn.member) is None:
            return [Reply(turn.say("history_none_yet"))]
        return [Reply(turn.say("history_none_in", weeks=weeks))]
    found.reverse()  # newest first
    goals = {g.id: g for g in await turn.scope.goals(turn.member)}
    body: list[Segment] = list(
        turn.say("history_head", weeks=weeks) if weeks > 1 else turn.say("history_head_one")
    )
    week = ""
    for checkin in found[:LISTED]:
        period = period_of(checkin.created_at.astimezone(zone).date())
        if period != week:
            body += turn.say("history_week", week=week_of(period))
            week = period
        body += _line(turn, checkin, goals.get(checkin.goal_id or 0))
    if len(found) > LISTED:
        body += turn.say("history_more", count=len(found) - LISTED)
    return [Reply(tuple(body))]


def _line(turn: Turn, checkin: CheckInView, goal: GoalView | None) -> list[Segment]:
    day = day_of(turn, checkin.created_at)
    did = UserText(one_line(checkin.did, LINE))
    line: list[Segment] = list(
        turn.say("history_item_goal", day=day, ref=goal.ref, did=did)
        if goal is not None
        else turn.say("history_item_no_goal", day=day, did=did)
    )
    if checkin.metric_value is not None:
        metric = (
            UserText(one_line(goal.metric_name, 40)) if goal else turn.words("nudge_your_metric")
        )
        value = shown(checkin.metric_value, checkin.metric_value_text)
        line += turn.say("history_number", metric=metric, value=value)
    line += turn.say("history_published" if checkin.published_at else "history_private")
    return line


async def search(turn: Turn, text: str) -> list[Intent]:
    """The newest notebook entries (and kept reviews) holding every word of ``text``, any
    case, with their dates; at most ``FOUND``."""
    words = text.split()
    if not words:
        return [Reply(turn.say("usage", usage=turn.words("usage_log_search")))]
    asked = UserText(one_line(" ".join(words), 80))
    found = await turn.scope.search_notes(turn.member, words, FOUND + 1)
    if not found:
        if await turn.scope.note_count(turn.member) == 0:
            return [Reply(turn.say("log_search_empty"))]
        return [Reply(turn.say("log_search_none", words=asked))]
    body: list[Segment] = list(turn.say("log_search_head", words=asked))
    for note in found[:FOUND]:
        key = "log_search_review" if note.kind == "review" else "log_search_item"
        day = day_of(turn, note.created_at, year=True)
        body += turn.say(key, day=day, text=UserText(snippet(note, words[0])))
    if len(found) > FOUND:
        body += turn.say("log_search_more", count=FOUND)
    return [Reply(tuple(body))]


def snippet(note: NoteView, word: str) -> str:
    """The entry on one line; a long one cut around the first place ``word`` stands."""
    flat = " ".join(note.text.split())
    if len(flat) <= SNIPPET:
        return flat
    start = max(0, flat.lower().find(word.lower()) - LEAD)
    piece = flat[start : start + SNIPPET].strip()
    return ("…" if start else "") + piece + ("…" if start + SNIPPET < len(flat) else "")
