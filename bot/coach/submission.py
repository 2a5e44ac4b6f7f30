"""The opening every submitted form shares: check the answers, keep them as a draft when they
are turned down, and say what is wrong (``FormRejected``, the form pre-filled with them).

>>> rejected = await rejection(turn, forms.work_form(), values, draft="work")
>>> if rejected is not None:
...     return [rejected]
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

from bot.coach import forms
from bot.coach.turn import Turn
from bot.events import Form, FormRejected

# Errors a flow finds beyond the form's own rules, given those the rules found.
MoreErrors = Callable[[Mapping[str, str]], Mapping[str, str]]


def checking(turn: Turn) -> forms.Checking:
    """What a form of this member is checked with: the coach's words, and their today."""
    return forms.Checking(turn.prompts, turn.now, turn.member.timezone)


async def rejection(
    turn: Turn,
    form: Form,
    values: Mapping[str, str],
    *,
    draft: str | None = None,
    more: MoreErrors | None = None,
    keep: Mapping[str, str] | None = None,
    withheld: Collection[str] = (),
) -> FormRejected | None:
    """``None`` when ``values`` can be saved; otherwise the answer that turns them down, every
    field's error at once, after keeping them in the member's ``draft`` (when the form has one)
    so that its command reopens with them. ``more`` adds errors for fields the form's rules let
    pass (the form's own error for a field wins); ``keep`` adds to what the draft keeps beyond
    the answers, read after ``more`` ran. ``withheld`` fields (a credential) are neither kept
    nor shown back: the member types them again.
    """
    errors = forms.check(form, values, checking(turn))
    if more is not None:
        for name, error in more(errors).items():
            errors.setdefault(name, error)
    if not errors:
        return None
    values = {name: text for name, text in values.items() if name not in withheld}
    if draft is not None:
        await turn.scope.save_draft(turn.member, draft, {**values, **(keep or {})}, turn.now)
    return FormRejected(forms.with_values(form, values), errors)
