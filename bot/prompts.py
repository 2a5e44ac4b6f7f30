"""Loads and validates the coaching text in ``prompts/`` (shipped as the ``prompts`` package).

Every text the coach says lives there as data: the nudge catalogue, the reflection questions and
the messages. Templates use ``{name}`` placeholders; ``render`` turns one into ``Content``,
keeping member words as ``UserText`` so adapters can escape them.
"""

from __future__ import annotations

import string
from functools import cache
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.events import Content, Mention, Segment, UserText

NUDGE_IDS = (
    "tie-to-goal",
    "role-models",
    "goal-not-idea",
    "best-works",
    "setback",
    "spike",
    "next-experiment",
    "baseline-first",
    "switch-or-commit",
    "side-budget",
    "notebook-review",
    "long-bet",
)

Value = str | int | float | UserText | Mention


class PromptError(ValueError):
    """The prompts data is malformed; the message names the file and the entry."""


def placeholders(template: str) -> set[str]:
    """The ``{names}`` a template uses, e.g. ``placeholders("Hi {name}") == {"name"}``."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


SENTENCE_ENDS = (".", "!", "?", "…")


def render(template: str, **values: Value) -> Content:
    """Fill a template; ``UserText`` values stay marked as member words. A value that ends its
    own sentence takes the place of the template's period after it.

    >>> render("Saved: {entry}", entry=UserText("<!here>"))
    ('Saved: ', UserText(text='<!here>'))
    >>> render("Next: {step}. Good luck", step=UserText("Run the ablation."))
    ('Next: ', UserText(text='Run the ablation.'), ' Good luck')
    """
    parts: list[Segment] = []
    ended = False  # the value just placed ends its own sentence ("Run the ablation.")
    for literal, name, spec, _ in string.Formatter().parse(template):
        if ended and literal.startswith(".") and not literal.startswith(".."):
            literal = literal[1:]  # the template's period would double the member's
        if literal:
            parts.append(literal)
        ended = False
        if name is None:
            continue
        if name not in values:
            raise KeyError(f"template needs {{{name}}}: {template!r}")
        value = values[name]
        if isinstance(value, UserText | Mention):
            parts.append(value)
        else:
            parts.append(format(value, spec or ""))
        said = value.text if isinstance(value, UserText) else parts[-1]
        ended = isinstance(said, str) and said.rstrip().endswith(SENTENCE_ENDS)
    return tuple(parts)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Idea(_Strict):
    title: str
    author: str
    summary: str


class Nudge(_Strict):
    id: str
    idea: str
    trigger: str
    why: str = Field(description="One line: why the coach asks, from which idea.")
    wordings: tuple[str, ...] = Field(min_length=3)
    follow_up: str

    @field_validator("wordings")
    @classmethod
    def _no_placeholders(cls, wordings: tuple[str, ...]) -> tuple[str, ...]:
        for text in wordings:
            extra = placeholders(text) - {"metric", "goal"}
            if extra:
                raise ValueError(f"unknown placeholders {sorted(extra)} in {text!r}")
        return wordings


class ReflectionStep(_Strict):
    key: str
    question: str


class Reflection(_Strict):
    intro: str
    steps: tuple[ReflectionStep, ...] = Field(min_length=8, max_length=8)
    stopped: str
    close: str
    publish_offer: str
    care: str = Field(description="Said before the next question when an answer voices distress.")
    care_brief: str = Field(description="The same, when said before, or before the close.")


class Catalogue(_Strict):
    ideas: dict[str, Idea]
    nudges: tuple[Nudge, ...]

    @model_validator(mode="after")
    def _complete(self) -> Catalogue:
        ids = [n.id for n in self.nudges]
        if len(set(ids)) != len(ids):
            raise ValueError("nudge ids repeat")
        missing = set(NUDGE_IDS) - set(ids)
        if missing:
            raise ValueError(f"missing nudges: {sorted(missing)}")
        unknown = set(ids) - set(NUDGE_IDS)
        if unknown:
            raise ValueError(f"unknown nudges: {sorted(unknown)}")
        for nudge in self.nudges:
            if nudge.idea not in self.ideas:
                raise ValueError(f"nudge {nudge.id} cites unknown idea {nudge.idea!r}")
        return self


class Prompts:
    """All coaching text, validated. Get the shipped set with ``load_prompts()``."""

    def __init__(
        self, catalogue: Catalogue, reflection: Reflection, messages: dict[str, str]
    ) -> None:
        self.catalogue = catalogue
        self.reflection = reflection
        self.messages = messages
        self._nudges = {n.id: n for n in catalogue.nudges}

    def nudge(self, nudge_id: str) -> Nudge:
        return self._nudges[nudge_id]

    def idea_of(self, nudge_id: str) -> Idea:
        return self.catalogue.ideas[self._nudges[nudge_id].idea]

    def say(self, key: str, **values: Value) -> Content:
        """Render the message ``key`` from messages.yaml."""
        return render(self.messages[key], **values)


def _read_yaml(name: str) -> Any:
    text = resources.files("prompts").joinpath(name).read_text(encoding="utf-8")
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PromptError(f"prompts/{name}: {exc}") from exc


@cache
def load_prompts() -> Prompts:
    """Load and validate ``prompts/``; raises ``PromptError`` naming what is wrong."""
    try:
        catalogue = Catalogue.model_validate(_read_yaml("nudges.yaml"))
        reflection = Reflection.model_validate(_read_yaml("reflection.yaml"))
        messages = _read_yaml("messages.yaml")
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise PromptError(str(exc)) from exc
    if not isinstance(messages, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in messages.items()
    ):
        raise PromptError("prompts/messages.yaml must map message keys to strings")
    return Prompts(catalogue, reflection, messages)
