"""Start-up: read lines from standard input (a terminal or a pipe) until the end of input,
``/quit`` or Ctrl-C at the prompt."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Callable, Coroutine
from typing import Any, TextIO, TypeVar

from adapters.console.keyboard import Interrupted, Keyboard
from adapters.console.session import ConsoleSession
from bot.adapter import RunOptions
from bot.coach import Coach
from bot.settings import Settings

T = TypeVar("T")


class ConsoleAdapter:
    """The console as an adapter: always able to start, no settings needed."""

    name = "console"

    def missing(self, settings: Settings) -> list[str]:
        return []

    def serves_http(self, settings: Settings) -> bool:
        return False  # a terminal session: no port is opened for it

    async def serve(self, coach: Coach, settings: Settings, options: RunOptions) -> None:
        member = options.member or settings.console_user
        exports = settings.data_dir / "exports"
        session = ConsoleSession(
            coach,
            settings.console_team,
            member,
            exports,
            options.scheduler,
            options.clock,
            charts=settings.data_dir / "charts",
        )
        options.platforms.attach("console", session.messenger)
        await run_console(session)


async def run_console(
    session: ConsoleSession,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> None:
    """Serve one terminal until end of input (Ctrl-D), ``/quit``, or Ctrl-C at the prompt.

    Ctrl-C in a form closes the form, its answers kept as a draft; Ctrl-C while the coach is
    still working on a line ends the session as at the prompt (what it was doing is rolled
    back). When input is not a terminal, each line is echoed after the prompt so the output
    reads as a transcript.
    """
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    interactive = stdin.isatty()
    keyboard = Keyboard(stdin)
    working: asyncio.Future[Any] | None = None  # the coach at work on a line
    stopped = False

    def ctrl_c() -> None:
        nonlocal stopped
        if working is None:
            keyboard.interrupt()
        else:
            stopped = True
            working.cancel()

    async def work(job: Coroutine[Any, Any, T]) -> T:
        nonlocal working
        working = task = asyncio.ensure_future(job)
        try:
            return await task
        finally:
            working = None

    def show(text: str) -> None:
        if text:
            stdout.write(text + "\n")
        stdout.flush()

    stdout.write(session.banner + "\n")
    stdout.flush()
    catching = on_ctrl_c(ctrl_c)
    keyboard.start()
    try:
        await work(session.start())
        while not session.finished:
            if interactive:
                stdout.write(session.prompt)
                stdout.flush()
            try:
                line = await keyboard.line()
            except Interrupted:
                if session.form is None:
                    break  # at the prompt: leave at once
                # In a form: the terminal echoed ^C after the prompt; a transcript says it.
                stdout.write("\n" if interactive else session.prompt + "^C\n")
                show(await work(session.interrupt()))
                continue
            if line is None:  # end of input
                break
            if not interactive:
                stdout.write(session.prompt + line.rstrip("\n") + "\n")
            show(await work(session.send(line)))
            show(await work(session.follow_up()))  # the LLM note, after the answer is on screen
    except asyncio.CancelledError:
        if not stopped:
            raise
    finally:
        keyboard.stop()
        if catching:
            asyncio.get_running_loop().remove_signal_handler(signal.SIGINT)
    if interactive:
        stdout.write("\n")
        stdout.flush()


def on_ctrl_c(callback: Callable[[], None]) -> bool:
    """Let ``callback`` answer Ctrl-C (SIGINT) while the console runs; ``False`` where the event
    loop cannot take signals (Windows, a thread other than the main one): there Ctrl-C stops
    the run as before."""
    try:
        asyncio.get_running_loop().add_signal_handler(signal.SIGINT, callback)
    except (NotImplementedError, RuntimeError, ValueError):
        return False
    return True
