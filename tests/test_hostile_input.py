"""No member can stall the coach with what they type: every regular expression that reads
member text has no backtracking shape, and each one, each sanitizer and the analysis finish
hostile text well inside a watchdog of two seconds: 3,000 characters (a form's longest field)
for the analysis, 60,000 for the patterns and sanitizers, where a quadratic matcher takes
seconds and a linear one milliseconds."""

from __future__ import annotations

import ast
import gc
import importlib
import inspect
import json
import pkgutil
import random
import re
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType, ModuleType

import pytest

import adapters
import bot
import bot.analysis
from adapters.console import render as console
from adapters.discord import sanitize as discord_text
from adapters.slack import sanitize as slack_text
from bot.analysis import Evidence, phrases, rules
from bot.analysis.phrases import tokenize
from bot.llm.followup import clean_message, unfence
from bot.text import cap
from tests.regex_shapes import shapes

LENGTH = 3000  # the longest field a form takes
LONG = 60_000  # past the longest Slack message (40,000): room enough to show a square
WATCHDOG_SECONDS = 2.0


def _hostile(length: int) -> dict[str, str]:
    units = {
        "commas": "1,",
        "because": "because ",
        "masked links": "[](",
        "letters": "a",
        "spaces": "  ",
        "dots": "1.",
        "parens": "(",
        "newlines": "\n",
        "indented dashes": " \n-",
        "angles": "<",
        "mentions": "<@",
        "at signs": "@",
        "hashes": "#",
        "backslashes": "\\",
        "marks": "_*`~|",
        "links": "http://.",
        "angle links": "<a:/",
        "negations": "didn't ",
        "hyphens": "a-",
        "apostrophes": "a'",
        "numbers": "1/2 ",
        # Words that open many cue phrases, and cues repeated in one long sentence.
        "not": "not ",
        "didn't": "didn't ",
        "reasons": "because ",
        "names": "like Karpathy does, ",
        "crowd": "everyone is on ",
        "stuck": "stuck ",
        "so I": "so I ",
    }
    texts = {name: (unit * length)[:length] for name, unit in units.items()}
    rng = random.Random(7)
    texts["random unicode"] = "".join(chr(rng.randrange(0x20, 0x3000)) for _ in range(length))
    return texts


HOSTILE = _hostile(LENGTH)
HOSTILE_LONG = _hostile(LONG)
# Every module of the coach and its adapters: any of them may read member text.
READERS: list[ModuleType] = [
    importlib.import_module(info.name)
    for package in (bot, adapters)
    for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}.")
    if not info.name.endswith("__main__") and ".migrations" not in info.name
]
# Read as a shape, each of these starts with a repeat, but only after a lookbehind that holds
# at few places ("://"), and its runs stop where the next one could start: linear, and the
# watchdog below still runs it on hostile text.
ANCHORED_BY_LOOKBEHIND = {"bot.logs.SECRET"}
PATTERNS = {
    f"{module.__name__}.{name}": value
    for module in READERS
    for name, value in vars(module).items()
    if isinstance(value, re.Pattern)
}


@contextmanager
def watchdog(what: str) -> Iterator[None]:
    """Fail (not hang) when ``what`` runs past the watchdog: the matcher checks for signals
    as it works, so even a regular expression stuck in C is stopped."""

    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise TimeoutError(what)

    # The collector's full pass over everything the suite has built so far may fall due in
    # the middle and take seconds of its own: it waits until what is timed is done.
    gc.disable()
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, WATCHDOG_SECONDS)
    try:
        yield
    except TimeoutError:
        pytest.fail(f"{what} ran past {WATCHDOG_SECONDS} s on hostile input")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        gc.enable()


def test_the_shape_reader_knows_the_backtracking_shapes() -> None:
    # The patterns that once took seconds here, and the textbook ones.
    assert shapes(re.compile(r"(?:\[.+\]\(.+\)|^\s*-)", re.M))  # discord.py's escaper
    assert shapes(re.compile(r"(a+)+$"))
    assert shapes(re.compile(r"[^.!?\n]*\?"))
    assert shapes(re.compile(r"<[^<>\s]*[|@#!][^<>\s]*>"))
    assert not shapes(re.compile(r"[a-z0-9]+(?:[-./'][a-z0-9]+)*|\n"))


def test_the_readers_have_their_patterns() -> None:
    # The walk finds the patterns it is meant to check (a rename must not empty it).
    assert {"bot.analysis.phrases._TOKEN", "adapters.discord.sanitize._MENTION"} <= set(PATTERNS)


@pytest.mark.parametrize("module", READERS, ids=lambda m: m.__name__)
def test_every_regular_expression_is_a_named_pattern_checked_here(module: ModuleType) -> None:
    """No ``re.search(r"...", text)`` in passing: each pattern is compiled once, at module
    level, where the checks below find it."""
    tree = ast.parse(inspect.getsource(module))
    top = {
        id(node)
        for assign in tree.body
        if isinstance(assign, ast.Assign)
        for node in [assign.value, *getattr(assign.value, "elts", [])]
    }
    # A pattern built from escaped literals (an exact name, a list of secrets) is a run of
    # literals: nothing in it can backtrack, so it may be compiled where its literals are known.
    literal = {
        id(node)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and any(
            isinstance(inner, ast.Attribute) and inner.attr == "escape" for inner in ast.walk(node)
        )
    }
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "re"
            and node.func.attr not in ("escape", "Pattern", "Match")
        ):
            continue
        assert node.func.attr == "compile" and (id(node) in top or id(node) in literal), (
            f"{module.__name__}: line {node.lineno} builds a regular expression in passing"
        )


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_no_pattern_has_a_backtracking_shape(name: str) -> None:
    if name in ANCHORED_BY_LOOKBEHIND:
        assert [s.split(":")[0] for s in shapes(PATTERNS[name])] == ["leading"], name
        return
    assert shapes(PATTERNS[name]) == [], name


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_every_pattern_finishes_on_hostile_text(name: str) -> None:
    pattern = PATTERNS[name]
    for label, text in HOSTILE_LONG.items():
        with watchdog(f"{name} on {label}"):  # one search tries every start: a square shows
            pattern.search(text)
            pattern.fullmatch(text)
        with watchdog(f"{name} on every match in {label}"):
            pattern.sub("", HOSTILE[label])


SANITIZERS: dict[str, Callable[[str], object]] = {
    "discord escape": discord_text.escape,
    "discord render": lambda t: discord_text.render((t,)),
    "discord fit": discord_text.fit,
    "slack escape": slack_text.escape,
    "slack mrkdwn": lambda t: slack_text.mrkdwn((t,)),
    "console": console.safe,
    "cap": lambda t: cap(t, 150),
    "tokens": tokenize,
    "llm note": clean_message,
    "llm fence": unfence,
}


@pytest.mark.parametrize("label", HOSTILE_LONG)
def test_sanitizers_finish_on_hostile_text(label: str) -> None:
    for name, sanitize in SANITIZERS.items():
        with watchdog(f"{name} on {label}"):
            sanitize(HOSTILE_LONG[label])


@pytest.mark.parametrize("label", HOSTILE)
def test_the_analysis_finishes_on_hostile_text(label: str) -> None:
    text = HOSTILE[label]
    goal = "beat the baseline on ImageNet; top-1 accuracy"
    for evidence in (
        Evidence(goal, text),
        Evidence(goal, "ran the sweep", moves_goal=text, failed=text),
        Evidence(text, text),
    ):
        with watchdog(f"the analysis on {label}"):
            rules.analyze_evidence(evidence)


def test_a_capital_dotted_i_keeps_every_word_where_it_was_typed() -> None:
    # "İ" lower-cases to two characters: unfolded, every later word was read out of place
    # (and random text ran past the end of the line).
    read = [(t.text, t.start, t.capital) for t in tokenize("İstanbul run: Loss fell")]
    assert read[0] == ("istanbul", 0, True)
    assert read[-2] == ("loss", 14, True)


def test_the_cue_phrases_do_no_more_work_on_hostile_text_than_on_research_notes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Work counted, not timed: the phrases tried on a hostile text are at most three times
    those tried on research notes of the same length (a matcher that tried every phrase at
    every word did seven times more on 3,000 commas)."""
    rows = Path(__file__).parent / "data" / "realistic_dev.jsonl"
    notes = " ".join(json.loads(r)["update"] for r in rows.read_text().splitlines() if r.strip())
    tried = 0
    match_at = phrases._Phrase.match_at

    def counted(phrase: phrases._Phrase, tokens: list[phrases.Token], i: int) -> int | None:
        nonlocal tried
        tried += 1
        return match_at(phrase, tokens, i)

    monkeypatch.setattr(phrases._Phrase, "match_at", counted)

    def work(text: str) -> int:
        nonlocal tried
        tried = 0
        rules.analyze_evidence(Evidence("beat the baseline; top-1", text, text, text))
        return tried

    usual = work(notes[:LENGTH])
    assert usual > 0
    assert {label: work(text) for label, text in HOSTILE.items() if work(text) > 3 * usual} == {}
