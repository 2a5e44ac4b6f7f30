"""Render out: the core's messages, forms and home view as Block Kit, within Slack's limits
(50 blocks a message, 100 a modal, 3000 characters a section, 24 a modal title)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from adapters.slack.sanitize import escape, mrkdwn
from bot.coach.forms import REOPENS
from bot.events import (
    Button,
    Content,
    FieldKind,
    Form,
    FormField,
    HomeView,
)
from bot.text import cap

SECTION_LIMIT = 3000
MESSAGE_BLOCKS = 50
MODAL_TITLE = 24
BUTTON_LABEL = 75
OPTION_LABEL = 75
METADATA_LIMIT = 3000
ACTION_PREFIX = "rc:"  # every button of ours; one Bolt listener takes them all
FORM_CALLBACK = "rc-form"
SPARKS = "▁▂▃▄▅▆▇█"

Block = dict[str, Any]


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": cap(text, limit), "emoji": True}


def sections(text: str, room: int = MESSAGE_BLOCKS) -> list[Block]:
    """``text`` as section blocks of at most 3000 characters, split between paragraphs,
    and at most ``room`` of them (the last one says what was cut)."""
    chunks: list[str] = []
    for paragraph in text.split("\n\n"):
        if chunks and len(chunks[-1]) + 2 + len(paragraph) <= SECTION_LIMIT:
            chunks[-1] += "\n\n" + paragraph
        else:
            chunks.append(paragraph)
    chunks = [c for c in chunks if c.strip()] or [" "]
    if len(chunks) > room:
        rest = "\n\n".join(chunks[room - 1 :])
        chunks = [*chunks[: room - 1], rest]
    return [_section(cap(c, SECTION_LIMIT)) for c in chunks]


def actions(buttons: tuple[Button, ...]) -> Block:
    return {
        "type": "actions",
        "block_id": "rc-buttons",
        "elements": [
            {
                "type": "button",
                "text": _plain(b.label, BUTTON_LABEL),
                # action_ids must be unique in a block; the index keeps them so.
                "action_id": f"{ACTION_PREFIX}{b.action.value}:{i}",
                "value": b.value or "-",
            }
            for i, b in enumerate(buttons)
        ],
    }


def message(body: Content, buttons: tuple[Button, ...] = ()) -> dict[str, Any]:
    """Arguments for chat.postMessage / postEphemeral / respond: ``text`` and ``blocks``."""
    text = mrkdwn(body)
    blocks = sections(text, MESSAGE_BLOCKS - (1 if buttons else 0))
    if buttons:
        blocks.append(actions(buttons))
    # ``text`` is the notification fallback; it is escaped like the blocks.
    return {"text": cap(text, SECTION_LIMIT), "blocks": blocks}


def button_value(raw: str) -> str:
    return "" if raw == "-" else raw


def _input(spec: FormField) -> Block:
    element: dict[str, Any]
    if spec.kind is FieldKind.CHOICE:
        options = [
            {"text": _plain(c.label, OPTION_LABEL), "value": c.value} for c in spec.choices[:100]
        ]
        element = {"type": "static_select", "action_id": "value", "options": options}
        initial = next((o for o in options if o["value"] == spec.initial), None)
        if initial is not None:
            element["initial_option"] = initial
    else:
        # A draft kept because it was over the field's limit is shown whole (as far as Slack
        # takes), so the member can shorten it; the coach checks the limit again on submit.
        element = {
            "type": "plain_text_input",
            "action_id": "value",
            "multiline": spec.kind is FieldKind.LONG,
            "max_length": min(max(spec.max_length, len(spec.initial)), 3000),
        }
        if spec.initial:
            element["initial_value"] = spec.initial[: element["max_length"]]
    block: Block = {
        "type": "input",
        "block_id": spec.name,
        "optional": not spec.required,
        "label": _plain(spec.label, 2000),
        "element": element,
    }
    if spec.hint:
        block["hint"] = _plain(spec.hint, 2000)
    return block


def modal(form: Form, channel_id: str | None) -> dict[str, Any]:
    """A modal for ``form``; its metadata brings the form id, context and channel back.

    A form that keeps a draft asks Slack to say when it is closed unsent (``view_closed``), so
    what the member typed is kept and the form's command reopens with it.
    """
    metadata = json.dumps({"form": form.form_id, "context": form.context, "channel": channel_id})
    if len(metadata) > METADATA_LIMIT:
        raise ValueError(f"form context too long for Slack's private_metadata: {form.form_id}")
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK,
        "title": _plain(form.title, MODAL_TITLE),
        "submit": _plain(form.submit_label, MODAL_TITLE),
        "close": _plain("Cancel", MODAL_TITLE),
        "notify_on_close": form.form_id in REOPENS,
        "private_metadata": metadata,
        "blocks": [_input(f) for f in form.fields[:100]],
    }


def submitted(view: Mapping[str, Any]) -> tuple[str, str, str | None, dict[str, str]]:
    """(form id, context, channel, values) from a view_submission's view."""
    meta = _object(_json_or_none(view.get("private_metadata") or "{}"))
    values: dict[str, str] = {}
    # A shape Slack never sends (a forged or broken payload) reads as empty, never as an error.
    for block_id, actions_ in _object(_object(view.get("state")).get("values")).items():
        state = _object(_object(actions_).get("value"))
        if state.get("type") == "static_select":
            option = _object(state.get("selected_option"))
            values[block_id] = str(option.get("value") or "")
        else:
            values[block_id] = str(state.get("value") or "")
    channel = meta.get("channel")
    return (
        str(meta.get("form", "")),
        str(meta.get("context", "")),
        channel if isinstance(channel, str) else None,
        values,
    )


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _json_or_none(text: Any) -> Any:
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return None


def sparkline(values: tuple[float, ...]) -> str:
    """``sparkline((1, 2, 3)) == "▁▄█"``; a flat series is a flat line."""
    if not values:
        return ""
    low, high = min(values), max(values)
    if high == low:
        return SPARKS[3] * len(values)
    steps = len(SPARKS) - 1
    return "".join(SPARKS[round((v - low) / (high - low) * steps)] for v in values)


def home(view: HomeView) -> dict[str, Any]:
    """The App Home tab: goals with their recent numbers, the best five, the latest nudges."""
    blocks: list[Block] = [{"type": "header", "text": _plain("Your research", 150)}]
    if not view.goals:
        blocks.append(_section("No active goal yet. Start with `/goal set`."))
    for goal in view.goals[:10]:
        better = "higher" if goal.direction == "up" else "lower"
        target = f" · target {goal.shown_target}" if goal.target is not None else ""
        line = (
            f"*{goal.ref}. {escape(goal.capability)}*\n{escape(goal.metric)} ({better} is better)"
            f": best {goal.shown_best}{target}\n`{sparkline(goal.recent) or 'no values yet'}`"
        )
        blocks.append(_section(cap(line, SECTION_LIMIT)))
    blocks.append({"type": "header", "text": _plain("Best five", 150)})
    if view.best_works:
        lines = [
            f"{i}. {escape(w.title)}" + (f" — {escape(w.link)}" if w.link else "")
            for i, w in enumerate(view.best_works, start=1)
        ]
        blocks.append(_section(cap("\n".join(lines), SECTION_LIMIT)))
    else:
        blocks.append(_section("Nothing yet: add what you are proudest of with `/wins add`."))
    if view.recent_nudges:
        recent = "\n".join(f"• {mrkdwn(said)}" for said in view.recent_nudges)
        blocks.append(_section(cap(f"*Latest nudges*\n{recent}", SECTION_LIMIT)))
    if view.buttons:
        blocks.append(actions(view.buttons))
    return {"type": "home", "blocks": blocks}
