"""The cue phrases of ``prompts/cues/``: reviewed data, loaded and checked once per process.

Each file is one signal: a list of cues, each with its phrases (``bot.analysis.phrases``), the
phrases that set it aside (``unless``), and examples and counter-examples that the tests run.
``words.yaml`` holds the shared word lists (negators, hedges, clause words, empty answers).

>>> book = cue_book()
>>> [m.key for m in book.signal("failure").find(tokenize("still stuck on the NaN loss"))]
['stuck', 'diverged']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from bot.analysis.phrases import Match, PhraseBook, Token, tokenize

__all__ = ["SIGNAL_FILES", "Cue", "CueBook", "SignalCues", "Words", "cue_book", "tokenize"]

SIGNAL_FILES = (
    "failure",
    "resolved",
    "role_model_mimicry",
    "idea_driven",
    "own_reason",
    "away",
    "elsewhere",
    "progress",
    "vague_goal",
    "distress",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Cue(_Strict):
    key: str
    phrases: tuple[str, ...] = Field(min_length=1)
    unless: tuple[str, ...] = ()
    examples: tuple[str, ...] = Field(min_length=1)
    counter: tuple[str, ...] = Field(min_length=1)
    scope: Literal["setback", "project"] | None = None  # failure cues only
    resolved_by: tuple[str, ...] = ()  # failure cues only: the resolved.yaml cues that fix it
    strength: Literal["strong", "weak"] | None = None  # idea-driven cues only
    # cues that fire only together with another part in the same sentence or update
    part: (
        Literal[
            "authority",
            "deference",
            "untested",
            "trigger",
            "event",
            "consequence",
            "detour",
            "pressure",
            "idle",
        ]
        | None
    ) = None


class _SignalFile(_Strict):
    signal: str
    cues: tuple[Cue, ...] = Field(min_length=1)


class Words(_Strict):
    negators: frozenset[str]
    hedges: frozenset[str]
    resolution_hedges: frozenset[str]
    clause_words: frozenset[str]
    nothing_answers: frozenset[str]
    nothing_markers: frozenset[str]
    denials: frozenset[str]
    filler: frozenset[str]


@dataclass(frozen=True)
class SignalCues:
    """One signal's cues, compiled: ``find`` gives the matches no ``unless`` phrase covers."""

    name: str
    cues: Mapping[str, Cue]
    book: PhraseBook
    unless: PhraseBook

    def find(self, tokens: Sequence[Token]) -> list[Match]:
        found = self.book.find(tokens)
        if not found:
            return found
        spared = self.unless.find(tokens)
        return [
            m
            for m in found
            if not any(u.key == m.key and u.first <= m.last and m.first <= u.last for u in spared)
        ]

    def cue(self, key: str) -> Cue:
        return self.cues[key]


@dataclass(frozen=True)
class CueBook:
    signals: Mapping[str, SignalCues]
    words: Words

    def signal(self, name: str) -> SignalCues:
        return self.signals[name]


def _text(name: str) -> str:
    return resources.files("prompts").joinpath("cues", name).read_text(encoding="utf-8")


def _words(text: str) -> frozenset[str]:
    return frozenset(t.text for t in tokenize(text)) | frozenset(text.split())


def load_signal(name: str, text: str | None = None) -> SignalCues:
    """Parse, check and compile one signal's file; raises ``ValueError`` naming what is wrong."""
    data = _SignalFile.model_validate(yaml.safe_load(text or _text(f"{name}.yaml")))
    if data.signal != name:
        raise ValueError(f"{name}.yaml says it is about {data.signal!r}")
    cues = {cue.key: cue for cue in data.cues}
    if len(cues) != len(data.cues):
        raise ValueError(f"{name}.yaml repeats a cue key")
    book = PhraseBook.compile({c.key: c.phrases for c in data.cues})
    unless = PhraseBook.compile({c.key: c.unless for c in data.cues if c.unless})
    return SignalCues(name, cues, book, unless)


@cache
def cue_book() -> CueBook:
    """Every signal's cues and the shared words, loaded once."""
    raw = yaml.safe_load(_text("words.yaml"))
    words = Words.model_validate({k: _words(str(v)) for k, v in raw.items()})
    return CueBook({name: load_signal(name) for name in SIGNAL_FILES}, words)
