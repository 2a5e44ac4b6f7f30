"""Start-up: read lines from standard input (a terminal or a pipe) until the end of input."""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from adapters.console.session import ConsoleSession
from bot.adapter import RunOptions
from bot.coach import Coach
from bot.settings import Settings

BANNER = (
    "Research Coach, console. Commands go to #team; plain lines are DMs to the coach.\n"
    "Try /coach for help, /goal set to start. /as NAME switches member, /quit leaves."
)


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
            coach, settings.console_team, member, exports, options.scheduler, options.clock
        )
        options.messengers["console"] = session.messenger
        await run_console(session)


async def run_console(
    session: ConsoleSession,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> None:
    """Serve one terminal until end of input or ``/quit``.

    When input is not a terminal, each line is echoed after the prompt so the output reads as
    a transcript.
    """
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    interactive = stdin.isatty()
    stdout.write(BANNER + "\n")
    while not session.finished:
        if interactive:
            stdout.write(session.prompt)
            stdout.flush()
        line = await asyncio.to_thread(stdin.readline)
        if not line:  # end of input
            break
        if not interactive:
            stdout.write(session.prompt + line.rstrip("\n") + "\n")
        answer = await session.send(line)
        if answer:
            stdout.write(answer + "\n")
        stdout.flush()
        more = await session.follow_up()  # the LLM note, after the answer is on screen
        if more:
            stdout.write(more + "\n")
            stdout.flush()
    if interactive:
        stdout.write("\n")
