"""The best five, reviewed, from the member's side: the quarterly DM's button opens a
one-field form asking which one bet would most change their best five by next quarter, and
the answer goes to their notebook. ``/coach quarterly on|off`` turns the DM on or off (on by
default). The DM itself is claimed by the tick and composed when sent (``bot.schedule``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace

from bot.coach import forms
from bot.coach.limits import notebook_full
from bot.coach.submission import rejection
from bot.coach.turn import Turn
from bot.events import Form, Intent, OpenForm, Reply, UserText, plain

FORM = "quarterly"
QUARTER = re.compile(r"\d{4}-Q[1-4]")


def form(turn: Turn, quarter: str, initial: str = "") -> Form:
    """One long field; the quarter reviewed rides along as the context."""
    words = (
        turn.words("quarterly_form_title"),
        turn.words("quarterly_form_label"),
        turn.words("quarterly_form_hint"),
        turn.words("quarterly_form_submit"),
    )
    return forms.one_question(FORM, "bet", words, initial, quarter)


def _quarter(value: str) -> str:
    """The quarter a button or form names; anything else is kept out of the notebook."""
    return value if QUARTER.fullmatch(value) else ""


async def open_form(turn: Turn, quarter: str) -> list[Intent]:
    """The DM's button: the form, with what a closed or refused one left."""
    draft = await turn.scope.draft(turn.member, FORM)
    drafted = str(draft.values.get("bet", "")) if draft is not None else ""
    return [OpenForm(form(turn, _quarter(quarter), drafted))]


async def submit(turn: Turn, values: Mapping[str, str], context: str) -> list[Intent]:
    """The bet, as a notebook entry that says which quarter's review it answers."""
    quarter = _quarter(context)
    rejected = await rejection(turn, form(turn, quarter), values, draft=FORM)
    if rejected is not None:
        return [rejected]
    if await notebook_full(turn.scope, turn.member, turn.limits):
        await turn.scope.save_draft(turn.member, FORM, dict(values), turn.now)
        return [Reply(turn.say("quarterly_bet_limit", count=turn.limits.notebook_entries))]
    bet = values["bet"].strip()
    key = "quarterly_bet_entry" if quarter else "quarterly_bet_entry_plain"
    entry = plain(turn.say(key, quarter=quarter, bet=UserText(bet)))
    await turn.scope.add_note(turn.member, entry, turn.now)
    await turn.scope.clear_draft(turn.member, FORM)
    return [Reply(turn.say("quarterly_bet_kept"))]


async def switch(turn: Turn, on: bool) -> list[Intent]:
    """``/coach quarterly on|off``; turned on, the tick computes when it falls next."""
    await turn.change_member(replace(turn.member, quarterly_review=on, next_quarterly_at=None))
    return [Reply(turn.say("quarterly_on" if on else "quarterly_off"))]
