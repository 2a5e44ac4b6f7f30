"""``/wins``: the best-works portfolio. A career is judged by its best few works, so the coach
shows the member's own top five as "best five" and never counts, averages or ranks people."""

from __future__ import annotations

from collections.abc import Mapping

from bot.coach import forms
from bot.coach.limits import keep_as_draft, works_full
from bot.coach.submission import rejection
from bot.coach.turn import Turn
from bot.events import Intent, OpenForm, Reply, Segment, UserText

BEST = 5


async def handle(turn: Turn, text: str) -> list[Intent]:
    verb, _, rest = text.strip().partition(" ")
    verb = verb.lower()
    if verb in ("", "list"):
        return await show(turn)
    if verb == "add":
        return await open_form(turn, rest.strip())
    if verb in ("remove", "top") and rest.strip().isdigit():
        works = list(await turn.scope.works(turn.member))
        index = int(rest) - 1
        if not 0 <= index < len(works):
            return [Reply(turn.say("work_unknown", ref=rest.strip()))]
        work = works.pop(index)
        if verb == "remove":
            await turn.scope.remove_work(work)
            await turn.scope.reorder_works(works)
            return [Reply(turn.say("work_removed", title=UserText(work.title)))]
        await turn.scope.reorder_works([work, *works])
        return [Reply(turn.say("work_top", title=UserText(work.title)))]
    return [Reply(turn.say("usage", usage=turn.words("usage_wins")))]


async def open_form(turn: Turn, title: str) -> list[Intent]:
    """The form, with the draft a rejected one left (and ``title``, when given)."""
    if await works_full(turn.scope, turn.member, turn.limits):
        if not title:
            return [Reply(turn.say("work_limit_open", count=turn.limits.best_works))]
        return await _kept_at_limit(turn, {"title": title})
    form = await turn.with_draft(forms.work_form(turn.prompts))
    if title:
        form = forms.with_values(form, {"title": title})
    return [OpenForm(form)]


async def show(turn: Turn) -> list[Intent]:
    works = await turn.scope.works(turn.member)
    if not works:
        return [Reply(turn.say("wins_empty"))]
    body: list[Segment] = list(turn.say("wins_best_head"))
    for position, work in enumerate(works, start=1):
        if position == BEST + 1:
            body += ["\n\n", *turn.say("wins_rest_head")]
        body += [f"\n{position}. ", UserText(work.title)]
        if work.link:
            body += [" — ", UserText(work.link)]
        if work.why:
            body += ["\n   ", UserText(work.why)]
    return [Reply(tuple(body))]


async def submit(turn: Turn, values: Mapping[str, str]) -> list[Intent]:
    form = forms.work_form(turn.prompts)
    if await works_full(turn.scope, turn.member, turn.limits):
        return await _kept_at_limit(turn, values)
    rejected = await rejection(turn, form, values, draft="work")
    if rejected is not None:
        return [rejected]
    work = await turn.scope.add_work(
        turn.member,
        title=values["title"].strip(),
        link=values.get("link", "").strip(),
        why=values.get("why", "").strip(),
        created_at=turn.now,
    )
    await turn.scope.clear_draft(turn.member, "work")
    return [Reply(turn.say("work_added", title=UserText(work.title)))]


async def _kept_at_limit(turn: Turn, values: Mapping[str, str]) -> list[Intent]:
    """No new work while the portfolio is full: the member's words are kept in the work draft
    and shown back, and ``/wins add`` reopens the form with them."""
    kept = await keep_as_draft(turn.scope, turn.member, "work", values, turn.now)
    title = UserText(kept.get("title", "").strip())
    return [Reply(turn.say("work_limit", count=turn.limits.best_works, title=title))]
