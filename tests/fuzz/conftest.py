"""Fuzzing: Hypothesis settings, a first tenant whose every private word carries ``MARKER``,
and a wait for everything a request set going.

The ``coach`` profile (the default) is reproducible: derandomized, no example database, a
modest number of examples. ``COACH_HYPOTHESIS_PROFILE=long`` searches harder, for a local
run: ``COACH_HYPOTHESIS_PROFILE=long pytest tests/fuzz``.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Iterable
from pathlib import Path

from hypothesis import HealthCheck, settings
from sqlalchemy import func, select

from bot.coach import Coach
from bot.events import (
    Actor,
    CommandInvoked,
    Event,
    FormSubmitted,
    MessageReceived,
    Place,
    TenantRef,
)
from bot.store.models import BestWork, CheckIn, Goal, NotebookEntry, Reflection


def _profile(name: str, **chosen: object) -> None:
    # The servers live as long as the test, across its examples: that is the point (they must
    # keep answering), so Hypothesis' warning about function-scoped fixtures does not apply.
    settings.register_profile(
        name,
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
        **chosen,
    )


_profile("coach", max_examples=60, derandomize=True)
_profile("long", max_examples=2000)
settings.load_profile(os.environ.get("COACH_HYPOTHESIS_PROFILE", "coach"))

ROOT = Path(__file__).resolve().parents[2]
MARKER = "Zqxmarker7f3a"  # in every text of the first tenant; found elsewhere, it leaked
OUR_CODE = tuple(str(ROOT / package) + os.sep for package in ("adapters", "bot"))
WAIT = 10.0  # seconds: work a request started that is still running after this is a bug


async def seed_first_tenant(coach: Coach, tenant: TenantRef, user_id: str) -> None:
    """A member of ``tenant`` with a goal, an unpublished check-in, a note, a reflection and a
    best work, each carrying ``MARKER`` and each numbered 1 (what forged values name)."""
    actor = Actor(tenant, user_id, f"Ada {MARKER}")
    channel = Place.channel("C-FIRST")
    steps: list[Event] = [
        CommandInvoked(actor, channel, "goal", "set"),
        FormSubmitted(
            actor,
            channel,
            "goal",
            {
                "capability": f"Transcribe clinic audio {MARKER}",
                "metric_name": f"WER {MARKER}",
                "direction": "down",
                "baseline": "0.3",
                "target": "0.1",
            },
        ),
        FormSubmitted(
            actor,
            channel,
            "checkin",
            {
                "did": f"ran the ablation on {MARKER} data",
                "moves_goal": f"lower WER on {MARKER}",
                "metric_value": "0.2",
                "next_experiment": f"retrain with {MARKER}",
                "failed": f"the {MARKER} tokenizer broke",
            },
            "1",
        ),
        CommandInvoked(actor, channel, "log", f"a private note about {MARKER}"),
        FormSubmitted(
            actor,
            channel,
            "work",
            {"title": f"Paper {MARKER}", "link": "https://example.org", "why": f"{MARKER} wins"},
        ),
        CommandInvoked(actor, channel, "reflect", f"why {MARKER} failed"),
        MessageReceived(actor, Place.dm(), f"I trusted the {MARKER} numbers", "seed-1"),
    ]
    for event in steps:
        assert await coach.handle(event), f"no answer to {event}"
    async with coach.db.session() as session:
        for model in (Goal, CheckIn, NotebookEntry, Reflection, BestWork):
            count = (await session.execute(select(func.count()).select_from(model))).scalar_one()
            assert count == 1, f"seeding made {count} {model.__tablename__}"


def crashes(records: Iterable[logging.LogRecord]) -> list[str]:
    """Failures of our own code: errors our loggers wrote, and errors a library logged for an
    exception raised in our code (discord.py's "Ignoring exception in on_interaction")."""
    return [
        f"{r.name}: {r.getMessage()[:200]}"
        for r in records
        if r.levelno >= logging.ERROR
        and (r.name.split(".")[0] in ("adapters", "bot") or _raised_in_our_code(r))
    ]


def _raised_in_our_code(record: logging.LogRecord) -> bool:
    tb = record.exc_info[2] if record.exc_info else None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.startswith(OUR_CODE):
            return True
        tb = tb.tb_next
    return False


def leaked(texts: Iterable[str]) -> list[str]:
    """The texts that contain ``MARKER`` (case-insensitive), cut short for a readable failure."""
    marker = MARKER.lower()
    return [t[:300] for t in texts if marker in t.lower()]


async def settle(before: set[asyncio.Task[object]]) -> None:
    """Wait until the tasks started since ``before`` are done (Bolt answers before its listener
    finishes, discord.py runs each interaction as a task), ignoring the servers' connection
    handlers, which live as long as a keep-alive connection."""
    me = asyncio.current_task()
    for _ in range(100):
        running = {
            t
            for t in asyncio.all_tasks() - before
            if t is not me and not t.done() and not _serves_a_connection(t)
        }
        if not running:
            return
        _, pending = await asyncio.wait(running, timeout=WAIT)
        if pending:
            names = sorted(_name(t) for t in pending)
            raise AssertionError(f"still running after {WAIT}s: {names}")
    raise AssertionError("tasks kept starting tasks")


def _name(task: asyncio.Task[object]) -> str:
    return getattr(task.get_coro(), "__qualname__", repr(task))


def _serves_a_connection(task: asyncio.Task[object]) -> bool:
    return _name(task) in {"RequestHandler.start", "DiscordWebSocket.poll_event"}
