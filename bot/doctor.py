"""``research-coach doctor``: settings, prompts, analysis model, LLM, database, then each
configured platform through its adapter's own checks (``bot.adapter.SelfChecking``).

Every finding is one line, ``ok``, ``warn``, ``FAIL`` or ``--`` (off), with a hint under what
is not ok. Only a FAIL makes the exit code non-zero; a warning is something the coach works
around (no LLM follow-ups: it sends its templates). No line carries a secret: checks say which
setting is wrong, never its value, and every line is redacted once more before it is printed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx
import typer
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot import adapter, analysis, logs
from bot.checks import Check, Status, failure_reason
from bot.llm.client import endpoint
from bot.prompts import PromptError, load_prompts
from bot.settings import Settings
from bot.store import Database, StoreUnavailable

LLM_SECONDS = 5.0  # the doctor waits this long for the LLM at most (less if COACH_LLM_TIMEOUT is)
ADAPTER_SECONDS = 60.0  # one adapter's checks, all of them
LLM_FALLBACK = "until it answers, the coach sends its template follow-ups"


class Report:
    """Prints each check as it comes, redacted; counts the failures."""

    def __init__(self, echo: Callable[[str], Any] = typer.echo) -> None:
        self.echo = echo
        self.failed = 0
        self.secrets: list[str] = []

    def add(self, check: Check) -> None:
        self.failed += check.status is Status.fail
        for line in check.lines():
            self.echo(self.redact(line))

    def redact(self, line: str) -> str:
        for value in sorted(self.secrets, key=len, reverse=True):
            line = line.replace(value, logs.REDACTED)
        return logs.SECRET.sub(logs.REDACTED, line)


async def checkup(report: Report | None = None) -> int:
    """Print one line per check (and a hint under each that is not ok); return how many failed.

    >>> failed = asyncio.run(checkup())  # doctor exits 1 when failed > 0
    """
    report = report or Report()
    try:
        settings = Settings()
    except ValidationError as exc:  # hide_input_in_errors keeps the values out of this
        report.add(Check.fail(f"settings: {exc}", "fix the COACH_* variables named above"))
        return report.failed
    report.secrets = [s for s in logs.secrets_of(settings) if len(s) >= logs.MIN_SECRET]
    report.add(Check.ok("settings load"))
    try:
        load_prompts()
        report.add(Check.ok("prompts/ load and validate"))
    except PromptError as exc:
        report.add(Check.fail(f"prompts/: {exc}"))
    report.add(await asyncio.to_thread(analysis_check, settings))
    report.add(await llm_check(settings))
    for check in await database_checks(settings):
        report.add(check)
    for name, found in sorted(adapter.discover().items()):
        for check in await adapter_checks(name, found, settings):
            report.add(check)
    return report.failed


def analysis_check(settings: Settings) -> Check:
    """Whether the embedded analysis model loads; a failure if it should and does not."""
    analysis.configure(enabled=settings.analysis_model, model_file=settings.analysis_model_file)
    state = analysis.warm_up()
    if state.state == "loaded":
        return Check.ok(f"analysis model: loaded and checked (sha256) from {state.detail}")
    if state.state == "off":
        return Check.off(f"analysis model: off ({state.detail})")
    return Check.fail(f"analysis model: not loaded ({state.detail}); the rules carry on alone")


async def llm_check(settings: Settings) -> Check:
    """Whether the optional LLM answers with our key: ``GET {base}/models`` (servers without
    it get a one-token chat completion instead). Never a failure: the templates stand in."""
    base = settings.llm_base_url
    if not base:
        return Check.off("LLM follow-ups: off (set COACH_LLM_BASE_URL and COACH_LLM_MODEL)")
    where = make_url_safe(base)
    model = settings.llm_model
    if not model:
        return Check.warn(
            f"LLM follow-ups: COACH_LLM_MODEL is not set, so {where} is never asked",
            "set COACH_LLM_MODEL to a model the server serves",
        )
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else ""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    timeout = min(settings.llm_timeout, LLM_SECONDS)
    try:
        async with httpx.AsyncClient(headers=headers, timeout=timeout) as client:
            asked = "GET /models"
            answer = await client.get(endpoint(base, "models"))
            if answer.status_code in (404, 405):  # a server that only does chat completions
                asked = "a one-token chat completion"
                ping = [{"role": "user", "content": "Say ok."}]
                answer = await client.post(
                    endpoint(base, "chat/completions"),
                    json={"model": model, "messages": ping, "max_tokens": 1},
                )
    except httpx.HTTPError as exc:
        return Check.warn(
            f"LLM follow-ups: {where} unreachable ({failure_reason(exc)})",
            f"check COACH_LLM_BASE_URL and that the server runs; {LLM_FALLBACK}",
        )
    if answer.status_code in (401, 403):
        return Check.warn(
            f"LLM follow-ups: {where} refused the key (HTTP {answer.status_code})",
            f"check COACH_LLM_API_KEY; {LLM_FALLBACK}",
        )
    if answer.status_code >= 400:
        return Check.warn(
            f"LLM follow-ups: {where} answered HTTP {answer.status_code} to {asked}",
            f"check COACH_LLM_BASE_URL (the API root, e.g. …/v1) and COACH_LLM_MODEL; "
            f"{LLM_FALLBACK}",
        )
    served = _model_ids(answer) if asked == "GET /models" else None
    if served and model not in served:
        listed = ", ".join(sorted(served)[:5])
        return Check.warn(
            f"LLM follow-ups: {where} does not serve {model} (it lists {listed})",
            f"check COACH_LLM_MODEL; {LLM_FALLBACK}",
        )
    return Check.ok(f"LLM follow-ups: {model} at {where} answers ({asked})")


def _model_ids(answer: httpx.Response) -> set[str] | None:
    """The model ids of an OpenAI-style ``/models`` answer; None when it is not one."""
    try:
        data = answer.json().get("data")
    except (ValueError, AttributeError):
        return None
    if not isinstance(data, list):
        return None
    return {str(m["id"]) for m in data if isinstance(m, dict) and "id" in m}


async def database_checks(settings: Settings) -> list[Check]:
    """The database answers, and how its migrations stand."""
    where = make_url(settings.resolved_database_url()).render_as_string(hide_password=True)
    db = Database.from_url(settings.resolved_database_url())
    checks = []
    try:
        async with db.session() as session:
            await session.execute(text("SELECT 1"))
        checks.append(Check.ok(f"database reachable: {where}"))
        current, head = await db.revisions()
        if current is None:  # a new database: start-up creates the schema
            checks.append(
                Check.ok(f"migrations: none applied yet; start-up applies them up to {head}")
            )
        elif current == head:
            checks.append(Check.ok(f"migrations: at {current}, newest {head}"))
        else:
            checks.append(
                Check.fail(
                    f"migrations: at {current}, newest {head}", "run `research-coach db upgrade`"
                )
            )
    except StoreUnavailable as exc:
        checks.append(
            Check.fail(
                f"database unreachable: {where} ({exc})",
                "check COACH_DATABASE_URL and that the database server runs",
            )
        )
    finally:
        await db.dispose()
    return checks


async def adapter_checks(name: str, found: adapter.Adapter, settings: Settings) -> list[Check]:
    """Whether an adapter starts, then its own checks of its platform (when it has some)."""
    if name == "console":
        return [Check.ok("adapter console: available (starts when no platform is configured)")]
    missing = found.missing(settings)
    if missing:
        return [Check.off(f"adapter {name}: off (set {', '.join(missing)} to start it)")]
    checks = [Check.ok(f"adapter {name}: will start")]
    if not isinstance(found, adapter.SelfChecking):
        return checks
    try:
        async with asyncio.timeout(ADAPTER_SECONDS):
            checks += await found.doctor(settings)
    except TimeoutError:
        checks.append(Check.fail(f"{name}: its checks took over {ADAPTER_SECONDS:g} s"))
    except Exception as exc:  # one broken check must not hide the others' findings
        checks.append(
            Check.fail(
                f"{name}: its checks stopped with {type(exc).__name__}: {exc}"[:300],
                "please report this",
            )
        )
    return checks


def make_url_safe(url: str) -> str:
    """Only the scheme and host of a URL, for printing: its user, password, path and query
    may all carry a key (``?key=…``, ``/key/…/v1``), so none of them is shown.

    >>> make_url_safe("https://user:pw@llm.example.org:8443/v1?key=sk-123")
    'https://llm.example.org:8443'
    """
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:  # not a URL we can read: show nothing of it
        return "(the configured URL)"
    if not parts.scheme or not host:
        return "(the configured URL)"
    shown = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{shown}" + (f":{port}" if port else "")
