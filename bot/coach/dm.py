"""A plain line in the DM with the coach when no reflection question is open: a command said in
words ("forget me", "check in"), a question about how the coach works (answered from the
coaching guide in ``prompts/dm.yaml``), or anything else, answered by what the DM is for.

A command said in words runs the command itself, so it keeps its confirmation: "forget me"
asks before anything is deleted, exactly as ``/coach forget me`` does.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.analysis.phrases import PhraseBook, Token, tokenize, word_set
from bot.coach.reflection import distress
from bot.coach.turn import Turn
from bot.events import Action, Button, Content, DirectMessage, Intent, OpenForm, Reply, UserText
from bot.prompts import PromptError, _read_yaml, placeholders

QUESTION_WORDS = word_set(
    "how what which why where when who whom can could do does did is are should will would may"
)
NOTE = re.compile(r"^\s*(?:log|note)\s*:\s*(?P<text>\S.*)$", re.IGNORECASE | re.DOTALL)
# Forms a DM message cannot open (a message brings no trigger for a modal): a button can.
FORM_BUTTONS = {
    "checkin": Action.OPEN_CHECKIN,
    "settings": Action.OPEN_SETTINGS,
    "review": Action.EDIT_REVIEW,
}

COMMAND_SHOWN = 60  # characters of a typed command repeated back

Run = Callable[[Turn, str, str], Awaitable[list[Intent]]]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SaidCommand(_Strict):
    command: str = Field(description="The slash command it stands for, without the slash.")
    phrases: tuple[str, ...] = Field(min_length=1)
    examples: tuple[str, ...] = Field(min_length=1)


class Topic(_Strict):
    id: str
    phrases: tuple[str, ...] = Field(min_length=1)
    examples: tuple[str, ...] = Field(min_length=1)
    answer: str


class Guide(_Strict):
    commands: tuple[SaidCommand, ...]
    topics: tuple[Topic, ...]


@dataclass(frozen=True)
class Reading:
    """``prompts/dm.yaml``, validated, with its phrases compiled."""

    guide: Guide
    commands: PhraseBook
    topics: PhraseBook

    def topic(self, topic_id: str) -> Topic:
        return next(t for t in self.guide.topics if t.id == topic_id)


@cache
def reading() -> Reading:
    """Load and compile ``prompts/dm.yaml``; raises ``PromptError`` naming what is wrong."""
    try:
        guide = Guide.model_validate(_read_yaml("dm.yaml"))
        commands = PhraseBook.compile({c.command: c.phrases for c in guide.commands})
        topics = PhraseBook.compile({t.id: t.phrases for t in guide.topics})
    except ValueError as exc:  # pydantic's ValidationError and bad phrases alike
        raise PromptError(f"prompts/dm.yaml: {exc}") from exc
    for keys in ([c.command for c in guide.commands], [t.id for t in guide.topics]):
        if len(set(keys)) != len(keys):
            raise PromptError("prompts/dm.yaml: an entry repeats")
    for topic in guide.topics:
        if placeholders(topic.answer) or "{" in topic.answer:
            raise PromptError(f"prompts/dm.yaml: topic {topic.id} has braces in its answer")
    return Reading(guide, commands, topics)


@dataclass(frozen=True)
class Meaning:
    """What a DM line asks for: a command line (``"coach forget me"``) or a topic id."""

    kind: Literal["command", "topic"]
    key: str


def _first(found: Iterable[str], order: list[str]) -> str | None:
    keys = set(found)
    return next((key for key in order if key in keys), None)


def understand(text: str) -> Meaning | None:
    """What ``text`` asks for, or ``None`` when it is none of the coach's commands or topics.

    >>> understand("forget me"), understand("How do I pick a good metric?")
    (Meaning(kind='command', key='coach forget me'), Meaning(kind='topic', key='pick-number'))
    """
    stripped = text.strip()
    if stripped.startswith("/") and len(stripped) > 1:
        return Meaning("command", stripped[1:])
    note = NOTE.match(stripped)
    if note:
        return Meaning("command", f"log {note.group('text').strip()}")
    tokens = tokenize(stripped)
    if not tokens:
        return None
    tokens.append(Token(".", len(stripped), len(stripped)))  # the end of the line ends a clause
    known = reading()
    command = _first(
        (m.key for m in known.commands.find(tokens)), [c.command for c in known.guide.commands]
    )
    topic = _first((m.key for m in known.topics.find(tokens)), [t.id for t in known.guide.topics])
    question = stripped.endswith("?") or tokens[0].text in QUESTION_WORDS
    said = Meaning("command", command) if command else None
    asked = Meaning("topic", topic) if topic else None
    return (asked or said) if question else (said or asked)


async def answer(turn: Turn, text: str, run: Run) -> list[Intent]:
    """Answer a DM line; ``run(turn, name, text)`` runs a slash command."""
    meaning = understand(text)
    if meaning is None:
        if distress(text) is not None:  # acknowledged before anything else, never ignored
            care = turn.prompts.reflection.care
            return [_dm(turn, (care, "\n\n", *turn.say("dm_care")))]
        return [_dm(turn, turn.say("dm_help"))]
    if meaning.kind == "topic":
        return [_dm(turn, (reading().topic(meaning.key).answer,))]
    name, _, rest = meaning.key.partition(" ")
    return in_dm(turn, await run(turn, name, rest.strip()), meaning.key)


def in_dm(turn: Turn, intents: list[Intent], command: str) -> list[Intent]:
    """A command's answer, said in the DM: a private reply becomes a DM, and a form (which a
    DM message cannot open) a button that opens it, or the command to type."""
    out: list[Intent] = []
    for intent in intents:
        match intent:
            case Reply(body=body, buttons=buttons):
                out.append(_dm(turn, body, buttons))
            case OpenForm(form=form) if form.form_id in FORM_BUTTONS:
                button = Button(form.title, FORM_BUTTONS[form.form_id], form.context)
                out.append(_dm(turn, turn.say("dm_open_form", title=form.title), (button,)))
            case OpenForm():
                typed = UserText(command[:COMMAND_SHOWN])
                out.append(_dm(turn, turn.say("dm_form_needs_command", command=typed)))
            case _:
                out.append(intent)
    return out


def _dm(turn: Turn, body: Content, buttons: tuple[Button, ...] = ()) -> DirectMessage:
    return DirectMessage(turn.actor.user_id, body, buttons)
