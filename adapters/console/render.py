"""Render out: intents as labelled terminal text. Labels say where a message went:
``[only you]`` (private reply), ``[DM]``, ``[#team]`` (a channel others read)."""

from __future__ import annotations

import re

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


def message(intent: Intent, me: str, channel_names: dict[str, str]) -> str | None:
    """One intent as text, or ``None`` for intents the session handles itself (forms, files)."""
    match intent:
        case Reply(body=body):
            return block("only you", body)
        case DirectMessage(user_id=user, body=body):
            return block("DM" if user == me else f"DM to {user}", body)
        case ChannelPost(channel_id=channel, body=body, thread_id=thread, confirm=confirm):
            name = "#" + channel_names.get(channel, channel)
            posted = block(f"{name} › thread" if thread else name, body)
            return posted + ("\n" + block("only you", confirm) if confirm else "")
        case HomeView():
            return block("home", home_text(intent))
        case TryAgainLater(body=body):
            return block("only you", (*body, "\nType /retry to send it again."))
    return None


def home_text(view: HomeView) -> Content:
    parts: list[Segment] = ["Your goals:"]
    for goal in view.goals:
        trend = " → ".join(goal.shown_recent) or "no values yet"
        parts += [
            f"\n{goal.ref}. ",
            UserText(goal.capability),
            " — ",
            UserText(goal.metric),
            f": {trend}",
        ]
    if not view.goals:
        parts.append(" none active (/goal set)")
    parts.append("\nBest five:" if view.best_works else "\nBest five: none yet (/wins add)")
    for number, work in enumerate(view.best_works, start=1):
        parts += [f"\n{number}. ", UserText(work.title)]
    if view.recent_nudges:
        parts.append("\nLatest nudges:")
        for said in view.recent_nudges:
            parts += ["\n- ", *said]
    return tuple(parts)


def takes_lines(field: FormField) -> bool:
    """A long field whose value has several lines (a review draft) is answered in several
    lines, up to one holding only ``.``."""
    return field.kind is FieldKind.LONG and "\n" in field.initial.strip()


def question(field: FormField, number: int, total: int, title: str, refused: str = "") -> str:
    """How the console asks one form field; ``refused``: an earlier answer that cannot be kept
    (shown whole, to copy and fix)."""
    # Enter either skips or keeps the value shown, never both.
    notes = ["required"] if field.required else [] if field.initial else ["Enter to skip"]
    if field.hint:
        notes.append(field.hint)
    if field.kind in (FieldKind.SHORT, FieldKind.LONG):
        notes.append(f"up to {field.max_length} characters")
    head = f"[form] {title} {number}/{total}: {field.label}"
    if notes:
        head += f" ({'; '.join(notes)})"
    if field.choices:
        head += "\n" + "  ".join(f"  {i}) {c.label}" for i, c in enumerate(field.choices, 1))
    if takes_lines(field):  # a draft of several lines: shown whole, to keep or retype
        head += "\n   Enter keeps the text below; or type a new one, line by line, and . alone"
        head += " on the last line:"
        head += "".join(f"\n   | {safe(line)}" for line in field.initial.splitlines())
    elif field.initial:
        labels = {c.value: c.label for c in field.choices}
        shown = labels.get(field.initial, field.initial)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        head += f"\n   Enter keeps: {safe(shown)}"
        if not field.required:
            head += " (- leaves it empty)"
    if refused:
        head += f"\n   Your earlier answer, to fix: {safe(refused)}"
    return head
