"""``research-coach``: run, console, analyze, db upgrade, doctor, export, metric push."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from pydantic import ValidationError

from bot import analysis, logs, numbers, push, runtime
from bot.coach import export as exporter
from bot.coach.nudges import CheckInFacts, candidates
from bot.doctor import checkup
from bot.events import TenantRef, plain
from bot.llm import Judge, judge_from
from bot.prompts import load_prompts
from bot.runtime import DatabaseUnavailable, Runtime
from bot.settings import Settings
from bot.store import Database, backup

if TYPE_CHECKING:
    from bot.analysis.evaluate import Example

app = typer.Typer(
    help="Research Coach: a coach for AI/ML research teams.",
    no_args_is_help=True,
    add_completion=False,
    # Plain help, as click writes it: Typer's rich panels give a flag a type (``--help <bool>``)
    # and keep a docstring's line breaks mid-sentence. Sub-apps inherit the mode.
    rich_markup_mode=None,
)
log = logging.getLogger(__name__)
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
    """The configured database, migrated to the newest schema; else the reason, exit code 1."""
    try:
        return await runtime.open_database(settings)
    except DatabaseUnavailable as exc:
        cannot_open(exc)


def cannot_open(exc: DatabaseUnavailable) -> NoReturn:
    typer.echo(f"Cannot open the database at {exc.where}: {exc.cause}.", err=True)
    typer.echo("Run `research-coach doctor` for details.", err=True)
    raise typer.Exit(1) from None


def launch(run: Runtime) -> None:
    """Run ``run`` in this process until it is stopped (see ``Runtime.run_process``)."""
    try:
        run.run_process()
    except DatabaseUnavailable as exc:
        cannot_open(exc)


@app.command()
def run() -> None:
    """Start every adapter whose settings are present; the console when none is."""
    settings = load_settings()
    logs.configure_from(settings)
    launch(Runtime.for_run(settings))


@app.command()
def console(
    member: Annotated[
        str | None, typer.Option("--as", metavar="NAME", help="Act as this member.")
    ] = None,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Try the coach on a throw-away database, deleted when you leave, where /tick "
            "moves time (your data folder is not touched).",
        ),
    ] = False,
) -> None:
    """Use the coach in this terminal (reads commands line by line; a pipe works too)."""
    settings = load_settings()
    logs.configure_from(settings)
    launch(Runtime.for_console(settings, member=member, demo=demo))


@app.command()
def analyze(
    eval_file: Annotated[
        Path | None,
        typer.Option(
            "--eval",
            help="A labelled JSON-lines file: print alignment AUC and accuracy, and precision, "
            "recall and F1 per signal, for the rules and the embedded model side by side.",
        ),
    ] = None,
    rules_only: Annotated[
        bool, typer.Option("--rules", help="Read with the rules alone (no embedded model).")
    ] = False,
    use_llm: Annotated[
        bool,
        typer.Option(
            "--llm",
            help="With --eval: add a column for the configured LLM judge (COACH_LLM_BASE_URL, "
            "COACH_LLM_MODEL), its fallbacks to the embedded verdict counted.",
        ),
    ] = False,
) -> None:
    """Read JSON lines {"goal": ..., "update": ...}; write what the coach reads in each.

    Optional fields of a line, the evidence a check-in carries: "moves" (the answer to "how
    does this move your goal"), "failed", "metric_before", "metric_after", "direction" ("up"
    or "down") and "history" (earlier updates on the goal, oldest first).
    """
    from bot.analysis.evaluate import parse_evidence

    settings = load_settings()
    judge: Judge | None = None
    if use_llm:
        if eval_file is None:
            typer.echo("--llm works with --eval FILE.", err=True)
            raise typer.Exit(2)
        judge = judge_from(settings, load_prompts())
        if judge is None:
            typer.echo(
                "--llm needs an LLM: set COACH_LLM_BASE_URL and COACH_LLM_MODEL "
                "(and COACH_LLM_API_KEY if it asks for one).",
                err=True,
            )
            raise typer.Exit(2)
    analysis.configure(
        enabled=settings.analysis_model and not rules_only,
        model_file=settings.analysis_model_file,
    )
    if eval_file is not None:
        raise typer.Exit(evaluation(eval_file, rules_only, judge))
    bad = 0
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict):
                raise ValueError('each line needs an object with a string "update"')
            evidence = parse_evidence(item)
        except ValueError as exc:
            bad += 1
            typer.echo(json.dumps({"error": f"line {number}: {exc}"}))
            continue
        typer.echo(json.dumps(analysis_of(evidence)))
    if bad:
        raise typer.Exit(2)


def evaluation(path: Path, rules_only: bool = False, judge: Judge | None = None) -> int:
    """Print the evaluation of ``path`` for the rules and the embedded model (and the LLM
    judge, when given: each example judged in turn, the embedded verdict as its fallback);
    the exit code."""
    from bot.analysis.evaluate import evaluate, format_reports, load_examples

    try:
        examples = load_examples(path)
    except (OSError, ValueError) as exc:
        typer.echo(f"Cannot read {path}: {exc}", err=True)
        if judge is not None:
            asyncio.run(judge.aclose())
        return 2
    rules = {id(e): analysis.rules_analyze_evidence(e.full) for e in examples}
    reports = [evaluate("rules", examples, lambda e: rules[id(e)])]
    fallbacks = rules  # what the LLM column falls back to: the best embedded verdict at hand
    state = analysis.warm_up()
    if state.state == "loaded":
        fallbacks = {id(e): analysis.analyze_evidence(e.full) for e in examples}
        embedded = fallbacks
        reports.append(evaluate("embedded", examples, lambda e: embedded[id(e)]))
    elif not rules_only:
        typer.echo(f"The embedded model is {state.state}: {state.detail}", err=True)
    failed = 0
    if judge is not None:
        judged, failed, why = asyncio.run(judge_examples(judge, examples, fallbacks))
        reports.append(evaluate("llm", examples, lambda e: judged[id(e)]))
    typer.echo(format_reports(reports, f"{path} ({len(examples)} labelled check-ins)"))
    if judge is not None:
        detail = f" ({why})" if why else ""
        typer.echo(
            f"llm: fell back to the embedded verdict on {failed} of {len(examples)} "
            f"check-ins{detail}"
        )
        if examples and failed == len(examples):
            typer.echo("The LLM gave no valid verdict: its column is the fallback's.", err=True)
            return 1
    return 0 if rules_only or state.state == "loaded" else 1


async def judge_examples(
    judge: Judge, examples: list[Example], fallbacks: dict[int, analysis.Signals]
) -> tuple[dict[int, analysis.Signals], int, str]:
    """The LLM's verdict on each example, one after the other, in one event loop: the
    verdicts by example, how many fell back, and why (counts by kind)."""
    bot_llm = logging.getLogger("bot.llm")
    level = bot_llm.level
    bot_llm.setLevel(logging.ERROR)  # one line a fallback would drown the table: counted instead
    try:
        judged = {id(e): await judge.verdict(e.full, fallbacks[id(e)]) for e in examples}
    finally:
        bot_llm.setLevel(level)
        await judge.aclose()
    kinds = {
        k.removeprefix("judge_"): v
        for k, v in judge.stats.by_kind.items()
        if k.startswith("judge_") and v
    }
    why = ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items()))
    return judged, judge.stats.judge_fallbacks, why


def analysis_of(evidence: analysis.Evidence) -> dict[str, Any]:
    """The ``analyze`` contract for one update (the nudges say the rest: ``setback`` or
    ``best-works`` for a failure's scope, none in a week away)."""
    signals = analysis.analyze_evidence(evidence)
    facts = CheckInFacts(has_goal=bool(evidence.goal))
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


@db_app.command("backup")
def db_backup(
    path: Annotated[Path, typer.Argument(help="The new file to write (it must not exist).")],
) -> None:
    """Copy the SQLite database to PATH while the coach runs: one consistent moment, a file
    only its owner can read. For PostgreSQL it prints the pg_dump command to use instead.
    Restore: see deploy/README.md."""
    settings = load_settings()
    url = settings.resolved_database_url()
    try:
        source = backup.sqlite_file(url)
        if source is None:
            typer.echo("The database is PostgreSQL: back it up with pg_dump, e.g.", err=True)
            typer.echo(f"  {backup.pg_dump_command(url, path)}", err=True)
            typer.echo("(password from PGPASSWORD or ~/.pgpass; see deploy/README.md)", err=True)
            raise typer.Exit(2)
        pages = backup.backup_sqlite(source, path)
    except backup.BackupRefused as exc:
        typer.echo(f"No backup written: {exc}.", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Backed up {source} to {path} ({pages} pages, integrity ok).")


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
    """Check what a deployment needs and say what is missing: settings, prompts, the analysis
    model, the LLM, the database and migrations, and each configured platform (tokens, scopes,
    reachability). Exits 1 when a required check fails; never prints a secret."""
    failed = asyncio.run(checkup())
    raise typer.Exit(1 if failed else 0)


# --- metric -----------------------------------------------------------------------------------

metric_app = typer.Typer(help="A goal's number, from a script.", no_args_is_help=True)
app.add_typer(metric_app, name="metric")


@metric_app.command("push")
def metric_push(
    value: Annotated[str, typer.Option(help="The number, e.g. 0.42 (or 42%).")],
    token: Annotated[
        str | None,
        typer.Option(
            envvar="COACH_PUSH_TOKEN",
            show_envvar=True,
            help="The goal's push token, from /goal connect N script. Set COACH_PUSH_TOKEN "
            "instead, to keep it out of your shell history.",
        ),
    ] = None,
    run_id: Annotated[
        str | None,
        typer.Option("--run", help="Your run's id: each run and step is recorded once."),
    ] = None,
    step: Annotated[int | None, typer.Option(help="The step the value is from.")] = None,
    note: Annotated[str | None, typer.Option(help="A few words kept with the value.")] = None,
    url: Annotated[
        str | None,
        typer.Option(
            help="The coach's address (default: COACH_PUBLIC_URL, else "
            "http://127.0.0.1:COACH_HTTP_PORT)."
        ),
    ] = None,
) -> None:
    """Record a value of a goal's number, e.g. as a training script's last line. Exits 0 when
    recorded (or already recorded), 1 when refused, 2 when the coach cannot be reached."""
    prompts = load_prompts()
    if not token:
        typer.echo(plain(prompts.say("push_cli_no_token")), err=True)
        raise typer.Exit(push.REFUSED)
    number = numbers.number(value)
    if number is None:
        typer.echo(plain(prompts.say("push_cli_not_a_number", text=value)), err=True)
        raise typer.Exit(push.REFUSED)
    if url is None:
        settings = load_settings()
        url = settings.public_url or f"http://127.0.0.1:{settings.http_port}"
    sent = push.send(url, token, number, run=run_id, step=step, note=note, prompts=prompts)
    typer.echo(sent.line, err=sent.code != push.RECORDED)
    raise typer.Exit(sent.code)


# --- report -----------------------------------------------------------------------------------

report_app = typer.Typer(help="Reports for tuning the coach on real use.", no_args_is_help=True)
app.add_typer(report_app, name="report")


@report_app.command("nudges")
def report_nudges(
    team: Annotated[
        str | None, typer.Option(help="PLATFORM:ID of one team (default: every team).")
    ] = None,
    days: Annotated[
        int | None, typer.Option(min=1, help="Only nudges given in the last DAYS days.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of a table.")] = False,
) -> None:
    """Helpfulness per nudge id, from members' helped / did-not-help answers.

    A nudge asked as a gentler question (similarity only, no rule) is counted apart, as
    "question", so the similarity thresholds can be tuned on their own.
    """
    settings = load_settings()
    tenant: tuple[str, str] | None = None
    if team is not None:
        platform, _, external = team.partition(":")
        if not external:
            typer.echo("--team takes PLATFORM:ID, e.g. slack:T012AB3C4", err=True)
            raise typer.Exit(2)
        tenant = (platform, external)
    since = datetime.now(UTC) - timedelta(days=days) if days else None

    async def go() -> list[dict[str, Any]]:
        db = await open_database(settings)
        try:
            return await nudge_helpfulness(db, tenant, since)
        finally:
            await db.dispose()

    rows = asyncio.run(go())
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        typer.echo("No nudges given yet.")
        return
    typer.echo(
        f"{'nudge':18}{'kind':10}{'given':>7}{'helped':>8}{'not':>6}{'no answer':>11}{'helpful':>9}"
    )
    for row in rows:
        rate = "–" if row["helpful_rate"] is None else f"{row['helpful_rate']:.0%}"
        typer.echo(
            f"{row['nudge']:18}{row['kind']:10}{row['given']:>7}{row['helpful']:>8}"
            f"{row['unhelpful']:>6}{row['unanswered']:>11}{rate:>9}"
        )
    typer.echo("helpful = helped / (helped + did not help); unanswered nudges are not counted.")


async def nudge_helpfulness(
    db: Database, tenant: tuple[str, str] | None = None, since: datetime | None = None
) -> list[dict[str, Any]]:
    """One row per (nudge id, kind): how often given, helped, did not help, unanswered."""
    from sqlalchemy import case, func, select

    from bot.coach.nudges import SIMILAR_TRIGGER
    from bot.store.models import NudgeRecord, Tenant

    kind = case(
        (NudgeRecord.trigger.startswith(SIMILAR_TRIGGER, autoescape=True), "question"),
        else_="nudge",
    ).label("kind")
    query = select(
        NudgeRecord.nudge_id,
        kind,
        func.count(),
        func.count().filter(NudgeRecord.feedback == "helpful"),
        func.count().filter(NudgeRecord.feedback == "unhelpful"),
    )
    if tenant is not None:
        query = query.join(Tenant, Tenant.id == NudgeRecord.tenant_id).where(
            Tenant.platform == tenant[0], Tenant.external_id == tenant[1]
        )
    if since is not None:
        query = query.where(NudgeRecord.given_at >= since)
    query = query.group_by(NudgeRecord.nudge_id, kind).order_by(NudgeRecord.nudge_id, kind)
    async with db.session() as session:
        result = (await session.execute(query)).all()
    rows: list[dict[str, Any]] = []
    for nudge_id, kind_name, given, helpful, unhelpful in result:
        answered = helpful + unhelpful
        rows.append(
            {
                "nudge": nudge_id,
                "kind": kind_name,
                "given": given,
                "helpful": helpful,
                "unhelpful": unhelpful,
                "unanswered": given - answered,
                "helpful_rate": round(helpful / answered, 4) if answered else None,
            }
        )
    return rows
