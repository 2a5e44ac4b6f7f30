"""What the quarterly DM says: the member's best five works, each with the check-ins and
notebook entries that led to it, and one question about next quarter's bet.

"Led to" is read simply, so a member can tell why each line is there: a check-in or notebook
entry led to a work when it was written in the twelve weeks before the work was added to the
portfolio and names one of the words of its title (a word of four letters or more, matched at
the start of a word, case aside: "prover" finds "provers"). The three newest are shown, each
as its date and its first words; the work's own link comes with its title.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.events import Content, Segment, UserText
from bot.prompts import Prompts
from bot.store.models import BestWork, CheckIn, Member, NotebookEntry

BEST = 5  # a career is judged by its best few works: the head of the portfolio
LEAD_TIME = timedelta(weeks=12)  # how long before a work was added its traces are looked for
TRACES = 3  # lines shown per work
EXCERPT = 80  # characters of each line's text
KEY_LETTERS = 4  # shorter title words ("a", "of", "RL") match too much by chance
WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Trace:
    """A check-in or notebook entry that led to a work: what it is, when, its text."""

    kind: str  # "checkin" or "note"
    at: datetime
    text: str


def title_words(title: str) -> frozenset[str]:
    """The words of a title that a trace must name: ``{"geometry", "prover"}``.

    >>> sorted(title_words("A geometry prover for IMO"))
    ['geometry', 'prover']
    """
    return frozenset(w for w in WORD.findall(title.casefold()) if len(w) >= KEY_LETTERS)


def names(text: str, words: frozenset[str]) -> bool:
    """Whether ``text`` names one of ``words`` (at the start of one of its words).

    >>> names("The provers now close 40% of the set", frozenset({"prover"}))
    True
    """
    return any(token.startswith(word) for token in WORD.findall(text.casefold()) for word in words)


def led_to(title: str, added: datetime, traces: Sequence[Trace]) -> list[Trace]:
    """The traces that led to a work titled ``title`` added at ``added``, newest first."""
    words = title_words(title)
    found = [
        t for t in traces if added - LEAD_TIME <= t.at < added and words and names(t.text, words)
    ]
    return sorted(found, key=lambda t: t.at, reverse=True)[:TRACES]


def excerpt(text: str) -> str:
    """The first words of ``text`` on one line, at most ``EXCERPT`` characters."""
    line = " ".join(text.split())
    return line if len(line) <= EXCERPT else line[: EXCERPT - 1].rstrip() + "…"


async def traces_of(
    session: AsyncSession, member: Member, works: Sequence[BestWork]
) -> list[Trace]:
    """The member's check-ins and notebook entries from the weeks before their works were
    added (two queries, whatever the number of works)."""
    since = min(w.created_at for w in works) - LEAD_TIME
    until = max(w.created_at for w in works)
    checkins = await session.execute(
        select(CheckIn.created_at, CheckIn.did, CheckIn.moves_goal).where(
            CheckIn.member_id == member.id,
            CheckIn.created_at >= since,
            CheckIn.created_at <= until,
        )
    )
    notes = await session.execute(
        select(NotebookEntry.created_at, NotebookEntry.text).where(
            NotebookEntry.member_id == member.id,
            NotebookEntry.kind == "entry",
            NotebookEntry.created_at >= since,
            NotebookEntry.created_at <= until,
        )
    )
    found = [Trace("checkin", at, f"{did}\n{moves}".strip()) for at, did, moves in checkins]
    found += [Trace("note", at, text) for at, text in notes]
    return found


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


async def review(
    prompts: Prompts, session: AsyncSession, member: Member, period: str
) -> Content | None:
    """The quarterly DM's words, or ``None`` when the member has no best works (any more)."""
    works = (
        (
            await session.execute(
                select(BestWork)
                .where(BestWork.member_id == member.id)
                .order_by(BestWork.rank, BestWork.id)
                .limit(BEST)
            )
        )
        .scalars()
        .all()
    )
    if not works:
        return None
    traces = await traces_of(session, member, works)
    zone = _zone(member.timezone)
    name = UserText(member.display_name or member.user_id)
    body: list[Segment] = list(prompts.say("quarterly_head", name=name, quarter=period))
    for number, work in enumerate(works, start=1):
        body += [f"\n\n{number}. ", UserText(work.title)]
        if work.link:
            body += [" — ", UserText(work.link)]
        for trace in led_to(work.title, work.created_at, traces):
            day = trace.at.astimezone(zone)
            key = "quarterly_checkin" if trace.kind == "checkin" else "quarterly_note"
            body += prompts.say(
                key, day=f"{day.day} {day:%b %Y}", text=UserText(excerpt(trace.text))
            )
    body += prompts.say("quarterly_question")
    return tuple(body)
