"""``/log`` adds a notebook entry; ``/review`` drafts a condensed review of the last two weeks
for the member to edit and keep (Schulman's advice: a daily notebook, a review every week or two).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from bot.coach import forms
from bot.coach.turn import Turn
from bot.events import Action, Button, FormRejected, Intent, OpenForm, Reply

REVIEW_WINDOW = timedelta(days=14)
GIST = 160  # a review keeps the gist of each item: its first line, cut to this


def gist(text: str) -> str:
    """The first line of ``text``, cut to ``GIST`` characters. ``gist("a\\nb") == "a"``."""
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first if len(first) <= GIST else first[: GIST - 1] + "…"


async def log(turn: Turn, text: str) -> list[Intent]:
    text = text.strip()
    if not text:
        return [Reply(turn.say("usage", usage="/log <what you did, saw or thought today>"))]
    await turn.scope.add_note(turn.member, text, turn.now)
    return [Reply(turn.say("log_saved"))]


async def draft_review(turn: Turn) -> str:
    """A plain-text draft from the last two weeks of notebook entries and check-ins."""
    since = turn.now - REVIEW_WINDOW
    notes = await turn.scope.notes_since(turn.member, since)
    checkins = await turn.scope.checkins_since(turn.member, since)
    if not notes and not checkins:
        return ""
    lines = [f"Review {since:%Y-%m-%d} – {turn.now:%Y-%m-%d}"]
    if notes:
        lines.append("Notebook:")
        lines += [f"- {n.created_at:%m-%d} {gist(n.text)}" for n in notes]
    if checkins:
        lines.append("Check-ins:")
        lines += [f"- {c.created_at:%m-%d} {gist(c.did)}" for c in checkins]
    failed = [gist(c.failed) for c in checkins if c.failed]
    if failed:
        lines.append("What failed or was dropped:")
        lines += [f"- {f}" for f in failed]
    nexts = [gist(c.next_experiment) for c in checkins if c.next_experiment]
    if nexts:
        lines.append(f"Latest next experiment: {nexts[-1]}")
    lines.append("What I learned: ")
    return "\n".join(lines)


async def review(turn: Turn) -> list[Intent]:
    draft = await draft_review(turn)
    if not draft:
        return [Reply(turn.say("review_empty"))]
    draft = draft[: forms.LONG]
    await turn.scope.save_draft(turn.member, "review", {"text": draft}, turn.now)
    buttons = (
        Button("Keep as is", Action.KEEP_REVIEW),
        Button("Edit", Action.EDIT_REVIEW),
    )
    return [Reply((*turn.say("review_head"), draft), buttons)]


async def keep(turn: Turn) -> list[Intent]:
    draft = await turn.scope.draft(turn.member, "review")
    if draft is None:
        return [Reply(turn.say("review_gone"))]
    await turn.scope.add_note(turn.member, str(draft.values.get("text", "")), turn.now, "review")
    await turn.scope.clear_draft(turn.member, "review")
    return [Reply(turn.say("review_kept"))]


async def edit(turn: Turn) -> list[Intent]:
    draft = await turn.scope.draft(turn.member, "review")
    if draft is None:
        return [Reply(turn.say("review_gone"))]
    return [OpenForm(forms.review_form(str(draft.values.get("text", ""))))]


async def submit(turn: Turn, values: Mapping[str, str]) -> list[Intent]:
    form = forms.review_form("")
    errors = forms.check(form, values)
    if errors:
        await turn.scope.save_draft(turn.member, "review", dict(values), turn.now)
        return [FormRejected(forms.with_values(form, values), errors)]
    await turn.scope.add_note(turn.member, values["text"].strip(), turn.now, "review")
    await turn.scope.clear_draft(turn.member, "review")
    return [Reply(turn.say("review_kept"))]
