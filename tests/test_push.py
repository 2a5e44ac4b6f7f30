"""Values pushed by any script: ``POST /api/goals/values`` on a real server and a real database,
and ``research-coach metric push`` against it.

A push with the goal's token records its value once per run and step; a wrong, missing or
replaced token records nothing and says nothing of which tokens exist; a body that is not what
it should be is refused with words saying what to send; a flood is slowed with Retry-After; a
new best queues the member's "new best" DM. Every server the run has serves the route.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from adapters.console import ConsoleSession
from adapters.slack.app import SlackAdapter
from bot import analysis
from bot.adapter import Adapter, RunOptions, discover
from bot.cli import app
from bot.coach import Coach
from bot.events import TenantRef
from bot.ops import OpsServer
from bot.ports import ManualClock
from bot.push import PATH, Pace, PushRoutes, new_token, token_hash, token_hint
from bot.runtime import Runtime
from bot.settings import Settings
from bot.store import Database
from bot.store.models import Delivery
from bot.store.views import GoalView, MetricValue
from tests.conftest import say
from tests.test_runtime import Probe, settings_for, until

TEAM = TenantRef("slack", "T1")
SLACK_SECRET = "test-signing-secret"


@dataclass
class Pushing:
    """A member's goal connected to a script, and a client that pushes to the server."""

    db: Database
    clock: ManualClock
    http: httpx.AsyncClient
    url: str
    token: str
    goal: GoalView

    async def push(self, body: Any, token: str | None = None, **headers: str) -> httpx.Response:
        token = self.token if token is None else token
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        sent = {"Content-Type": "application/json", **headers}
        if token:
            sent["Authorization"] = f"Bearer {token}"
        return await self.http.post(self.url, content=content, headers=sent)

    async def points(self) -> list[MetricValue]:
        async with self.db.scope(TEAM, self.clock.now()) as scope:
            return await scope.metric_points(self.goal, limit=1000)

    async def new_best_dms(self) -> list[Delivery]:
        async with self.db.session() as session:
            query = select(Delivery).where(Delivery.kind == "new_best").order_by(Delivery.id)
            return list((await session.execute(query)).scalars())


async def connect_script(
    db: Database, now: datetime, first: float | None = None
) -> tuple[str, GoalView]:
    """Ada's goal 1 ("fold success", up), connected to a script; its token."""
    token = new_token()
    async with db.scope(TEAM, now) as scope:
        ada = await scope.ensure_member("U1", "Ada", "UTC", now)
        goal = await scope.add_goal(
            ada,
            capability="Fold towels from pixels",
            metric_name="fold success",
            direction="up",
            created_at=now,
        )
        if first is not None:
            goal = await scope.add_metric(goal, first, now, text=str(first))
        await scope.connect(
            goal, "push", {}, now, token_hash=token_hash(token), token_hint=token_hint(token)
        )
    return token, goal


async def reconnect(pushing: Pushing) -> str:
    """``/goal connect 1 script`` again: a new token in place of the old one."""
    token = new_token()
    async with pushing.db.scope(TEAM, pushing.clock.now()) as scope:
        await scope.connect(
            pushing.goal,
            "push",
            {},
            pushing.clock.now(),
            token_hash=token_hash(token),
            token_hint=token_hint(token),
        )
    return token


def free_port() -> int:
    """A port nothing listens on (bound, then let go)."""
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        return int(free.getsockname()[1])


@pytest.fixture
def pace(request: pytest.FixtureRequest) -> Pace:
    """The server's pace: the shipped one, or as a test's ``indirect`` parameter sets it."""
    return Pace(**getattr(request, "param", {}))


@pytest.fixture
async def pushing(db: Database, clock: ManualClock, pace: Pace) -> AsyncIterator[Pushing]:
    token, goal = await connect_script(db, clock.now(), first=0.1)
    server = OpsServer(routes=PushRoutes(db, clock, pace=pace).routes())
    port = await server.start("127.0.0.1", 0)
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            yield Pushing(db, clock, http, f"http://127.0.0.1:{port}{PATH}", token, goal)
    finally:
        await server.stop()


# --- tokens -----------------------------------------------------------------------------------


def test_a_token_is_long_random_and_only_its_hash_and_hint_are_kept() -> None:
    tokens = {new_token() for _ in range(100)}
    assert len(tokens) == 100
    token = tokens.pop()
    assert token.startswith("rcp_") and len(token) >= 40
    assert len(token_hash(token)) == 64 and token not in token_hash(token)
    assert token_hash(token) == token_hash(token) != token_hash(token + "x")
    assert token_hint(token) == token[-4:]


# --- recorded ---------------------------------------------------------------------------------


async def test_a_pushed_value_is_recorded_with_its_run_step_note_and_time(
    pushing: Pushing,
) -> None:
    at = pushing.clock.now() - timedelta(hours=1)
    answer = await pushing.push(
        {"value": 0.42, "run": "fold-3", "step": 1200, "note": "lr 3e-4", "at": at.isoformat()}
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["status"] == "recorded" and body["new_best"] is True and body["best"] == 0.42
    assert body["goal"] == 1 and body["out_of_order"] is False
    assert "0.42" in body["message"] and "new best" in body["message"]
    point, first = await pushing.points()  # oldest first: the pushed value is from an hour ago
    assert first.source == "member"
    assert (point.value, point.source, point.run_id, point.step, point.note) == (
        0.42,
        "push",
        "fold-3",
        1200,
        "lr 3e-4",
    )
    assert point.recorded_at == at


async def test_the_same_run_and_step_again_is_recorded_once(pushing: Pushing) -> None:
    first = await pushing.push({"value": 0.3, "run": "r1", "step": 5})
    again = await pushing.push({"value": 0.3, "run": "r1", "step": 5})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["status"] == "already_recorded"
    assert "Already recorded" in again.json()["message"]
    assert [p.value for p in await pushing.points()] == [0.1, 0.3]
    # With no run, every push is a value of its own.
    for _ in range(2):
        assert (await pushing.push({"value": 0.2})).status_code == 201
    assert [p.value for p in await pushing.points()] == [0.1, 0.3, 0.2, 0.2]


async def test_a_step_before_the_runs_latest_is_kept_and_told_out_of_order(
    pushing: Pushing,
) -> None:
    assert (await pushing.push({"value": 0.3, "run": "r1", "step": 10})).status_code == 201
    earlier = await pushing.push({"value": 0.25, "run": "r1", "step": 4})
    other_run = await pushing.push({"value": 0.2, "run": "r2", "step": 1})
    assert earlier.status_code == 201 and earlier.json()["out_of_order"] is True
    assert "out of order" in earlier.json()["message"] and "10" in earlier.json()["message"]
    assert other_run.json()["out_of_order"] is False
    # By time: the earlier step is filed just before the run's step 10, which stays its latest.
    assert [(p.run_id, p.step) for p in await pushing.points() if p.source == "push"] == [
        ("r1", 4),
        ("r1", 10),
        ("r2", 1),
    ]
    pushing.clock.advance(timedelta(minutes=1))
    assert (await pushing.push({"value": 0.5, "run": "r1", "step": 7})).json()["out_of_order"]
    async with pushing.db.scope(TEAM, pushing.clock.now()) as scope:
        latest = await scope.latest_point(pushing.goal)
    assert latest is not None and (latest.run_id, latest.step) == ("r2", 1)


async def test_a_new_best_queues_one_new_best_dm(pushing: Pushing) -> None:
    best = await pushing.push({"value": 0.5, "run": "fold-1", "step": 1})
    worse = await pushing.push({"value": 0.3, "run": "fold-1", "step": 2})
    assert best.json()["new_best"] is True and worse.json()["new_best"] is False
    assert worse.json()["best"] == 0.5
    [dm] = await pushing.new_best_dms()
    point = next(p for p in await pushing.points() if p.value == 0.5)
    assert dm.target == "U1" and dm.period == f"best:{point.id}"
    assert dm.detail["run"] == "fold-1"


# --- refused ----------------------------------------------------------------------------------


async def test_a_wrong_missing_or_replaced_token_is_refused_alike_and_nothing_is_stored(
    pushing: Pushing,
) -> None:
    old = pushing.token
    new = await reconnect(pushing)
    answers = [
        await pushing.push({"value": 0.9}, token=""),  # no Authorization header
        await pushing.push({"value": 0.9}, token="", Authorization="Basic YWRhOnB3"),
        await pushing.push({"value": 0.9}, token=new_token()),  # never issued
        await pushing.push({"value": 0.9}, token=old),  # replaced by /goal connect again
    ]
    assert [a.status_code for a in answers] == [401] * 4
    assert len({a.text for a in answers}) == 1, "nothing tells which tokens exist"
    assert answers[0].headers["WWW-Authenticate"] == "Bearer"
    assert [p.value for p in await pushing.points()] == [0.1]
    assert (await pushing.push({"value": 0.9}, token=new)).status_code == 201


async def test_a_disconnected_goal_takes_no_push(pushing: Pushing) -> None:
    async with pushing.db.scope(TEAM, pushing.clock.now()) as scope:
        assert await scope.disconnect(pushing.goal)
    assert (await pushing.push({"value": 0.9})).status_code == 401
    assert [p.value for p in await pushing.points()] == [0.1]


REFUSED_BODIES = [
    (b'{"value": NaN}', "not_finite"),
    (b'{"value": Infinity}', "not_finite"),
    (b'{"value": -Infinity}', "not_finite"),
    (b'{"value": 1e999}', "not_finite"),
    (b'{"value": ' + b"9" * 400 + b"}", "not_finite"),
    (b'{"value": "abc"}', "not_a_number"),
    (b'{"value": "0.4"}', "not_a_number"),
    (b'{"value": true}', "not_a_number"),
    (b'{"value": null}', "no_value"),
    (b"{}", "no_value"),
    (b'{"run": "r1"}', "no_value"),
    (b"[0.4]", "malformed"),
    (b"0.4", "malformed"),
    (b"value=0.4", "malformed"),
    (b'{"value": 0.4', "malformed"),
    (b'{"value": 0.4, "step": -1}', "bad_step"),
    (b'{"value": 0.4, "step": 1.5}', "bad_step"),
    (b'{"value": 0.4, "step": "3"}', "bad_step"),
    (b'{"value": 0.4, "step": 4294967296}', "bad_step"),
    (b'{"value": 0.4, "run": 7}', "bad_run"),
    (b'{"value": 0.4, "run": "' + b"r" * 201 + b'"}', "bad_run"),
    (b'{"value": 0.4, "run": "a\\u0000b"}', "bad_run"),
    (b'{"value": 0.4, "note": "' + b"n" * 501 + b'"}', "bad_note"),
    (b'{"value": 0.4, "at": "yesterday"}', "bad_at"),
    (b'{"value": 0.4, "at": "2031-01-01T00:00:00Z"}', "bad_at"),
    (b'{"value": 0.4, "vlaue": 0.5}', "unknown_field"),
    (b"\xff\xfe\x00", "malformed"),
]


async def test_a_body_that_is_not_what_it_should_be_is_refused_and_nothing_is_stored(
    pushing: Pushing,
) -> None:
    for body, error in REFUSED_BODIES:
        answer = await pushing.push(body)
        assert (answer.status_code, answer.json()["error"]) == (400, error), body
        assert "Nothing was recorded" in answer.json()["message"]
    assert [p.value for p in await pushing.points()] == [0.1]


async def test_a_time_or_value_no_chart_could_draw_is_refused(pushing: Pushing) -> None:
    """Before 2000 (or before the first day a datetime holds, once its offset is taken off) and
    values past ±1e15 would break the goal's chart each time it is drawn."""
    for body, error in [
        (
            b'{"value": 0.4, "at": "0001-01-01T00:00+01:00"}',
            "bad_at",
        ),  # before datetime's first day
        (b'{"value": 0.4, "at": "0001-01-01"}', "bad_at"),  # a date no chart can draw
        (b'{"value": 0.4, "at": "1999-12-31T23:59:59Z"}', "bad_at"),
        (b'{"value": 1.7e308}', "out_of_range"),
        (b'{"value": -1000000000000001}', "out_of_range"),
    ]:
        answer = await pushing.push(body)
        assert (answer.status_code, answer.json()["error"]) == (400, error), body
    assert "-1e15 and 1e15" in answer.json()["message"]
    assert (await pushing.push({"value": -1e15, "at": "2000-01-01T00:00Z"})).status_code == 201
    assert [p.value for p in await pushing.points()] == [-1e15, 0.1]  # by time


async def test_the_longest_run_and_note_are_taken(pushing: Pushing) -> None:
    answer = await pushing.push({"value": 0.4, "run": "r" * 200, "note": "n" * 500})
    assert answer.status_code == 201


async def test_a_body_over_16_kb_is_413_whether_it_says_its_length_or_not(
    pushing: Pushing,
) -> None:
    big = json.dumps({"value": 0.4, "note": "n" * 20_000}).encode()
    said = await pushing.push(big)

    async def chunks() -> AsyncIterator[bytes]:  # chunked: no Content-Length up front
        for start in range(0, len(big), 4096):
            yield big[start : start + 4096]

    unsaid = await pushing.http.post(
        pushing.url,
        content=chunks(),
        headers={"Authorization": f"Bearer {pushing.token}", "Content-Type": "application/json"},
    )
    assert (said.status_code, unsaid.status_code) == (413, 413)
    assert said.json()["error"] == "too_large"
    assert [p.value for p in await pushing.points()] == [0.1]


async def test_a_body_that_is_not_json_is_415(pushing: Pushing) -> None:
    for content_type in ["text/plain", "application/x-www-form-urlencoded", ""]:
        answer = await pushing.push({"value": 0.4}, **{"Content-Type": content_type})
        assert answer.status_code == 415 and answer.json()["error"] == "not_json"
    assert [p.value for p in await pushing.points()] == [0.1]


@pytest.mark.parametrize("status", ["achieved", "abandoned"])
async def test_a_closed_goal_takes_no_value(pushing: Pushing, status: str) -> None:
    async with pushing.db.scope(TEAM, pushing.clock.now()) as scope:
        await scope.close_goal(pushing.goal, status, pushing.clock.now())
    answer = await pushing.push({"value": 0.9})
    assert answer.status_code == 409 and answer.json()["error"] == "goal_closed"
    assert status in answer.json()["message"]
    assert [p.value for p in await pushing.points()] == [0.1]


@pytest.mark.parametrize("pace", [{"burst": 3, "per_second": 1.0}], indirect=True)
async def test_a_flood_is_slowed_with_retry_after_and_taken_again_once_refilled(
    pushing: Pushing,
) -> None:
    taken = [await pushing.push({"value": 0.2}) for _ in range(3)]
    flood = await pushing.push({"value": 0.2})
    assert [a.status_code for a in taken] == [201] * 3
    assert flood.status_code == 429 and flood.headers["Retry-After"] == "1"
    assert flood.json()["error"] == "too_fast"
    assert len(await pushing.points()) == 4  # the first value and three pushes
    # A flood with a wrong token is slowed the same: nothing tells it apart.
    assert (await pushing.push({"value": 0.2}, token="rcp_nope")).status_code == 401
    pushing.clock.advance(timedelta(seconds=1))
    assert (await pushing.push({"value": 0.2})).status_code == 201


def test_the_pace_takes_bursts_of_30_then_10_a_second_and_600_an_hour() -> None:
    pace = Pace()
    assert [pace.wait("t", 0.0) for _ in range(30)] == [0] * 30
    assert pace.wait("t", 0.0) == 1
    assert [pace.wait("t", 1.0) for _ in range(10)] == [0] * 10
    assert pace.wait("t", 1.0) == 1
    assert pace.wait("other", 1.0) == 0, "each token has its own buckets"
    # Steadily at 8 a second, the hour's 600 run out after a minute or so...
    now, taken = 1.125, 40
    while pace.wait("t", now) == 0:
        taken += 1
        now += 0.125
    assert 600 <= taken <= 640 and now < 90
    # ...and it says how long until the hour's bucket holds one more (6 s at 600 an hour).
    assert 1 <= pace.wait("t", now) <= 6


def test_the_pace_forgets_the_tokens_heard_from_longest_ago() -> None:
    pace = Pace(burst=1, tracked=2)
    assert pace.wait("a", 0.0) == 0 and pace.wait("a", 0.0) == 1
    pace.wait("b", 0.0)
    pace.wait("c", 0.0)  # "a" goes: a fresh bucket, as for a token never heard from
    assert pace.wait("a", 0.0) == 0


# --- what the server keeps to itself --------------------------------------------------------


async def test_the_log_names_the_goal_and_outcome_never_the_token(
    pushing: Pushing, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await pushing.push({"value": 0.5, "run": "r1", "step": 1})
    await pushing.push({"value": "x"})
    wrong = new_token()
    await pushing.push({"value": 0.5}, token=wrong)
    logged = caplog.text  # every logger's, the database's and HTTP clients' too
    assert pushing.token not in logged and wrong not in logged
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("bot."))
    assert token_hash(pushing.token) not in ours and token_hint(pushing.token) not in ours
    assert f"push to goal {pushing.goal.id}: recorded, a new best" in logged
    assert f"push to goal {pushing.goal.id} refused: not_a_number" in logged
    assert "push refused: unauthorized" in logged


async def test_nested_json_is_refused_without_a_traceback(
    pushing: Pushing, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    answer = await pushing.push(b"[" * 16_000 + b"]" * 16_000)
    assert answer.status_code in (400, 413)
    answer = await pushing.push(b'{"value": ' + b"[" * 8_000 + b"]" * 8_000 + b"}")
    assert answer.status_code == 400
    assert [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR] == []


# --- research-coach metric push ---------------------------------------------------------------


async def metric_push(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """``research-coach metric push ARGS``, in a thread (the server answers on this loop)."""
    runner = CliRunner()
    result = await asyncio.to_thread(runner.invoke, app, ["metric", "push", *args], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def base_of(pushing: Pushing) -> str:
    return pushing.url.removesuffix(PATH)


async def test_metric_push_records_and_prints_one_line(pushing: Pushing) -> None:
    env = {"COACH_PUSH_TOKEN": pushing.token}
    args = ["--value", "0.42", "--run", "fold-3", "--step", "7", "--note", "lr 3e-4"]
    code, out, err = await metric_push(*args, "--url", base_of(pushing), env=env)
    assert (code, err) == (0, "")
    assert out.count("\n") == 1 and "Recorded 0.42 for goal 1" in out
    again = await metric_push(*args, "--url", base_of(pushing), env=env)
    assert again[0] == 0 and "Already recorded" in again[1]
    *_, point = await pushing.points()
    assert (point.value, point.run_id, point.step, point.note) == (0.42, "fold-3", 7, "lr 3e-4")
    assert len(await pushing.points()) == 2


async def test_metric_push_defaults_to_coach_public_url(pushing: Pushing) -> None:
    env = {"COACH_PUSH_TOKEN": pushing.token, "COACH_PUBLIC_URL": base_of(pushing)}
    code, out, _ = await metric_push("--value", "42%", env=env)
    assert code == 0 and "Recorded 0.42" in out


async def test_metric_push_with_a_refused_token_exits_1_with_the_coachs_words(
    pushing: Pushing,
) -> None:
    code, out, err = await metric_push(
        "--value", "0.5", "--token", new_token(), "--url", base_of(pushing)
    )
    assert code == 1 and out == ""
    assert "This token is not valid" in err and "Traceback" not in err
    assert [p.value for p in await pushing.points()] == [0.1]


async def test_metric_push_refuses_what_is_no_number_before_sending(pushing: Pushing) -> None:
    for value in ["nan", "inf", "-Infinity", "abc", "1,5"]:
        code, _, err = await metric_push(
            "--value", value, "--token", pushing.token, "--url", base_of(pushing)
        )
        assert code == 1 and "is not a finite number" in err, value
    assert [p.value for p in await pushing.points()] == [0.1]


async def test_metric_push_without_a_token_says_where_to_get_one() -> None:
    code, _, err = await metric_push("--value", "0.5", "--url", "http://127.0.0.1:9", env={})
    assert code == 1 and "COACH_PUSH_TOKEN" in err


async def test_metric_push_to_a_coach_not_there_exits_2_saying_what_to_check() -> None:
    port = free_port()
    code, out, err = await metric_push(
        "--value", "0.5", "--token", new_token(), "--url", f"http://ada:pw@127.0.0.1:{port}"
    )
    assert code == 2 and out == ""
    assert f"Could not reach the coach at http://127.0.0.1:{port}" in err
    assert "COACH_PUBLIC_URL" in err and "Traceback" not in err and "pw" not in err


# --- every server the run has serves it ------------------------------------------------------


async def test_the_slack_adapter_in_http_mode_serves_the_runs_push_route(
    db: Database, clock: ManualClock
) -> None:
    token, _ = await connect_script(db, clock.now())
    port = free_port()  # the adapter starts its server on COACH_HTTP_PORT
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        slack_bot_token="xoxb-team-one",
        slack_signing_secret=SLACK_SECRET,
        slack_api_url=f"http://127.0.0.1:{free_port()}/api/",  # never called: no Slack request
        http_host="127.0.0.1",
        http_port=port,
    )
    options = RunOptions(routes=tuple(PushRoutes(db, clock).routes()))
    serving = asyncio.create_task(SlackAdapter().serve(Coach(db, clock), settings, options))
    try:
        async with httpx.AsyncClient(timeout=10) as http, asyncio.timeout(30):
            while True:  # until the adapter's server listens (a guard, not a measurement)
                try:
                    answer = await http.post(
                        f"http://127.0.0.1:{port}{PATH}",
                        json={"value": 0.7},
                        headers={"Authorization": f"Bearer {token}"},
                    )
                    break
                except httpx.ConnectError:
                    if serving.done():
                        serving.result()  # raises why it stopped
                    await asyncio.sleep(0.05)
            unsigned = await http.post(f"http://127.0.0.1:{port}/slack/events", json={})
    finally:
        serving.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await serving
    assert answer.status_code == 201 and answer.json()["best"] == 0.7
    assert unsigned.status_code == 401  # Slack's own route still checks its signature


@pytest.fixture
def analysis_as_it_was() -> Iterator[None]:
    """A run chooses the analyser for the whole process: give the other tests theirs back."""
    state = analysis._state
    kept = (state.enabled, state.model_file, state.analyzer, state.error)
    yield
    state.enabled, state.model_file, state.analyzer, state.error = kept


@pytest.mark.usefixtures("analysis_as_it_was")
async def test_a_run_with_a_platform_serves_pushes_on_its_own_server(tmp_path: Path) -> None:
    probe = Probe()  # a platform with no HTTP server of its own
    adapters: dict[str, Adapter] = {"probe": probe}
    runtime = Runtime(settings_for(tmp_path), ["probe"], adapters=adapters)
    run = asyncio.create_task(runtime.run())
    try:
        await until(probe.serving, run)
        assert runtime.db is not None and probe.options is not None
        assert [route.path for route in probe.options.routes] == [PATH]
        token, _ = await connect_script(runtime.db, datetime.now(UTC))
        async with httpx.AsyncClient(timeout=10) as http:
            answer = await http.post(
                f"http://127.0.0.1:{runtime.ops_port}{PATH}",
                json={"value": 0.6},
                headers={"Authorization": f"Bearer {token}"},
            )
    finally:
        run.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await run
    assert answer.status_code == 201


@pytest.mark.usefixtures("analysis_as_it_was")
async def test_a_console_run_opens_no_port_and_serves_no_push(tmp_path: Path) -> None:
    runtime = Runtime(settings_for(tmp_path), ["console"], adapters=discover())
    await runtime.start()
    try:
        assert runtime.options is not None and runtime.options.routes == ()
        assert runtime.ops is None
    finally:
        await runtime.stop()


# --- the whole way: /goal connect N script, then a push -----------------------------------


async def test_the_token_goal_connect_shows_records_a_value_through_the_command(
    ada: ConsoleSession, db: Database, clock: ManualClock
) -> None:
    await say(ada, "/goal set", "Fold laundry from pixels", "success", "1", "", "")
    shown = await say(ada, "/goal connect 1 script")
    token = re.search(r"rcp_[\w-]{40,}", shown)
    assert token is not None, shown
    server = OpsServer(routes=PushRoutes(db, clock).routes())
    port = await server.start("127.0.0.1", 0)
    try:
        env = {"COACH_PUSH_TOKEN": token[0]}
        base = f"http://127.0.0.1:{port}"
        code, out, _ = await metric_push("--value", "0.6", "--run", "r1", "--url", base, env=env)
        reconnected = await say(ada, "/goal connect 1 script")  # a new token; the old one stops
        refused = await metric_push("--value", "0.7", "--url", base, env=env)
    finally:
        await server.stop()
    assert code == 0 and "Recorded 0.6 for goal 1" in out
    assert "rcp_" in reconnected and token[0] not in reconnected
    assert refused[0] == 1
    assert "0.6" in await say(ada, "/goal show 1")
