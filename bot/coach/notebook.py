"""``/log`` adds a notebook entry; ``/review`` drafts a condensed review of the last two weeks
(``bot.coach.review``) for the member to edit and keep (Schulman's advice: a daily notebook, a
review every week or two).
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.coach import forms
from bot.coach.limits import notebook_full
from bot.coach.review import draft as review_draft
from bot.coach.submission import rejection
from bot.coach.turn import Turn
from bot.events import Action, Button, Intent, OpenForm, Reply, UserText


async def log(turn: Turn, text: str) -> list[Intent]:
    text = text.strip()
    if not text:
        return [Reply(turn.say("usage", usage=turn.words("usage_log")))]
    if await notebook_full(turn.scope, turn.member, turn.limits):
        # Kept as the command's draft, as a too-long /log is: /coach export gives it back.
        await turn.scope.save_draft(turn.member, "/log", {"text": text}, turn.now)
        count = turn.limits.notebook_entries
        return [Reply(turn.say("log_limit", count=count, text=UserText(text)))]
    await turn.scope.add_note(turn.member, text, turn.now)
    return [Reply(turn.say("log_saved"))]


async def review(turn: Turn) -> list[Intent]:
    draft = await review_draft(turn)
    if not draft:
        return [Reply(turn.say("review_empty"))]
    await turn.scope.save_draft(turn.member, "review", {"text": draft}, turn.now)
    buttons = (
        Button(turn.words("button_keep_review"), Action.KEEP_REVIEW),
        Button(turn.words("button_edit_review"), Action.EDIT_REVIEW),
    )
    # The draft holds the member's words: shown as theirs, escaped by every platform.
    return [Reply((*turn.say("review_head"), UserText(draft)), buttons)]


async def keep(turn: Turn) -> list[Intent]:
    draft = await turn.scope.draft(turn.member, "review")
    if draft is None:
        return [Reply(turn.say("review_gone"))]
    if await notebook_full(turn.scope, turn.member, turn.limits):
        return [Reply(turn.say("review_limit", count=turn.limits.notebook_entries))]
    await turn.scope.add_note(turn.member, str(draft.values.get("text", "")), turn.now, "review")
    await turn.scope.clear_draft(turn.member, "review")
    return [Reply(turn.say("review_kept"))]


async def edit(turn: Turn) -> list[Intent]:
    draft = await turn.scope.draft(turn.member, "review")
    if draft is None:
        return [Reply(turn.say("review_gone"))]
    return [OpenForm(forms.review_form(str(draft.values.get("text", "")), turn.prompts))]


async def submit(turn: Turn, values: Mapping[str, str]) -> list[Intent]:
    rejected = await rejection(turn, forms.review_form("", turn.prompts), values, draft="review")
    if rejected is not None:
        return [rejected]
    if await notebook_full(turn.scope, turn.member, turn.limits):
        await turn.scope.save_draft(turn.member, "review", dict(values), turn.now)
        return [Reply(turn.say("review_limit", count=turn.limits.notebook_entries))]
    await turn.scope.add_note(turn.member, values["text"].strip(), turn.now, "review")
    await turn.scope.clear_draft(turn.member, "review")
    return [Reply(turn.say("review_kept"))]
