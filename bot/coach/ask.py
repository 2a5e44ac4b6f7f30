"""``/ask <question>``: "has anyone tried this?", answered from what the team chose to share.

Only published material of the asker's own team is searched: check-ins a member published
(their words as the team read them: what they did, how it moves the goal, the next
experiment; never "what failed", which is never published) and the one line of a reflection
a member shared. Unpublished check-ins, reflections, notebook entries, drafts and predictions
are never read here. The answer is private to the asker.

When a check-in's next experiment comes close to a lesson a teammate shared from a failed
project, the check-in's private answer says so, once per member and lesson
(``tried_before``): a bold bet is cheaper when someone's dead end is known.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence

from bot.analysis import likeness
from bot.analysis.rules import content_stems
from bot.coach.turn import Turn
from bot.events import Content, Intent, Reply, Segment, UserText
from bot.schedule.calendar import local_period
from bot.schedule.content import week_of
from bot.store.records import PublishedItem
from bot.store.views import CheckInView

SEARCHED = 2000  # the newest published items searched: enough for years of a team's sharing
SHOWN = 3  # the closest few, as a teammate would point to them
EXCERPT = 200  # characters of each shown
TRIED_BEFORE = "tried-before"  # the nudge record that says a lesson was mentioned


async def handle(turn: Turn, text: str) -> list[Intent]:
    """Answer ``/ask <question>`` privately with the closest shared items, or say why none."""
    question = text.strip()
    if not question:
        return [Reply(turn.say("usage", usage=turn.words("usage_ask")))]
    items = await turn.scope.published_items(SEARCHED)
    if not items:
        return [Reply(turn.say("ask_nothing_published"))]
    texts = [item.text for item in items]
    # In a worker thread: the embedded model must not hold up the event loop.
    found = await asyncio.to_thread(likeness.closest, question, texts, limit=SHOWN)
    if not found:
        return [Reply(turn.say("ask_nothing_close", count=len(items)))]
    body: list[Segment] = list(turn.say("ask_found"))
    for match in found:
        body += _shown(turn, items[match.index], question)
    return [Reply(tuple(body))]


def _shown(turn: Turn, item: PublishedItem, question: str) -> Content:
    """One found item: who, which week, and its words nearest the question."""
    week = week_of(local_period(item.at, turn.scope.tenant.timezone))
    return turn.say(
        "ask_item_lesson" if item.kind == "lesson" else "ask_item_checkin",
        name=UserText(item.author),
        week=week,
        excerpt=UserText(excerpt(item.parts, question)),
    )


def excerpt(parts: Sequence[str], question: str) -> str:
    """The part sharing most words with the question (the first on a tie), shortened.

    >>> excerpt(["Fixed the loader", "Next: cosine warmup"], "cosine schedule?")
    'Next: cosine warmup'
    """
    asked = {stem for _, stem in content_stems(question)}

    def shared(part: str) -> int:
        return len(asked & {stem for _, stem in content_stems(part)})

    best = max(parts, key=shared, default="")
    best = " ".join(best.split())
    return best if len(best) <= EXCERPT else best[: EXCERPT - 1] + "…"


async def tried_before(turn: Turn, checkin: CheckInView) -> Content:
    """A line for the check-in's private answer when its next experiment is close to a lesson
    a teammate shared from a failed project; each lesson is mentioned once to each member."""
    experiment = checkin.next_experiment.strip()
    if not experiment:
        return ()
    lessons = [
        item
        for item in await turn.scope.published_items(SEARCHED, lessons_only=True)
        # The answer may go on to the team's LLM (a follow-up): not with words of an author
        # who said no to it.
        if item.member_id != turn.member.id and (item.author_llm or not turn.llm)
    ]
    told = await turn.scope.told_of(turn.member, TRIED_BEFORE)
    lessons = [item for item in lessons if item.key not in told]
    if not lessons:
        return ()
    texts = [item.text for item in lessons]
    found = await asyncio.to_thread(likeness.closest, experiment, texts, limit=1, strict=True)
    if not found:
        return ()
    item = lessons[found[0].index]
    await turn.scope.record_nudge(
        turn.member,
        nudge_id=TRIED_BEFORE,
        batch=str(uuid.uuid4()),
        given_at=turn.now,
        trigger=item.key,
        checkin_id=checkin.id,
    )
    week = week_of(local_period(item.at, turn.scope.tenant.timezone))
    return turn.say(
        "checkin_tried_before",
        name=UserText(item.author),
        week=week,
        excerpt=UserText(excerpt(item.parts, experiment)),
    )
