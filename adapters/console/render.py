"""Render out: intents as labelled terminal text. Labels say where a message went:
``[only you]`` (private reply), ``[DM]``, ``[#team]`` (a channel others read). A chart that
came with a message is noted under it: its words, and the private file its picture is in."""

from __future__ import annotations

import re

from bot.charts import sparkline
from bot.events import (
    Button,
    ChannelPost,
    Content,
    DirectMessage,
    FieldKind,
    FormField,
    HomeView,
    Intent,
    Reply,
    Segment,
    TryAgainLater,
    UserText,
    plain,
)
from bot.prompts import Prompts, load_prompts

# Terminal control sequences in member text could move the cursor or recolour the screen.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x9b]")


def safe(text: str) -> str:
    """Member text with terminal control characters removed. ``safe("a\\x1b[2J") == "a[2J"``."""
    return _CONTROL.sub("", text)


def block(label: str, body: Content) -> str:
    """``[label] first line`` with later lines indented under it."""
    text = plain(body, safe)
    lines = text.splitlines() or [""]
    pad = " " * (len(label) + 3)
    return "\n".join([f"[{label}] {lines[0]}", *(pad + line if line else "" for line in lines[1:])])


def buttons(choices: tuple[Button, ...]) -> str:
    return "   " + "  ".join(f"({i}) {b.label}" for i, b in enumerate(choices, start=1))


def words(prompts: Prompts, key: str, **values: str | int) -> str:
    """The message ``key`` as one plain string, for a label or a line the console builds."""
    return plain(prompts.say(key, **values))


def private(prompts: Prompts) -> str:
    """The label of what only the member at the keyboard sees."""
    return words(prompts, "console_label_private")


def dm_label(user: str, me: str) -> str:
    """``DM`` for the member at the keyboard, ``DM to grace`` for another."""
    return "DM" if user == me else words(load_prompts(), "console_label_dm_to", user=user)


def channel_label(channel: str, thread: str | None, channel_names: dict[str, str]) -> str:
    """``#team``, or ``#team › thread`` for a reply in one of its threads."""
    name = "#" + channel_names.get(channel, channel)
    return f"{name} › thread" if thread else name


def chart_note(path: str, alt: str = "", ref: int | None = None) -> str:
    """What goes under a message its chart came with: the chart in words (``alt``, when the
    message does not say it already) and, on a line of its own, the file its picture is in."""
    prompts = load_prompts()
    saved = (
        words(prompts, "console_chart", path=path)
        if ref is None
        else words(prompts, "console_chart_of_goal", ref=ref, path=path)
    )
    return "\n".join("   " + line for line in [*([safe(alt)] if alt else []), saved])


def message(intent: Intent, me: str, channel_names: dict[str, str]) -> str | None:
    """One intent as text, or ``None`` for intents the session handles itself (forms, files).

    The labels are the shipped words (the coach's own unless it was given others): every
    caller passes just these three, the intent being all there is to show."""
    prompts = load_prompts()
    match intent:
        case Reply(body=body):
            return block(private(prompts), body)
        case DirectMessage(user_id=user, body=body):
            return block(dm_label(user, me), body)
        case ChannelPost(channel_id=channel, body=body, thread_id=thread, confirm=confirm):
            posted = block(channel_label(channel, thread, channel_names), body)
            return posted + ("\n" + block(private(prompts), confirm) if confirm else "")
        case HomeView():
            return block("home", home_text(intent, prompts))
        case TryAgainLater(body=body):
            return block(private(prompts), (*body, "\n", *prompts.say("console_retry_hint")))
    return None


def home_text(view: HomeView, prompts: Prompts) -> Content:
    parts: list[Segment] = [*prompts.say("console_home_goals")]
    for goal in view.goals:
        trend = " → ".join(goal.shown_recent) or words(prompts, "console_home_no_values")
        spark = sparkline(goal.recent) if len(goal.recent) > 1 else ""
        parts += [
            f"\n{goal.ref}. ",
            UserText(goal.capability),
            " — ",
            UserText(goal.metric),
            f": {spark} {trend}" if spark else f": {trend}",
        ]
    if not view.goals:
        parts += [" ", *prompts.say("console_home_no_goals")]
    best = "console_home_best" if view.best_works else "console_home_no_best"
    parts += ["\n", *prompts.say(best)]
    for number, work in enumerate(view.best_works, start=1):
        parts += [f"\n{number}. ", UserText(work.title)]
    if view.recent_nudges:
        parts += ["\n", *prompts.say("console_home_nudges")]
        for said in view.recent_nudges:
            parts += ["\n- ", *said]
    return tuple(parts)


def takes_lines(field: FormField) -> bool:
    """A long field whose value has several lines (a review draft) is answered in several
    lines, up to one holding only ``.``."""
    return field.kind is FieldKind.LONG and "\n" in field.initial.strip()


def question(
    field: FormField, number: int, total: int, title: str, prompts: Prompts, refused: str = ""
) -> str:
    """How the console asks one form field; ``refused``: an earlier answer that cannot be kept
    (shown whole, to copy and fix)."""
    # Enter either skips or keeps the value shown, never both.
    notes = (
        [words(prompts, "console_field_required")]
        if field.required
        else []
        if field.initial
        else [words(prompts, "console_field_skip")]
    )
    if field.hint:
        notes.append(field.hint)
    if field.kind in (FieldKind.SHORT, FieldKind.LONG):
        notes.append(words(prompts, "console_field_limit", limit=field.max_length))
    head = f"[form] {title} {number}/{total}: {field.label}"
    if notes:
        head += f" ({'; '.join(notes)})"
    if field.choices:
        head += "\n" + "  ".join(f"  {i}) {c.label}" for i, c in enumerate(field.choices, 1))
    if takes_lines(field):  # a draft of several lines: shown whole, to keep or retype
        head += "\n   " + words(prompts, "console_field_lines")
        head += "".join(f"\n   | {safe(line)}" for line in field.initial.splitlines())
    elif field.initial:
        labels = {c.value: c.label for c in field.choices}
        shown = labels.get(field.initial, field.initial)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        head += "\n   " + words(prompts, "console_field_keeps", value=safe(shown))
        if not field.required:
            head += " " + words(prompts, "console_field_clear")
    if refused:
        head += "\n   " + words(prompts, "console_field_refused", answer=safe(refused))
    return head
