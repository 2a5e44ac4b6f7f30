"""Render out: the core's messages, forms and home view as Block Kit, within Slack's limits
(50 blocks a message, 100 a modal, 3000 characters a section, 24 a modal title)."""

from __future__ import annotations

import hashlib
import json
import re
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
    UserText,
    plain,
)
from bot.prompts import Prompts
from bot.text import cap

SECTION_LIMIT = 3000
MESSAGE_BLOCKS = 50
MODAL_TITLE = 24
BUTTON_LABEL = 75
BUTTON_VALUE = 2000
ACTIONS_ELEMENTS = 25
OPTION_LABEL = 75
OPTION_VALUE = 150
METADATA_LIMIT = 3000
CONTEXT_LIMIT = 2000  # a context block's text, kept well within the 3000 of a text object
ACTION_PREFIX = "rc:"  # every button of ours; one Bolt listener takes them all
FORM_CALLBACK = "rc-form"
SPARKS = "▁▂▃▄▅▆▇█"

Block = dict[str, Any]


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": cap(text, limit), "emoji": True}


# Where a long text may be cut, best first: between paragraphs, lines, sentences, words.
_BREAKS = (re.compile(r"\n\s*\n"), re.compile(r"\n"), re.compile(r"[.!?…]\s"), re.compile(r"\s"))
# Slack markup a cut must not enter: an escaped character (``&amp;``), a mention (``<@U1>``).
_TOKENS = re.compile(r"&[a-zA-Z]+;|&#\d+;|<[^<>\s]{1,80}>")


def pieces(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, nothing lost: each cut falls between
    paragraphs if it can, else lines, sentences, words, and never inside ``&amp;`` or ``<@U1>``.
    Pieces of white space only are left out (Slack refuses an empty section).

    >>> pieces("one two three", 8)
    ['one two', 'three']
    """
    out: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = _cut(rest, limit)
        out.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    out.append(rest)
    return [p for p in out if p.strip()]


def _cut(text: str, limit: int) -> int:
    """Where to cut ``text`` so its first part fits in ``limit`` characters (always > 0)."""
    window = text[: limit + 1]
    for pattern in _BREAKS:
        ends = [m.end() for m in pattern.finditer(window) if limit // 3 <= m.end() <= limit]
        if ends:
            return _outside_tokens(text, ends[-1])
    return _outside_tokens(text, limit)


def _outside_tokens(text: str, cut: int) -> int:
    for token in _TOKENS.finditer(text, max(0, cut - 90), cut + 90):
        if token.start() < cut < token.end() and token.start() > 0:
            return token.start()
    return cut


def sections(text: str, room: int = MESSAGE_BLOCKS) -> list[Block]:
    """``text`` as section blocks of at most 3000 characters each, cut between paragraphs,
    sentences or words (``pieces``), at most ``room`` of them (the last one then says what was
    cut: only a text of about 140,000 characters or more meets it)."""
    chunks = pieces(text)
    chunks = chunks or ["\u200b"]  # Slack refuses an empty section; this one shows nothing
    if len(chunks) > room:
        rest = "\n\n".join(chunks[room - 1 :])
        chunks = [*chunks[: room - 1], _safe_cap(rest, SECTION_LIMIT)]
    return [_section(c) for c in chunks]


def _safe_cap(text: str, limit: int) -> str:
    """``cap``, its cut moved back out of an ``&amp;`` or a mention it would split."""
    capped = cap(text, limit)
    if capped == text:
        return text
    # Where the note begins: the first character that differs (text may even hold the note).
    pairs = enumerate(zip(capped, text, strict=False))
    keep = next((i for i, (a, b) in pairs if a != b), len(capped))
    return text[: _outside_tokens(text, keep)] + capped[keep:]


def actions(buttons: tuple[Button, ...]) -> list[Block]:
    """The buttons, ``ACTIONS_ELEMENTS`` to an actions block (Slack's limit), each value kept
    within Slack's 2000 characters (a longer one travels as a key, see ``button_value``)."""
    blocks = []
    for start in range(0, len(buttons), ACTIONS_ELEMENTS):
        row = buttons[start : start + ACTIONS_ELEMENTS]
        suffix = "" if start == 0 else f"-{start // ACTIONS_ELEMENTS + 1}"
        blocks.append(
            {
                "type": "actions",
                "block_id": f"rc-buttons{suffix}",
                "elements": [
                    {
                        "type": "button",
                        "text": _plain(b.label, BUTTON_LABEL),
                        # action_ids must be unique in a block; the index keeps them so.
                        "action_id": f"{ACTION_PREFIX}{b.action.value}:{start + i}",
                        "value": LONG_VALUES.keep(b.value or "-", BUTTON_VALUE),
                    }
                    for i, b in enumerate(row)
                ],
            }
        )
    return blocks


def message(body: Content, buttons: tuple[Button, ...] = ()) -> dict[str, Any]:
    """Arguments for chat.postMessage / postEphemeral / respond: ``text`` and ``blocks``.

    Every word is in the blocks, in as many sections as it takes; the buttons follow, 25 to
    an actions block, all within Slack's 50 blocks (more than 25 x 49 buttons would be cut).
    """
    text = mrkdwn(body)
    rows = actions(buttons)[: MESSAGE_BLOCKS - 1]
    blocks = sections(text, MESSAGE_BLOCKS - len(rows)) + rows
    # ``text`` is the notification fallback; it is escaped like the blocks.
    return {"text": _safe_cap(text, SECTION_LIMIT) if text.strip() else "\u200b", "blocks": blocks}


class LongValues:
    """Values too long for a button (2000) or an option (150), kept here by a short key that
    travels in their place; ``find`` gives them back when Slack returns the key. Bounded, and
    in memory: a press after a restart finds nothing and reads as an empty value."""

    PREFIX = "rc-key:"

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._kept: dict[str, str] = {}

    def keep(self, value: str, limit: int) -> str:
        if len(value) <= limit:
            return value
        key = self.PREFIX + hashlib.sha256(value.encode()).hexdigest()[:32]
        self._kept.pop(key, None)
        self._kept[key] = value
        while len(self._kept) > self.size:
            self._kept.pop(next(iter(self._kept)))
        return key

    def find(self, value: str) -> str:
        if not value.startswith(self.PREFIX):
            return value
        return self._kept.get(value, "")


LONG_VALUES = LongValues()


def button_value(raw: str) -> str:
    return "" if raw == "-" else LONG_VALUES.find(raw)


def _input(spec: FormField) -> Block:
    element: dict[str, Any]
    if spec.kind is FieldKind.CHOICE:
        options = [
            {
                "text": _plain(c.label, OPTION_LABEL),
                "value": LONG_VALUES.keep(c.value, OPTION_VALUE),
            }
            for c in spec.choices[:100]
        ]
        element = {"type": "static_select", "action_id": "value", "options": options}
        kept = LONG_VALUES.keep(spec.initial, OPTION_VALUE)
        initial = next((o for o in options if o["value"] == kept), None)
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
    secret = [f.name for f in form.fields if f.secret]
    kept = {"form": form.form_id, "context": form.context, "channel": channel_id}
    metadata = json.dumps({**kept, "secret": secret} if secret else kept)
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


def secret_fields(view: Mapping[str, Any]) -> frozenset[str]:
    """The fields of a modal that hold a credential (never written back to the member)."""
    meta = _object(_json_or_none(view.get("private_metadata") or "{}"))
    names = meta.get("secret")
    return frozenset(str(n) for n in names) if isinstance(names, list) else frozenset()


def submitted(view: Mapping[str, Any]) -> tuple[str, str, str | None, dict[str, str]]:
    """(form id, context, channel, values) from a view_submission's view."""
    meta = _object(_json_or_none(view.get("private_metadata") or "{}"))
    values: dict[str, str] = {}
    # A shape Slack never sends (a forged or broken payload) reads as empty, never as an error.
    for block_id, actions_ in _object(_object(view.get("state")).get("values")).items():
        state = _object(_object(actions_).get("value"))
        if state.get("type") == "static_select":
            option = _object(state.get("selected_option"))
            values[block_id] = LONG_VALUES.find(str(option.get("value") or ""))
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


def home(view: HomeView, prompts: Prompts) -> dict[str, Any]:
    """The App Home tab: goals with their recent numbers, the best five, the latest nudges."""
    say = prompts.say
    blocks: list[Block] = [{"type": "header", "text": _plain(plain(say("slack_home_title")), 150)}]
    if not view.goals:
        blocks.append(_section(mrkdwn(say("slack_home_no_goal"))))
    for goal in view.goals[:10]:
        target = (
            say("slack_home_target", target=goal.shown_target) if goal.target is not None else ()
        )
        line = say(
            "slack_home_goal",
            ref=goal.ref,
            capability=UserText(goal.capability),
            metric=UserText(goal.metric),
            better=plain(
                say("slack_home_higher" if goal.direction == "up" else "slack_home_lower")
            ),
            best=goal.shown_best,
            target=plain(target),
            trend=sparkline(goal.recent) or plain(say("slack_home_no_values")),
        )
        blocks.append(_section(cap(mrkdwn(line), SECTION_LIMIT)))
        if goal.chart_url:
            # A signed link Slack fetches the chart from (HTTP mode, COACH_PUBLIC_URL).
            alt_text = plain(say("slack_home_chart_alt", metric=UserText(goal.metric)))
            image = {"type": "image", "image_url": goal.chart_url, "alt_text": alt_text[:2000]}
            blocks.append(image)
        elif goal.chart is not None and goal.chart.alt.strip():
            # No image: App Home shows only images Slack can fetch for the viewer, and a
            # private upload is not one of them (see adapters/slack/charts.py). Its words stay.
            alt = {"type": "mrkdwn", "text": _safe_cap(escape(goal.chart.alt), CONTEXT_LIMIT)}
            blocks.append({"type": "context", "elements": [alt]})
    blocks.append({"type": "header", "text": _plain(plain(say("slack_home_best")), 150)})
    if view.best_works:
        lines = [
            f"{i}. {escape(w.title)}" + (f" — {escape(w.link)}" if w.link else "")
            for i, w in enumerate(view.best_works, start=1)
        ]
        blocks.append(_section(cap("\n".join(lines), SECTION_LIMIT)))
    else:
        blocks.append(_section(mrkdwn(say("slack_home_no_work"))))
    if view.recent_nudges:
        recent = "\n".join(f"• {mrkdwn(said)}" for said in view.recent_nudges)
        heading = mrkdwn(say("slack_home_nudges"))
        blocks.append(_section(cap(f"{heading}\n{recent}", SECTION_LIMIT)))
    blocks += actions(view.buttons)
    return {"type": "home", "blocks": blocks}
