"""The console as a newcomer meets it: the demo (``research-coach console --demo``) on a
throw-away database where ``/tick`` moves time, ``/tick`` refused on real data, Ctrl-C, the team
channel from the start, and the README's tour run as written."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import random
import re
import select
import sqlite3
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.console import ConsoleSession, run_console
from bot.coach import Coach
from bot.ports import ManualClock, Messenger
from bot.schedule.leader import Leadership
from bot.schedule.runner import Scheduler
from tests.conftest import say

ROOT = Path(__file__).resolve().parents[3]
REFUSED = "/tick moves time only in the demo"


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a fresh install: no COACH_* settings but a data folder of its own,
    and a temporary folder of its own (to see what the demo leaves there)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COACH_")}
    env["COACH_DATA_DIR"] = str(tmp_path / "data")
    env["TMPDIR"] = str(tmp_path / "tmp")
    (tmp_path / "tmp").mkdir(exist_ok=True)
    (tmp_path / "cwd").mkdir(exist_ok=True)  # no .env here
    env.update(extra)
    return env


def console(
    tmp_path: Path, script: str, *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    """``research-coach console ARGS`` with ``script`` piped in, as a transcript."""
    return subprocess.run(
        [sys.executable, "-m", "bot", "console", *args],
        input=script,
        capture_output=True,
        text=True,
        env=clean_env(tmp_path, **env),
        cwd=tmp_path / "cwd",
        timeout=120,
        check=False,
    )


# --- the demo, and /tick on real data ---------------------------------------------------------


def test_tick_on_real_data_is_refused_with_the_way_to_the_demo(tmp_path: Path) -> None:
    done = console(tmp_path, "/tick 7d\n/tick\n/log tried a bigger beam\n")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "This is the demo" not in out
    refusals = [line for line in out.splitlines() if line.startswith("[console] /tick")]
    assert len(refusals) == 2
    assert REFUSED in refusals[0] and "research-coach console --demo" in refusals[0]
    assert "The clock moved" not in out
    # The real data folder keeps real time: what was written after /tick is stamped today.
    with sqlite3.connect(tmp_path / "data" / "coach.db") as db:
        (stamped,) = db.execute("SELECT created_at FROM notebook_entries").fetchone()
    assert stamped[:10] <= time.strftime("%Y-%m-%d", time.gmtime())


def test_the_demo_moves_time_on_a_database_of_its_own_and_leaves_nothing(tmp_path: Path) -> None:
    elsewhere = tmp_path / "other.db"
    script = "/goal set\nShip a speech model\nWER on clinic-50\n2\n0.31\n0.15\n/tick 7d\n/tick 7d\n"
    done = console(
        tmp_path, script, "--demo", COACH_DATABASE_URL=f"sqlite+aiosqlite:///{elsewhere}"
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "This is the demo" in out and "/tick 7d moves time a week" in out
    assert "Goal 1 set: Ship a speech model" in out
    moved = re.findall(r"The clock moved 7d: now (\w{3}) (\S+) (\S+) UTC\.", out)
    assert [day for day, _, _ in moved] == ["Mon", "Mon"]
    assert moved[0][2].startswith("09:0")  # the demo starts on a Monday morning
    first_week = out.split("me> /tick 7d")[1]
    assert re.search(r"^\[DM\] .*Ship a speech model", first_week, re.M)  # the weekly prompt
    assert REFUSED not in out
    # Neither the data folder nor the configured database was touched; nothing left behind.
    assert not (tmp_path / "data").exists()
    assert not elsewhere.exists()
    assert list((tmp_path / "tmp").glob("research-coach-demo-*")) == []


# --- the team channel from the start ----------------------------------------------------------


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
async def test_a_fresh_console_posts_to_team_from_the_first_tick(
    coach: Coach, clock: ManualClock, exports: Path
) -> None:
    messengers: dict[str, Messenger] = {}
    running = Scheduler(
        coach.db,
        clock,
        messengers,
        coach.prompts,
        leadership=Leadership(coach.db, random.getrandbits(62)),
    )
    ada = ConsoleSession(coach, "lab", "Ada", exports, running, clock)
    messengers["console"] = ada.messenger
    out = io.StringIO()
    try:
        await run_console(ada, io.StringIO("/tick 7d\n/coach team\n"), out)
    finally:
        await running.stop()
    lines = out.getvalue().splitlines()
    tick = lines.index("Ada> /tick 7d")
    week = lines[tick + 1 : lines.index("Ada> /coach team")]
    assert any(line.startswith("[#team] ") for line in week), week  # the channel nudge
    assert week[-1].startswith("[console] The clock moved 7d")
    assert "Team channel: set" in out.getvalue()


async def test_a_session_without_simulated_time_refuses_tick(ada: ConsoleSession) -> None:
    out = await say(ada, "/tick 7d")
    assert out.startswith(f"[console] {REFUSED}")
    assert "research-coach console --demo" in out


# --- Ctrl-C, in a real terminal ----------------------------------------------------------------


class Terminal:
    """``research-coach console --demo`` on a pseudo-terminal of its own, as a person types."""

    def __init__(self, tmp_path: Path) -> None:
        self.fd, child = pty.openpty()

        def controlling_terminal() -> None:  # Ctrl-C typed on the terminal signals the console
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "console", "--demo"],
            stdin=child,
            stdout=child,
            stderr=child,
            env=clean_env(tmp_path),
            cwd=tmp_path / "cwd",
            preexec_fn=controlling_terminal,
        )
        os.close(child)
        self.seen = ""

    def read_until(self, text: str, timeout: float = 60) -> str:
        """What the terminal shows up to ``text`` (from where the last read ended)."""
        end = time.monotonic() + timeout
        while text not in self.seen:
            left = end - time.monotonic()
            assert left > 0, f"never saw {text!r}; the terminal shows:\n{self.seen}"
            if select.select([self.fd], [], [], left)[0]:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:  # the console exited
                    chunk = b""
                assert chunk, f"the console ended before {text!r}:\n{self.seen}"
                self.seen += chunk.decode(errors="replace").replace("\r\n", "\n")
        shown, _, self.seen = self.seen.partition(text)
        return shown + text

    def type(self, text: str) -> None:
        os.write(self.fd, text.encode())

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        os.close(self.fd)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    term = Terminal(tmp_path)
    yield term
    term.close()


def test_ctrl_c_at_the_prompt_leaves_at_once(terminal: Terminal) -> None:
    terminal.read_until("me> ")
    started = time.monotonic()
    terminal.type("\x03")  # Ctrl-C, nothing else: no Enter
    assert terminal.process.wait(timeout=10) == 0
    assert time.monotonic() - started < 5


def test_ctrl_c_in_a_form_keeps_the_answers_as_a_draft(terminal: Terminal) -> None:
    terminal.read_until("me> ")
    terminal.type("/checkin\n")
    terminal.read_until("me (form)> ")
    terminal.type("Swapped in a conformer encoder\n")
    terminal.read_until("2/5")
    terminal.read_until("me (form)> ")

    terminal.type("\x03")
    shown = terminal.read_until("me> ")

    assert "Your answers so far are kept as a draft: /checkin reopens the form" in shown
    assert terminal.process.poll() is None  # still running
    terminal.type("/checkin\n")
    shown = terminal.read_until("me (form)> ")
    assert "1/5" in shown and "Enter keeps: Swapped in a conformer encoder" in shown
    terminal.type("\n\n\n\n\n")  # Enter keeps the draft's answer, the rest skipped
    assert "Check-in saved." in terminal.read_until("me> ")
    terminal.type("\x04")  # Ctrl-D leaves, as before
    assert terminal.process.wait(timeout=10) == 0


def test_ctrl_c_in_an_empty_form_closes_it_with_nothing_kept(terminal: Terminal) -> None:
    terminal.read_until("me> ")
    terminal.type("/goal set\n")
    terminal.read_until("me (form)> ")
    terminal.type("\x03")
    assert "[only you] Form closed; nothing was sent." in terminal.read_until("me> ")
    terminal.type("/quit\n")
    assert terminal.process.wait(timeout=10) == 0


# --- the README's tour --------------------------------------------------------------------------


def readme_tour() -> tuple[str, list[str]]:
    """The command and the lines of the README's console tour (the first ``text`` block under
    "A console session")."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## A console session", 1)[1].split("\n## ", 1)[0]
    block = section.split("```text\n", 1)[1].split("\n```", 1)[0]
    command, *lines = block.splitlines()
    return command.removeprefix("$ "), [line.rstrip() for line in lines]


def typed(line: str) -> str | None:
    """What a tour line types at the console's prompt, or ``None`` for a line it shows."""
    found = re.match(r"^me(?: \(form\))?>(?: (.*))?$", line)
    return None if found is None else found.group(1) or ""


def follows(expected: list[str], shown: list[str]) -> str | None:
    """Where ``shown`` departs from ``expected`` (``None``: it does not). In ``expected``, a
    line ``...`` stands for any lines, and a line ending in ``...`` for any line it begins."""
    at = 0
    gap = False
    for line in expected:
        if line == "...":
            gap = True
            continue
        prefix = line.endswith("...")

        def fits(candidate: str, line: str = line, prefix: bool = prefix) -> bool:
            return candidate.startswith(line[:-3]) if prefix else candidate == line

        if gap:
            found = next((i for i in range(at, len(shown)) if fits(shown[i])), None)
            if found is None:
                return f"never shown after line {at}: {line!r}"
            at, gap = found + 1, False
        elif at < len(shown) and fits(shown[at]):
            at += 1
        else:
            return f"expected {line!r}, the console showed {shown[at : at + 1]!r} (line {at})"
    return None


def test_the_readme_tour_runs_as_written(tmp_path: Path) -> None:
    command, lines = readme_tour()
    assert command == "research-coach console --demo"
    script = [answer for answer in map(typed, lines) if answer is not None]
    assert len(script) >= 20 and "/tick 7d" in script

    done = console(tmp_path, "\n".join(script) + "\n", "--demo")

    assert done.returncode == 0, done.stderr
    shown = [line.rstrip() for line in done.stdout.splitlines()]
    assert follows(lines, shown) is None, follows(lines, shown) + "\n" + done.stdout


def test_the_tour_check_finds_a_departure() -> None:
    assert follows(["a", "...", "c..."], ["a", "b", "cd"]) is None
    assert follows(["a", "c"], ["a", "b", "c"]) is not None
    assert follows(["a", "...", "x"], ["a", "b"]) is not None
    assert follows(["a", "b..."], ["a", "c"]) is not None
    assert typed("me> /goal set") == "/goal set"
    assert typed("me (form)>") == ""
    assert typed("[form] Set a goal 1/5") is None
