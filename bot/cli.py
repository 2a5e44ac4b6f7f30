"""``research-coach``: run, console, analyze, db upgrade, doctor, export."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from importlib.metadata import entry_points
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot import adapter, logs
from bot.adapter import RunOptions
from bot.analysis import analyze as analyze_text
from bot.coach import Coach
from bot.coach import export as exporter
from bot.coach.nudges import CheckInFacts, candidates
from bot.events import TenantRef
from bot.ports import OffsetClock
from bot.prompts import PromptError, load_prompts
from bot.schedule.runner import Scheduler
from bot.settings import Settings
from bot.store import Database, StoreUnavailable

app = typer.Typer(
    help="Research Coach: a coach for AI/ML research teams.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")
for _point in entry_points(group="research_coach.cli"):  # adapters' own subcommands
    app.add_typer(_point.load(), name=_point.name)


def main() -> None:
    app()


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        # hide_input_in_errors keeps values (secrets) out of this message.
        typer.echo(f"Settings are not valid:\n{exc}", err=True)
        raise typer.Exit(2) from None


async def open_database(settings: Settings) -> Database:
    """The configured database, migrated to the newest schema."""
    db = Database.from_url(settings.resolved_database_url())
    try:
        await db.upgrade()
    except Exception as exc:
        await db.dispose()
        where = make_url(settings.resolved_database_url()).render_as_string(hide_password=True)
        typer.echo(f"Cannot open the database at {where}: {type(exc).__name__}.", err=True)
        typer.echo("Run `research-coach doctor` for details.", err=True)
        raise typer.Exit(1) from None
    return db


async def serve(settings: Settings, names: list[str], options: RunOptions) -> None:
    """Run the named adapters and the scheduler that reaches members through them."""
    db = await open_database(settings)
    options.clock = OffsetClock()
    coach = Coach(db, options.clock)
    options.scheduler = Scheduler(
        db,
        options.clock,
        options.messengers,
        coach.prompts,
        timedelta(hours=settings.schedule_grace_hours),
    )
    found = adapter.discover()
    options.scheduler.start(settings.tick_seconds)
    try:
        async with asyncio.TaskGroup() as group:
            for name in names:
                group.create_task(found[name].serve(coach, settings, options))
    finally:
        await options.scheduler.stop()
        await db.dispose()


def _run(coro: Callable[[], Coroutine[Any, Any, None]]) -> None:
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C ends the session quietly
        asyncio.run(coro())


@app.command()
def run() -> None:
    """Start every adapter whose settings are present; the console when none is."""
    settings = load_settings()
    logs.configure(settings.log_level)
    found = adapter.discover()
    names = [n for n, a in found.items() if n != "console" and not a.missing(settings)]
    _run(lambda: serve(settings, names or ["console"], RunOptions()))


@app.command()
def console(
    member: Annotated[str | None, typer.Option("--as", help="Act as this member.")] = None,
) -> None:
    """Use the coach in this terminal (reads commands line by line; a pipe works too)."""
    settings = load_settings()
    logs.configure(settings.log_level)
    _run(lambda: serve(settings, ["console"], RunOptions(member=member)))


@app.command()
def analyze() -> None:
    """Read JSON lines {"goal": ..., "update": ...}; write what the coach reads in each."""
    bad = 0
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("update"), str):
                raise ValueError('each line needs an object with a string "update"')
            goal = item.get("goal")
            if goal is not None and not isinstance(goal, str):
                raise ValueError('"goal" must be a string')
        except ValueError as exc:
            bad += 1
            typer.echo(json.dumps({"error": f"line {number}: {exc}"}))
            continue
        typer.echo(json.dumps(analysis_of(goal, item["update"])))
    if bad:
        raise typer.Exit(2)


def analysis_of(goal: str | None, update: str) -> dict[str, Any]:
    """The ``analyze`` contract for one update."""
    signals = analyze_text(goal or None, update)
    facts = CheckInFacts(has_goal=bool(goal))
    nudges = [c.nudge_id for c in candidates(signals, facts)][:2]
    return {
        "goal_alignment": round(signals.goal_alignment, 4),
        "aligned": signals.aligned,
        "signals": {
            "role_model_mimicry": signals.role_model_mimicry,
            "idea_driven": signals.idea_driven,
            "failure": signals.failure,
        },
        "nudges": nudges,
    }


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply database migrations (they also run at start-up)."""
    settings = load_settings()

    async def go() -> None:
        db = await open_database(settings)
        current, _ = await db.revisions()
        await db.dispose()
        typer.echo(f"Database is at revision {current}.")

    asyncio.run(go())


class Format(StrEnum):
    json = "json"
    md = "md"


@app.command()
def export(
    member: Annotated[str, typer.Option(help="The member's user id.")],
    fmt: Annotated[Format, typer.Option("--format", help="json or md.")] = Format.json,
    team: Annotated[
        str | None, typer.Option(help="PLATFORM:ID of the team (default: the console's).")
    ] = None,
) -> None:
    """Write all of one member's data to standard output."""
    settings = load_settings()
    platform, _, external = (team or f"console:{settings.console_team}").partition(":")
    if not external:
        typer.echo("--team takes PLATFORM:ID, e.g. slack:T012AB3C4", err=True)
        raise typer.Exit(2)

    async def go() -> dict[str, Any] | None:
        db = await open_database(settings)
        try:
            async with db.scope(TenantRef(platform, external), datetime.now(UTC)) as scope:
                row = await scope.member(member)
                return None if row is None else await exporter.collect(scope, row)
        finally:
            await db.dispose()

    data = asyncio.run(go())
    if data is None:
        typer.echo(f"No member {member!r} in {platform}:{external}.", err=True)
        raise typer.Exit(1)
    typer.echo(exporter.to_json(data) if fmt is Format.json else exporter.to_markdown(data))


@app.command()
def doctor() -> None:
    """Check settings, database, migrations, prompts and adapters; say what is missing."""
    problems = asyncio.run(checkup())
    raise typer.Exit(1 if problems else 0)


async def checkup() -> int:
    """Print one line per check; return how many failed."""
    failed = 0

    def say(ok: bool, what: str) -> None:
        nonlocal failed
        failed += not ok
        typer.echo(f"{'ok ' if ok else 'BAD'}  {what}")

    try:
        settings = Settings()
    except ValidationError as exc:
        say(False, f"settings: {exc}")
        return failed
    say(True, "settings load")
    try:
        load_prompts()
        say(True, "prompts/ load and validate")
    except PromptError as exc:
        say(False, f"prompts/: {exc}")
    url = make_url(settings.resolved_database_url())
    where = url.render_as_string(hide_password=True)
    db = Database.from_url(settings.resolved_database_url())
    try:
        async with db.session() as session:
            await session.execute(text("SELECT 1"))
        say(True, f"database reachable: {where}")
        current, head = await db.revisions()
        if current is None:  # a new database: start-up creates the schema
            say(True, f"migrations: none applied yet; start-up applies them up to {head}")
        else:
            behind = "" if current == head else " (run `research-coach db upgrade`)"
            say(current == head, f"migrations: at {current}, newest {head}{behind}")
    except StoreUnavailable as exc:
        say(False, f"database unreachable: {where} ({exc})")
    finally:
        await db.dispose()
    for name, found in sorted(adapter.discover().items()):
        missing = found.missing(settings)
        if name == "console":
            say(True, "adapter console: available (starts when no platform is configured)")
        elif missing:
            typer.echo(f"--   adapter {name}: off (set {', '.join(missing)} to start it)")
        else:
            typer.echo(f"ok   adapter {name}: will start")
    return failed
