"""Forms as Discord modals, and modal submits back as form values.

A modal holds at most five components. Text fields become text inputs and a CHOICE field a
select menu, each under a label (the label carries the field's hint). A form with one field
too many (the check-in's goal picker when a member has several goals) asks its choice first,
in a select menu, and opens the modal with the rest; ``/checkin goal:N`` skips that step.

The modal's custom id names the form, its context, the values chosen before it, and the guild
(for modals opened from a DM), so a submit is answered from the custom id alone — even by a
process started after the modal was opened:

    rcf:<form_id>:<context>:<chosen values>:<guild>
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode

import discord

from adapters.discord.components import CUSTOM_ID_LIMIT, OPTIONS_LIMIT
from bot.events import FieldKind, Form, FormField

MODAL_LIMIT = 5  # components in one modal
TITLE_LIMIT = 45
LABEL_LIMIT = 45
DESCRIPTION_LIMIT = 100
INPUT_LIMIT = 4000  # characters in one text input

_FORM_ID = re.compile(r"rcf:(?P<form>[^:]*):(?P<context>[^:]*):(?P<fixed>[^:]*):(?P<guild>\d*)")
_REPLY_ID = re.compile(r"rc-reply-modal(?::(?P<guild>\d+))?")
REPLY_FIELD = "answer"


class FormTooBig(ValueError):
    """A form Discord cannot show: more fields than a modal and a choice asked first hold."""


@dataclass(frozen=True)
class Submitted:
    """What a modal's custom id says about the form that was submitted."""

    form_id: str
    context: str
    fixed: dict[str, str]
    guild: str | None


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def layout(form: Form) -> tuple[FormField | None, tuple[FormField, ...]]:
    """(the choice to ask before the modal, or None; the fields the modal shows)."""
    if len(form.fields) <= MODAL_LIMIT:
        return None, form.fields
    choices = [f for f in form.fields if f.kind is FieldKind.CHOICE]
    if not choices or len(form.fields) - 1 > MODAL_LIMIT:
        raise FormTooBig(f"form {form.form_id!r} has {len(form.fields)} fields")
    first = choices[0]
    return first, tuple(f for f in form.fields if f is not first)


def form_custom_id(
    form: Form, fixed: Mapping[str, str] | None = None, guild: str | None = None
) -> str:
    """``rcf:checkin:1:goal%3D2:`` — raises ``FormTooBig`` past 100 characters."""
    parts = (form.form_id, form.context, urlencode(dict(fixed or {})))
    custom_id = "rcf:" + ":".join(quote(p, safe="") for p in parts) + f":{guild or ''}"
    if len(custom_id) > CUSTOM_ID_LIMIT:
        raise FormTooBig(f"form {form.form_id!r}: its context does not fit a custom id")
    return custom_id


def parse_custom_id(custom_id: str) -> Submitted | None:
    """The form behind a modal's custom id; ``None`` when the modal is not one of ours."""
    match = _FORM_ID.fullmatch(custom_id)
    if match is None:
        return None
    return Submitted(
        unquote(match["form"]),
        unquote(match["context"]),
        dict(parse_qsl(unquote(match["fixed"]), keep_blank_values=True)),
        match["guild"] or None,
    )


def modal(
    form: Form,
    fields: tuple[FormField, ...],
    fixed: Mapping[str, str] | None = None,
    guild: str | None = None,
) -> discord.ui.Modal:
    """The modal showing ``fields`` of ``form``, pre-filled with each field's initial value.

    The modal is stopped before it is sent, so discord.py keeps no copy: its submit is routed
    by custom id (see ``parse_custom_id``).
    """
    shown = discord.ui.Modal(
        title=_short(form.title, TITLE_LIMIT),
        custom_id=form_custom_id(form, fixed, guild),
        timeout=None,
    )
    for spec in fields:
        shown.add_item(_labelled(spec))
    shown.stop()
    return shown


def _labelled(spec: FormField) -> discord.ui.Label[Any]:
    label = _short(spec.label, LABEL_LIMIT)
    description = spec.hint or (spec.label if label != spec.label else "")
    return discord.ui.Label(
        text=label,
        description=_short(description, DESCRIPTION_LIMIT) or None,
        component=_select(spec) if spec.kind is FieldKind.CHOICE else _text_input(spec),
    )


def _text_input(spec: FormField) -> discord.ui.TextInput[Any]:
    # A rejected draft may be longer than the field allows: show all of it, so the member can
    # shorten it rather than lose it; the coach checks the limit again on submit.
    limit = min(max(spec.max_length, len(spec.initial)), INPUT_LIMIT)
    return discord.ui.TextInput(
        custom_id=spec.name,
        style=discord.TextStyle.paragraph
        if spec.kind is FieldKind.LONG
        else discord.TextStyle.short,
        required=spec.required,
        max_length=limit,
        default=spec.initial[:limit] or None,
    )


def _select(spec: FormField) -> discord.ui.Select[Any]:
    return discord.ui.Select(
        custom_id=spec.name,
        options=options(spec),
        min_values=1 if spec.required else 0,
        max_values=1,
        required=spec.required,
    )


def options(spec: FormField) -> list[discord.SelectOption]:
    """The choices of a CHOICE field (the first 25: a select menu holds no more)."""
    return [
        discord.SelectOption(
            label=_short(choice.label, 100),
            value=choice.value,
            default=choice.value == spec.initial,
        )
        for choice in spec.choices[:OPTIONS_LIMIT]
    ]


def values(data: Mapping[str, Any]) -> dict[str, str]:
    """Field name → what the member entered, from a modal submit's ``data``."""
    found: dict[str, str] = {}

    def walk(components: Any) -> None:
        # Shapes Discord never sends (a forged submit) are skipped, never an error.
        for component in components if isinstance(components, list) else []:
            if not isinstance(component, dict):
                continue
            if component.get("type") == 1:  # an action row (older modals)
                walk(component.get("components"))
            elif component.get("type") == 18:  # a label around one component
                walk([component.get("component")])
            elif isinstance(component.get("custom_id"), str):
                if "values" in component:  # a select menu
                    chosen = component["values"]
                    listed = chosen if isinstance(chosen, list) else []
                    found[component["custom_id"]] = ",".join(map(str, listed))
                else:
                    found[component["custom_id"]] = str(component.get("value") or "")

    walk(data.get("components"))
    return found


def reply_modal(question: str, guild: str | None, label: str) -> discord.ui.Modal:
    """One long answer to the coach's last DM question, for members who refuse DMs; ``label``
    titles the modal and its one field (prompts/messages.yaml)."""
    shown = discord.ui.Modal(
        title=label,
        custom_id=f"rc-reply-modal{':' + guild if guild else ''}",
        timeout=None,
    )
    shown.add_item(
        discord.ui.Label(
            text=label,
            description=_short(question, DESCRIPTION_LIMIT) or None,
            component=discord.ui.TextInput(
                custom_id=REPLY_FIELD,
                style=discord.TextStyle.paragraph,
                required=True,
                max_length=INPUT_LIMIT,
            ),
        )
    )
    shown.stop()
    return shown


def parse_reply_id(custom_id: str) -> tuple[bool, str | None]:
    """(is this the answer modal, its guild)."""
    match = _REPLY_ID.fullmatch(custom_id)
    return (match is not None, match["guild"] if match else None)
