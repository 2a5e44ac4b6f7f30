"""Every sentence a member reads lives in prompts/*.yaml, rendered through ``bot.prompts``: an
adapter module holds no English of its own, nor does a coaching flow (bot/coach). Read from the
source (ast), so a sentence added to a send, a modal, a button or a command description fails
here before anyone sees it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ADAPTERS = ROOT / "adapters"
COACH = ROOT / "bot" / "coach"

# Modules whose words go to whoever runs the bot, in a terminal (CLI output, doctor checks),
# not to members on a platform.
FOR_OPERATORS = {
    "adapters/discord/cli.py",
    "adapters/discord/doctor.py",
    "adapters/slack/cli.py",
    "adapters/slack/doctor.py",
    "adapters/slack/manifest.py",
}

WORDS = re.compile(r"[A-Za-z]{2,}")
LOGGERS = {"log", "logger", "logging", "warnings"}
# Calls whose text is a pattern to match, not words to show: ``re.compile(r"...")``.
PATTERNS = {"compile"}
# The core's command words (``/coach team show`` is ``CommandInvoked("coach", "team show")``):
# the protocol, not text shown to anyone.
COMMAND_WORDS = {"on_command", "_words"}


def _word_list(text: str) -> bool:
    """Words to look for, not to say: many lowercase words and nothing else (cue words)."""
    return len(text.split()) >= 12 and all(w.isalpha() and w.islower() for w in text.split())


def _sentence(text: str) -> bool:
    """Two words or more: ``"Your answer"``, not ``"rc-reply"``, ``"%s"`` or ``"**{}**"``."""
    return " " in text.strip() and len(WORDS.findall(text)) >= 2 and not _word_list(text)


def _called(node: ast.Call) -> tuple[str, str]:
    """(what the call is made on, the function's name): ``log.warning`` → ("log", "warning")."""
    func = node.func
    if isinstance(func, ast.Attribute):
        owner = func.value
        on = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
        if isinstance(owner, ast.Call) and getattr(owner.func, "id", "") == "super":
            on = "super"
        return on, func.attr
    return "", getattr(func, "id", "")


def _not_for_members(tree: ast.AST) -> set[int]:
    """ids of the constants members never read: docstrings, log and warning messages,
    exceptions' messages, the core's command words."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        inside: list[ast.AST] = []
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                inside.append(first.value)
        elif isinstance(node, ast.Raise | ast.Assert):
            inside.append(node)
        elif isinstance(node, ast.Call):
            on, name = _called(node)
            if on in LOGGERS or on == "super" or name in COMMAND_WORDS or name in PATTERNS:
                inside.append(node)
            # A model field's description documents the data, for developers.
            inside += [k.value for k in node.keywords if k.arg == "description" and name == "Field"]
        for part in inside:
            skipped.update(id(n) for n in ast.walk(part))
    return skipped


def _text(node: ast.AST) -> str | None:
    """A string literal's text; an f-string's with ``{}`` for each value (read whole: its
    parts alone may be single words)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(_text(part) or "{}" for part in node.values)
    return None


def sentences(path: Path) -> list[str]:
    """``line: text`` for each sentence in ``path`` a member could read."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    skipped = _not_for_members(tree)
    for node in ast.walk(tree):  # an f-string's parts are read with it
        if isinstance(node, ast.JoinedStr):
            skipped.update(id(part) for part in node.values)
    found = []
    for node in ast.walk(tree):
        text = _text(node)
        if text is not None and id(node) not in skipped and _sentence(text):
            found.append(f"{node.lineno}: {text!r}")
    return found


def english_by_module(root: Path, base: Path | None = None) -> dict[str, list[str]]:
    """Module (relative to ``base``, by default ``root``'s parent) → its sentences."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        name = path.relative_to(base or root.parent).as_posix()
        if name not in FOR_OPERATORS and (said := sentences(path)):
            found[name] = said
    return found


def test_no_adapter_module_holds_a_sentence_for_members() -> None:
    assert english_by_module(ADAPTERS) == {}


def test_no_console_module_is_exempt() -> None:
    # The check reads each platform's modules, none left out but the operators' own.
    read = {
        path.relative_to(ADAPTERS.parent).as_posix()
        for path in ADAPTERS.rglob("*.py")
        if path.relative_to(ADAPTERS.parent).as_posix() not in FOR_OPERATORS
    }
    assert {"adapters/console/render.py", "adapters/console/session.py"} <= read
    assert {p.split("/")[1] for p in read} >= {"console", "discord", "slack"}


def test_no_coaching_flow_holds_a_sentence() -> None:
    # Form and button labels, usage lines, the export's headings, a nudge's trigger and the
    # goal line the LLM reads all come from prompts/*.yaml too.
    assert english_by_module(COACH, ROOT) == {}


def test_the_coaching_flows_are_read() -> None:
    read = {path.name for path in COACH.glob("*.py")}
    assert {"forms.py", "export.py", "team.py", "checkins.py", "nudges.py"} <= read


@pytest.mark.parametrize(
    "source",
    [
        'await channel.send("Something went wrong, sorry.")',
        'modal = discord.ui.Modal(title="Your answer")',
        '@app_commands.command(name="log", description="Add an entry.")\ndef log(): ...',
        'NAME = "Team check-ins"',
        'text = f"Synced {n} commands"',
        'hint = "type the number of the goal you want to see"',
    ],
)
def test_the_check_finds_a_sentence(tmp_path: Path, source: str) -> None:
    (tmp_path / "chat").mkdir()
    (tmp_path / "chat" / "app.py").write_text(source + "\n")
    assert english_by_module(tmp_path) != {}


def test_the_check_passes_what_members_never_read(tmp_path: Path) -> None:
    source = '''"""A module docstring, in words."""
import logging
log = logging.getLogger(__name__)


class Refused(Exception):
    def __init__(self, user: str) -> None:
        super().__init__(f"member {user} does not accept DMs")


def answer(sink, interaction) -> None:
    """A docstring, in words."""
    log.warning("posting in %s failed: %s", "C1", 403)
    sink.on_command(interaction, "coach", "forget me")
    say = prompts.say("discord_sorry")
    custom_id = "rc-reply-modal:81"
    asked = re.compile(r"^how (do|can) I\b")
    cues = word_set("how what which why where when who whom can could should would")

    raise ValueError("the Discord adapter cannot show this")


class Topic(BaseModel):
    command: str = Field(description="The slash command it stands for, without the slash.")
'''
    (tmp_path / "chat").mkdir()
    (tmp_path / "chat" / "app.py").write_text(source)
    assert english_by_module(tmp_path) == {}
