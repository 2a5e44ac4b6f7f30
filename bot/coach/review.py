"""The review draft: the last two weeks condensed, for the member to edit and keep (Schulman's
advice: a notebook every working day, condensed into a review every week or two).

Not a list of raw check-ins: the number's trend on each goal, the decisions taken (goals set
and closed, routes dropped, next experiments chosen, notes that say "decided"), what was learned
(carried over from finished reflections and notebook entries), and the open questions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.coach.forms import shown as fmt
from bot.coach.turn import Turn
from bot.events import plain
from bot.prompts import Value
from bot.store.views import CheckInView, GoalView, MetricValue, NoteView, ReflectionView

REVIEW_WINDOW = timedelta(days=14)
GIST = 160  # a review keeps the gist of each item: its first line, cut to this
PER_SECTION = 6  # items a section lists at most: a review condenses
LIMIT = 3000  # characters of the whole draft: what every platform's form field holds
# Notes that record a decision rather than an observation.
DECISION = re.compile(
    r"\b(decided|decide to|decision|chose|switched|switching to|switch to|dropped|dropping"
    r"|committed|commit to|pivoted|pivoting|going with)\b",
    re.IGNORECASE,
)
# Sentences end at . ! ? or a line break; splitting after each (a zero-width split) reads a text
# once, where searching for "[^.!?\n]*\?" restarted at every character of a long run.
SENTENCE_END = re.compile(r"(?<=[.!?\n])")
# The reflection answers a review carries over: which assumption was wrong, what is reusable.
LEARNED_STEPS = ("assumption", "reusable")

_Say = Callable[..., str]  # a message of prompts/messages.yaml, filled in, as plain text


def gist(text: str) -> str:
    """The first line of ``text``, cut to ``GIST`` characters. ``gist("a\\nb") == "a"``."""
    first = text.strip().splitlines()[0].strip() if text.strip() else ""
    return first if len(first) <= GIST else first[: GIST - 1] + "…"


async def draft(turn: Turn) -> str:
    """The draft of the last two weeks, as plain text to edit; "" when there is nothing."""
    since = turn.now - REVIEW_WINDOW
    scope, member = turn.scope, turn.member
    notes = list(await scope.notes_since(member, since))
    checkins = list(await scope.checkins_since(member, since))
    goals = list(await scope.goals(member))
    reflections = [
        r
        for r in await scope.reflections(member)
        if r.status == "completed" and r.updated_at >= since
    ]
    changed = [g for g in goals if g.created_at >= since or (g.closed_at or since) > since]
    if not (notes or checkins or reflections or changed):
        return ""
    points = await scope.member_metric_values(member)

    say = partial(_said, turn)
    zone = _zone(turn.member.timezone)
    start, end = since.astimezone(zone), turn.now.astimezone(zone)
    lines = [say("review_title", start=f"{start.day} {start:%B}", end=f"{end.day} {end:%B %Y}")]
    lines += _section(say("review_number"), _numbers(say, goals, points, checkins, since))
    lines += _section(say("review_decisions"), _decisions(say, changed, checkins, notes, since))
    lines += _section(say("review_learned"), _learned(say, reflections, notes, goals))
    lines += _section(say("review_questions"), _questions(notes, checkins), say("review_none"))
    return _fit("\n".join(lines))


def _said(turn: Turn, key: str, **values: Value) -> str:
    """The message ``key`` as plain text: the draft is the member's own text to edit."""
    return plain(turn.say(key, **values))


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _section(head: str, items: Sequence[str], empty: str = "") -> list[str]:
    """A heading and its items, as ``- item`` lines; nothing at all when empty (unless
    ``empty`` says what to write then)."""
    kept = list(dict.fromkeys(i for i in items if i))[-PER_SECTION:]
    if not kept and not empty:
        return []
    return ["", head, *(f"- {item}" for item in kept or [empty])]


def _numbers(
    say: _Say,
    goals: Sequence[GoalView],
    points: Sequence[MetricValue],
    checkins: Sequence[CheckInView],
    since: datetime,
) -> list[str]:
    """Each goal worked on (active, or with a check-in or a value in the window): its values
    in the window after the last one before it, and which way they went."""
    touched = {c.goal_id for c in checkins}
    out = []
    for goal in goals:
        mine = sorted(
            (p for p in points if p.goal_id == goal.id), key=lambda p: (p.recorded_at, p.id)
        )
        before = [p for p in mine if p.recorded_at < since][-1:]
        recent = [p for p in mine if p.recorded_at >= since]
        if goal.status != "active" and goal.id not in touched and not recent:
            continue
        named = {"capability": gist(goal.capability), "metric": goal.metric_name}
        if not recent:
            out.append(say("review_no_value", **named))
            continue
        values = before + recent
        trend = " → ".join(fmt(p.value, p.value_text) for p in values)
        first, last = values[0].value, values[-1].value
        better = last < first if goal.direction == "down" else last > first
        if len(values) == 1:
            way = ""
        elif last == first:
            way = say("review_unmoved")
        else:
            way = say("review_moved_better" if better else "review_moved_worse")
        target = (
            say("review_target", target=fmt(goal.target, goal.target_text))
            if goal.target is not None
            else ""
        )
        out.append(say("review_trend", trend=trend, way=way, target=target, **named))
    return out


def _decisions(
    say: _Say,
    goals: Sequence[GoalView],
    checkins: Sequence[CheckInView],
    notes: Sequence[NoteView],
    since: datetime,
) -> list[str]:
    out = []
    for goal in goals:
        if goal.created_at >= since:
            out.append(say("review_goal_set", ref=goal.ref, capability=gist(goal.capability)))
        if goal.closed_at is not None and goal.closed_at >= since:
            out.append(
                say(
                    "review_goal_closed",
                    ref=goal.ref,
                    status=goal.status,
                    capability=gist(goal.capability),
                )
            )
    out += [say("review_dropped", text=gist(c.failed)) for c in checkins if c.failed.strip()]
    out += [gist(n.text) for n in notes if DECISION.search(n.text)]
    nexts = [gist(c.next_experiment) for c in checkins if c.next_experiment.strip()]
    if nexts:
        out.append(say("review_next", text=nexts[-1]))  # the latest: what comes next now
    return out


def _learned(
    say: _Say,
    reflections: Sequence[ReflectionView],
    notes: Sequence[NoteView],
    goals: Sequence[GoalView],
) -> list[str]:
    out = []
    for reflection in reflections:
        goal = next((g for g in goals if g.id == reflection.goal_id), None)
        topic = gist(reflection.topic or (goal.capability if goal else "")) or "a project"
        for step in LEARNED_STEPS:
            answer = gist(str(reflection.answers.get(step, "")))
            if answer:
                key = "review_assumption" if step == "assumption" else "review_reusable"
                out.append(say(key, topic=topic, text=answer))
    for note in notes:
        text = note.text.strip()
        if not DECISION.search(text) and not _only_questions(text):
            out.append(gist(text))
    return out


def _sentences(text: str) -> list[str]:
    """``text`` cut after each sentence end, the end kept: joined again they are ``text``."""
    return SENTENCE_END.split(text)


def _only_questions(text: str) -> bool:
    return not any(s.strip() for s in _sentences(text) if not s.endswith("?"))


def _questions(notes: Iterable[NoteView], checkins: Iterable[CheckInView]) -> list[str]:
    texts = [n.text for n in notes]
    for checkin in checkins:
        texts += [checkin.did, checkin.moves_goal, checkin.failed, checkin.next_experiment]
    questions = (s[:-1] for text in texts for s in _sentences(text) if s.endswith("?"))
    return [gist(q.strip() + "?") for q in questions if len(q.strip()) > 2]


def _fit(text: str) -> str:
    """The draft within ``LIMIT``, cut at a line: a form field holds no more."""
    if len(text) <= LIMIT:
        return text
    lines = text[:LIMIT].splitlines()
    return "\n".join(lines[:-1])
