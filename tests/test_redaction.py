"""No secret reaches a log line: real flows (Slack over HTTP, Socket Mode and OAuth against the
fake Slack, Discord against the fake gateway, a failing LLM, an unreachable database) run with
known secrets while every logger, the libraries' included, logs at DEBUG through the handler
``logs.configure`` installs, in text and in JSON.

A recorder placed before that handler sees each record as it was emitted, before redaction: it
proves the secrets really were logged (so the test fails if redaction goes), and that every
flow logged something.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.slack.app import SlackAdapter, build
from adapters.slack.http import SlackServer
from bot import logs
from bot.adapter import RunOptions
from bot.coach import Coach
from bot.events import Actor, CommandInvoked, FollowUp, FormSubmitted, Place, TenantRef
from bot.llm.client import ChatClient
from bot.llm.followup import FollowUps
from bot.pacing import Pacer
from bot.ports import ManualClock
from bot.prompts import load_prompts
from bot.settings import Settings
from bot.store import Database
from tests.adapters.discord.conftest import LAB, LAB_CHANNEL
from tests.adapters.discord.transcript import Bot, Researcher
from tests.conftest import START
from tests.fakes.discord import FakeDiscord, Person, pointed_at
from tests.fakes.llm import Answer, FakeLLM
from tests.fakes.slack import FakeSlack, interaction_body, sign, slash_command_body

# Each ends in its own 12 characters, so a surviving tail is recognisable too.
SLACK_BOT = "xoxb-5550001-5550002-qT7nWbotTokenA1"
SLACK_INSTALLED = "xoxb-5550009-5550008-zR4kPinstallB2"  # what an OAuth install returns
SLACK_APP = "xapp-1-A5550001-5550003-mV8sLappTokenC3"
SLACK_USER = "xoxp-5550001-5550002-5550004-hY2cDuserTokD4"  # pasted by a member
DISCORD = "MTExMTExMTExMTExMTExMTEx.GRdAct.uN5fQdiscordBotTokenE5xxxxxx"
SIGNING = "signing-Secret-jW3eXsignF6"
CLIENT_SECRET = "client-Secret-bK9gTclientG7"
LLM_KEY = "llm-Key-pS6hZapiKeyH8x"
DB_PASSWORD = "db-Pass-cL1vMpasswdJ9"
SECRETS = {
    "slack bot token": SLACK_BOT,
    "slack installed token": SLACK_INSTALLED,
    "slack app token": SLACK_APP,
    "slack user token": SLACK_USER,
    "discord bot token": DISCORD,
    "slack signing secret": SIGNING,
    "slack client secret": CLIENT_SECRET,
    "llm api key": LLM_KEY,
    "database password": DB_PASSWORD,
}
TAIL = 12
UNREACHABLE_DB = f"postgresql+asyncpg://coach:{DB_PASSWORD}@127.0.0.1:9/coach"


def all_settings(**extra: Any) -> Settings:
    """Every secret set, as a deployment would have them."""
    values: dict[str, Any] = {
        "slack_bot_token": SLACK_BOT,
        "slack_app_token": SLACK_APP,
        "slack_signing_secret": SIGNING,
        "slack_client_id": "111.222",
        "slack_client_secret": CLIENT_SECRET,
        "discord_token": DISCORD,
        "llm_base_url": "http://127.0.0.1:9/v1",
        "llm_model": "fake-model",
        "llm_api_key": LLM_KEY,
        "database_url": UNREACHABLE_DB,
        **extra,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


class RawRecorder(logging.Handler):
    """Keeps each record's text as emitted, before the configured handler redacts it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:
            text = f"{record.msg} {record.args}"
        if record.exc_info:  # formatted here without caching it on the record
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        self.texts.append(text)


@dataclass
class Capture:
    """What one flow logged: raw texts, and the configured handler's output."""

    fmt: str
    out: io.StringIO
    raw: RawRecorder
    flows: dict[str, tuple[list[str], str]] = field(default_factory=dict)

    @contextlib.asynccontextmanager
    async def flow(self, name: str) -> AsyncIterator[None]:
        self.out.seek(0)
        self.out.truncate()
        self.raw.texts.clear()
        yield
        self.flows[name] = (list(self.raw.texts), self.out.getvalue())


@pytest.fixture(params=["text", "json"])
def capture(request: pytest.FixtureRequest) -> Iterator[Capture]:
    """``logs.configure`` at DEBUG with every secret registered; then every logger that exists
    is set to DEBUG too (the libraries' included), and the handler writes to a buffer."""
    fmt = str(request.param)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {
        name: logger.level
        for name, logger in logging.root.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    logs.configure("DEBUG", fmt, logs.secrets_of(all_settings()))  # type: ignore[arg-type]
    for logger in logging.root.manager.loggerDict.values():
        if isinstance(logger, logging.Logger):
            logger.setLevel(logging.DEBUG)
    (configured,) = root.handlers
    assert isinstance(configured, logging.StreamHandler)
    out = io.StringIO()
    configured.setStream(out)
    raw = RawRecorder()
    root.handlers[:] = [raw, configured]  # the recorder sees records before redaction
    try:
        yield Capture(fmt, out, raw)
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, logger in logging.root.manager.loggerDict.items():
            if isinstance(logger, logging.Logger):
                logger.setLevel(levels.get(name, logging.NOTSET))
        logs.forget_secrets()


# --- the flows ---------------------------------------------------------------------------------


async def slack_http(coach: Coach) -> None:
    """HTTP mode: a member pastes a user token into /log, checks in, and a forged request."""
    async with FakeSlack() as fake:
        fake.add_workspace("T1", SLACK_BOT)
        fake.set_user("U1", name="ada", real_name="Ada Lovelace", tz="Europe/London")
        settings = all_settings(
            slack_app_token=None, slack_client_secret=None, slack_api_url=fake.api_url
        )
        runtime = build(coach, settings, Pacer(0.0, 0.0))
        server = SlackServer(runtime.app)
        port = await server.start("127.0.0.1", 0)
        url = f"http://127.0.0.1:{port}/slack/events"
        form = "application/x-www-form-urlencoded"
        try:
            async with httpx.AsyncClient(timeout=10) as http:

                async def post(body: str, secret: str = SIGNING) -> httpx.Response:
                    headers = {"Content-Type": form, **sign(secret, body)}
                    return await http.post(url, content=body, headers=headers)

                pasted = slash_command_body(
                    "/log",
                    f"my token {SLACK_USER} oops",
                    team_id="T1",
                    user_id="U1",
                    channel_id="C1",
                    response_url=fake.response_url("log"),
                )
                assert (await post(pasted)).status_code == 200
                await fake.wait_for("response_url")
                opened = slash_command_body(
                    "/checkin",
                    "",
                    team_id="T1",
                    user_id="U1",
                    channel_id="C1",
                    response_url=fake.response_url("checkin"),
                )
                assert (await post(opened)).status_code == 200
                (call,) = await fake.wait_for("views.open")
                view = call.args["view"]
                view = view if isinstance(view, dict) else json.loads(view)
                submitted = {
                    "type": "view_submission",
                    "team": {"id": "T1", "domain": "lab"},
                    "user": {"id": "U1", "name": "ada", "team_id": "T1"},
                    "api_app_id": "A1",
                    "trigger_id": "T.2",
                    "view": {**view, "id": "V1", "state": {"values": _filled(view)}},
                }
                assert (await post(interaction_body(submitted))).status_code == 200
                await fake.wait_for("chat.postEphemeral")
                forged = await post(pasted, secret="not-the-signing-secret")
                assert forged.status_code == 401
        finally:
            await server.stop()


def _filled(view: dict[str, Any]) -> dict[str, Any]:
    state: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["element"]["type"] == "static_select":
            state[block["block_id"]] = {"value": {"type": "static_select", "selected_option": None}}
        else:
            text = "Ran the ablation" if block["block_id"] == "did" else None
            state[block["block_id"]] = {"value": {"type": "plain_text_input", "value": text}}
    return state


async def slack_socket(coach: Coach) -> None:
    """Socket Mode: the app token opens the websocket; one command comes over it."""
    async with FakeSlack() as fake:
        fake.add_workspace("T1", SLACK_BOT)
        fake.set_user("U1", name="ada", real_name="Ada Lovelace", tz="Europe/London")
        settings = all_settings(slack_client_secret=None, slack_api_url=fake.api_url)
        running = asyncio.create_task(SlackAdapter().serve(coach, settings, RunOptions()))
        try:
            async with asyncio.timeout(10):
                await fake.socket_connected.wait()
            await fake.socket_send(
                {
                    "envelope_id": "env-1",
                    "type": "slash_commands",
                    "accepts_response_payload": True,
                    "payload": {
                        "command": "/log",
                        "text": "over the socket",
                        "team_id": "T1",
                        "user_id": "U1",
                        "user_name": "ada",
                        "channel_id": "C1",
                        "trigger_id": "T.9",
                        "response_url": fake.response_url("socket"),
                        "api_app_id": "A1",
                        "team_domain": "lab",
                        "channel_name": "team",
                    },
                }
            )
            await fake.wait_for_ack("env-1")
            await fake.wait_for("response_url")
        finally:
            running.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await running


async def slack_oauth(coach: Coach) -> None:
    """OAuth: the client secret goes to oauth.v2.access; the installed bot token is stored."""
    async with FakeSlack() as fake:
        fake.set_oauth_result("T9", SLACK_INSTALLED, team_name="Nine")
        settings = all_settings(
            slack_bot_token=None, slack_app_token=None, slack_api_url=fake.api_url
        )
        server = SlackServer(build(coach, settings, Pacer(0.0, 0.0)).app)
        port = await server.start("127.0.0.1", 0)
        base = f"http://127.0.0.1:{port}"
        try:
            async with httpx.AsyncClient(timeout=10) as http:
                page = await http.get(f"{base}/slack/install")
                state = re.search(r"state=([\w-]+)", page.text)
                assert state is not None
                cookie = page.headers.get("set-cookie", "").split(";")[0]
                done = await http.get(
                    f"{base}/slack/oauth_redirect",
                    params={"code": "the-code", "state": state.group(1)},
                    headers={"Cookie": cookie},
                )
                assert done.status_code == 200, done.text
        finally:
            await server.stop()


async def discord_gateway(coach: Coach) -> None:
    """Discord: log in with the bot token, take a slash command, answer it."""
    server = await FakeDiscord().start()
    server.add_guild(LAB, "Lab", LAB_CHANNEL)
    try:
        with pointed_at(server):
            settings = all_settings(
                discord_api_url=server.api_url, discord_gateway_url=server.gateway_url
            )
            bot = Bot(server, coach, settings)
            await bot.start()
            try:
                ada = Researcher(bot, Person(4242, "Ada"), LAB, LAB_CHANNEL)
                answer = await ada.slash("coach help")
                assert answer.replies
            finally:
                await bot.stop()
    finally:
        await server.close()


async def llm_failure(db: Database) -> None:
    """An LLM follow-up whose two attempts fail: the client logs, the template stands."""
    async with FakeLLM() as llm:
        llm.script(Answer.error(503))
        client = ChatClient(llm.base_url, "fake-model", LLM_KEY, 2.0)
        follow_ups = FollowUps(client, load_prompts())
        coach = Coach(db, ManualClock(START), follow_ups=follow_ups)
        try:
            actor = Actor(TenantRef("console", "lab"), "ada", "Ada")
            place = Place.channel("team")
            await coach.handle(CommandInvoked(actor, place, "goal", "set"))
            values = {"capability": "Fold laundry", "metric_name": "success", "direction": "up"}
            await coach.handle(FormSubmitted(actor, place, "goal", values, ""))
            said = await coach.handle(
                FormSubmitted(actor, place, "checkin", {"did": "Ran the ablation"}, "")
            )
            (follow_up,) = [i for i in said if isinstance(i, FollowUp)]
            assert await coach.follow_up(follow_up) == []
            assert llm.requests and llm.requests[0].headers["Authorization"] == f"Bearer {LLM_KEY}"
        finally:
            await follow_ups.aclose()


async def database_down(_tmp: Path) -> None:
    """A database that cannot be reached: the coach answers "try again later", and logs."""
    db = Database.from_url(UNREACHABLE_DB)
    try:
        coach = Coach(db, ManualClock(START))
        actor = Actor(TenantRef("console", "lab"), "ada", "Ada")
        said = await coach.handle(CommandInvoked(actor, Place.channel("team"), "log", "hi"))
        assert said and type(said[0]).__name__ == "TryAgainLater"
    finally:
        await db.dispose()


# --- the test ----------------------------------------------------------------------------------


def leaks(text: str) -> list[str]:
    """The secrets (or their last ``TAIL`` characters) found in ``text``."""
    return [name for name, value in SECRETS.items() if value in text or value[-TAIL:] in text]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # aiohttp 3.14 deprecates BasicAuth
async def test_no_secret_reaches_any_log_line(
    capture: Capture, coach: Coach, db: Database, tmp_path: Path
) -> None:
    flows: dict[str, Callable[[], Awaitable[None]]] = {
        "slack over HTTP": lambda: slack_http(coach),
        "slack in Socket Mode": lambda: slack_socket(coach),
        "slack OAuth install": lambda: slack_oauth(coach),
        "discord gateway": lambda: discord_gateway(coach),
        "failing LLM": lambda: llm_failure(db),
        "unreachable database": lambda: database_down(tmp_path),
    }
    for name, run in flows.items():
        async with capture.flow(name):
            await run()

    logged_raw: set[str] = set()
    for name, (raw, out) in capture.flows.items():
        assert raw, f"{name}: nothing was logged"
        assert leaks(out) == [], f"{name} ({capture.fmt}): {leaks(out)} in the log"
        found = {secret for text in raw for secret in leaks(text)}
        if found:  # logged before redaction: each such line now says where it was cut
            assert "[redacted]" in out, name
        logged_raw |= found
        if capture.fmt == "json":
            for line in out.splitlines():
                entry = json.loads(line)
                assert {"time", "level", "logger", "message"} <= set(entry), line
    # A member's pasted token reaches the libraries' DEBUG lines (request bodies), and an
    # installed workspace's token the SQL parameters: without redaction they would be logged.
    assert {"slack user token", "slack installed token"} <= logged_raw
