"""The operations endpoints (/healthz, /readyz, /metrics) on a server of their own: which runs
open it (Slack in Socket Mode, Discord; not the console alone, not Slack's HTTP mode, which
serves them itself), and a real ``research-coach run`` in Socket Mode answering on it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot import adapter
from bot.adapter import RunOptions
from bot.coach import Coach
from bot.health import readiness
from bot.ops import OpsServer
from bot.runtime import needs_ops_server
from bot.settings import Settings
from bot.store import Database
from tests.fakes.slack import FakeSlack

BOT_TOKEN = "xoxb-1-2-ops"
APP_TOKEN = "xapp-1-A1-123-ops"


@pytest.fixture
async def ops(coach: Coach) -> AsyncIterator[str]:
    """An ops server on port 0, with the run's real readiness check; its base URL."""
    options = RunOptions()
    server = OpsServer(lambda: readiness(coach, options))
    port = await server.start("127.0.0.1", 0)
    assert port != 0
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await server.stop()


async def test_the_ops_server_answers_health_readiness_and_metrics(ops: str) -> None:
    async with httpx.AsyncClient(base_url=ops, timeout=10) as http:
        health = await http.get("/healthz")
        ready = await http.get("/readyz")
        scraped = await http.get("/metrics")
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "database": "ok", "adapters": {}, "scheduler": "off"}
    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain; version=")
    assert "# TYPE coach_commands_total counter" in scraped.text
    assert "# TYPE coach_ack_seconds histogram" in scraped.text


async def test_readiness_fails_when_the_database_does_not_answer() -> None:
    unreachable = Coach(Database.from_url("postgresql+asyncpg://postgres@127.0.0.1:1/none"))
    options = RunOptions()
    server = OpsServer(lambda: readiness(unreachable, options))
    port = await server.start("127.0.0.1", 0)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            health = await http.get("/healthz")
            ready = await http.get("/readyz")
    finally:
        await server.stop()
        await unreachable.db.dispose()
    assert health.status_code == 200  # alive: restarting it would not help
    assert ready.status_code == 503
    assert ready.json()["database"] == "unreachable"


def test_which_runs_open_the_ops_server() -> None:
    found = adapter.discover()

    def needs(names: list[str], **values: Any) -> bool:
        settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
        return needs_ops_server([found[n] for n in names], settings)

    socket_mode = {"slack_bot_token": BOT_TOKEN, "slack_app_token": APP_TOKEN}
    http_mode = {"slack_bot_token": BOT_TOKEN, "slack_signing_secret": "s"}
    assert needs(["slack"], **socket_mode)
    assert needs(["discord"], discord_token="t")
    assert not needs(["slack"], **http_mode)  # Slack's own server carries the probes
    assert not needs(["slack", "discord"], discord_token="t", **http_mode)
    assert needs(["slack", "discord"], discord_token="t", **socket_mode)
    assert not needs(["console"])  # a terminal session opens no port


async def test_a_socket_mode_run_serves_the_probes_on_its_own_port(tmp_path: Path) -> None:
    async with FakeSlack() as fake:
        fake.add_workspace("T1", BOT_TOKEN)
        env = {k: v for k, v in os.environ.items() if not k.startswith("COACH_")}
        env |= {
            "COACH_DATA_DIR": str(tmp_path),
            "COACH_SLACK_BOT_TOKEN": BOT_TOKEN,
            "COACH_SLACK_APP_TOKEN": APP_TOKEN,
            "COACH_SLACK_API_URL": fake.api_url,
            "COACH_HTTP_PORT": "0",
            "COACH_ANALYSIS_MODEL": "off",
            "COACH_LOG_LEVEL": "INFO",
            "COACH_LOG_FORMAT": "json",
        }
        run = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            env=env | {"PYTHONFAULTHANDLER": "1"},
            cwd=tmp_path,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        lines: list[str] = []
        announced: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        reading = asyncio.create_task(_read_log(run, lines, announced))
        serving = 0
        try:
            async with asyncio.timeout(60):  # a guard against a hang, not a measurement
                port = await asyncio.shield(announced)
                await fake.socket_connected.wait()
                async with httpx.AsyncClient(
                    base_url=f"http://127.0.0.1:{port}", timeout=10
                ) as http:
                    health = await http.get("/healthz")
                    ready = await http.get("/readyz")
                    scraped = await http.get("/metrics")
        finally:
            serving = len(lines)
            await _stop(run)
            await reading
    assert run.returncode == 0, "\n".join(lines)
    assert health.status_code == 200
    # Socket Mode is a connection out: readiness asks the client whether it is up.
    assert ready.status_code == 200 and ready.json()["adapters"] == {"slack": "connected"}
    assert scraped.status_code == 200 and "# TYPE coach_commands_total counter" in scraped.text
    # Every line logged while it served is one JSON object.
    assert serving > 0
    for line in lines[:serving]:
        assert {"time", "level", "logger", "message"} <= set(json.loads(line)), line


async def _stop(run: asyncio.subprocess.Process) -> None:
    """SIGTERM, as Kubernetes stops a pod; if it hangs, SIGABRT makes faulthandler print
    every thread's stack into the log the assertion shows."""
    if run.returncode is None:
        run.send_signal(signal.SIGTERM)
    try:
        async with asyncio.timeout(30):
            await run.wait()
    except TimeoutError:
        run.send_signal(signal.SIGABRT)
        await run.wait()


async def _read_log(
    run: asyncio.subprocess.Process, lines: list[str], announced: asyncio.Future[int]
) -> None:
    """Keep reading the run's log (a full pipe would stall it); announce the ops port."""
    assert run.stderr is not None
    while line := (await run.stderr.readline()).decode():
        lines.append(line.rstrip("\n"))
        with contextlib.suppress(ValueError, KeyError):
            message = json.loads(line)["message"]
            found = re.search(r"/metrics on 127\.0\.0\.1:(\d+)", message)
            if found and not announced.done():
                announced.set_result(int(found[1]))
    if not announced.done():
        announced.set_exception(AssertionError("the run ended: " + "\n".join(lines)))
