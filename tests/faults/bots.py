"""The coach as its own process (``python -m bot run``) against fakes on 127.0.0.1, and members
seeded into its database: what the fault tests kill, restart and starve, and what
they logged."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import traceback
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from bot.coach import Coach
from bot.events import Actor, CommandInvoked, Place, TenantRef
from bot.store import Database
from bot.store.models import Member


@dataclass
class BotProcess:
    """One ``research-coach run``; its output goes to files kept in the test's folder."""

    process: subprocess.Popen[bytes]
    log: Path

    @classmethod
    def start(cls, folder: Path, name: str, env: dict[str, str]) -> BotProcess:
        log = folder / f"{name}.log"
        clean = {k: v for k, v in os.environ.items() if not k.startswith("COACH_")}
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"],
                env=clean | env,
                cwd=folder,  # no .env from the checkout
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        return cls(process, log)

    def kill(self) -> None:
        """``kill -9``: no clean-up of any kind runs."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    async def stop(self) -> int:
        """SIGTERM, as ``docker stop`` sends; the exit code. The event loop keeps running
        meanwhile: the fakes the bot is still talking to live on it."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return await asyncio.to_thread(self.process.wait, 30)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


async def seed_team(db: Database, team: TenantRef, users: list[str], due: datetime) -> None:
    """``users`` join ``team`` through the coach, then their weekly prompt is made due at
    ``due`` (as if the team's check-in time had just passed)."""
    coach = Coach(db)
    for user in users:
        actor = Actor(team, user, f"Member {user}", "UTC")
        await coach.handle(CommandInvoked(actor, Place.channel("C1"), "coach", "help"))
    async with db.session() as session:
        await session.execute(update(Member).values(next_checkin_at=due))


def a_minute_ago() -> datetime:
    return datetime.now(UTC) - timedelta(minutes=1)


def logged_without(caplog: pytest.LogCaptureFixture, secrets: Iterable[str]) -> str:
    """Every log line of the test, tracebacks included; fails if one holds a secret."""
    lines = []
    for record in caplog.records:
        lines.append(record.getMessage())
        if record.exc_info:
            lines.extend(traceback.format_exception(*record.exc_info))
    text = "\n".join(lines)
    for secret in secrets:
        assert secret not in text
    return text
