"""Goals connected to a tracker are read inside the scheduler's run: against a real MLflow
server (and a fake of W&B's API), each run's value is recorded once across polls and restarts,
the member hears of the first read, of a new best (once a batch, by DM, unless muted) and of a
failure (once a kind in a row, never with the credential), and failing trackers are read less
often."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date, timedelta

import httpx
import pytest
from aiohttp import web
from cryptography.fernet import Fernet
from sqlalchemy import select

from bot import metrics
from bot.events import Action
from bot.schedule.polling import JITTER, Poller, PollReport, next_read
from bot.schedule.runner import Scheduler
from bot.store import Database
from bot.store.installations import Tokens
from bot.store.models import GoalSource, MetricPoint
from bot.store.views import GoalView
from bot.trackers import TrackerConfig, read_metric
from tests.fakes.mlflow_server import LoggedRuns, MlflowServer, _mlflow_warnings
from tests.fakes.wandb import FakeWandb, serving
from tests.schedule.helpers import TEAM, Rig, Sent, utc
from tests.trackers.conftest import trickling

TUESDAY = utc(2026, 11, 3, 12, 0)  # no weekly prompt falls due in these tests' hours
EVERY = timedelta(minutes=15)
LATER = EVERY * (1 + JITTER) + timedelta(minutes=1)  # past any source's next read
SECRET = "ada:hunter2-do-not-show"


STARTED: list[Polling] = []


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


@pytest.fixture(autouse=True)
async def stopped(db: Database) -> AsyncIterator[None]:
    """Each test's schedulers stop at its end, before its database goes (on PostgreSQL, a
    leader holds a connection)."""
    yield
    while STARTED:
        await STARTED.pop().scheduler.stop()


class Polling(Rig):
    """A rig whose scheduler also reads the trackers goals are connected to."""

    def __init__(self, db: Database, http: httpx.AsyncClient, secrets: Tokens | None = None):
        self.http = http
        self.secrets = secrets or Tokens([])
        super().__init__(db, TUESDAY)
        STARTED.append(self)

    async def start_again(self) -> None:
        """The process stops (its scheduler gives up leading) and a new one starts on the same
        database: nothing kept in memory survives."""
        await self.scheduler.stop()
        self.restart()

    def restart(self) -> None:
        super().restart()
        self.poller = Poller(self.db, self.secrets, self.http, EVERY, self.clock, addresses="any")
        messengers = dict.fromkeys(self.platforms, self.messenger)
        self.scheduler = Scheduler(
            self.db, self.clock, messengers, self.prompts, poller=self.poller
        )

    async def run_once(self, after: timedelta = timedelta(0)) -> PollReport:
        """Move the clock, run the scheduler once (tick, poll, drain); what the poll did."""
        self.clock.advance(after)
        assert await self.scheduler.run_once() is not None
        assert self.scheduler.polled is not None
        return self.scheduler.polled

    async def goal(
        self, user: str = "U1", metric: str = "fold success", direction: str = "up"
    ) -> GoalView:
        async with self.db.scope(TEAM, self.now) as scope:
            member = await scope.ensure_member(user, user, "UTC", self.now)
            return await scope.add_goal(
                member,
                capability="a robot arm that folds towels",
                metric_name=metric,
                direction=direction,
                created_at=self.now,
            )

    async def connect(
        self, goal: GoalView, kind: str, settings: dict[str, str], secret: str | None = None
    ) -> int:
        async with self.db.scope(TEAM, self.now) as scope:
            source = await scope.connect(
                goal, kind, settings, self.now, secret=secret, next_poll_at=self.now
            )
            return source.id

    async def source(self, source_id: int) -> GoalSource:
        async with self.db.session() as session:
            row = await session.get(GoalSource, source_id)
            assert row is not None
            return row

    async def points(self, goal: GoalView) -> list[tuple[float, str | None, int | None]]:
        async with self.db.session() as session:
            query = (
                select(MetricPoint.value, MetricPoint.run_id, MetricPoint.step)
                .where(MetricPoint.goal_id == goal.id)
                .order_by(MetricPoint.id)
            )
            return [tuple(row) for row in await session.execute(query)]  # type: ignore[misc]

    def news(self, user: str = "U1") -> list[Sent]:
        return [s for s in self.messenger.dms(user) if "weekly check-in" not in s.text]


def mlflow(server: MlflowServer, experiment: str, rule: str = "max") -> dict[str, str]:
    return {"url": server.url, "experiment": experiment, "metric": "fold_success", "rule": rule}


def unreachable_reads() -> float:
    labels = {"tracker": "mlflow", "outcome": "unreachable"}
    return metrics.REGISTRY.get_sample_value("coach_tracker_polls_total", labels) or 0.0


def closed_url() -> str:
    """An address where nothing listens: connections are refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


async def test_values_are_recorded_once_and_a_new_best_is_told_once_by_dm(
    db: Database, http: httpx.AsyncClient, mlflow_server: MlflowServer, mlflow_runs: LoggedRuns
) -> None:
    rig = Polling(db, http)
    experiment = mlflow_runs.experiment("fold-cv")
    first = mlflow_runs.log(experiment, "fold-1", "fold_success", [0.30, 0.41])
    goal = await rig.goal()
    source_id = await rig.connect(goal, "mlflow", mlflow(mlflow_server, experiment), SECRET)

    polled = await rig.run_once()
    assert (polled.polled, polled.recorded, polled.new_bests) == (1, 1, 0)
    assert await rig.points(goal) == [(0.41, first, 1)]  # the run's latest value, with its step
    (connected,) = rig.news()
    assert connected.text.startswith("Connected goal 1: fold success 0.41 from run fold-1")
    assert "fold success" in connected.member_words and "fold-1" in connected.member_words

    assert (await rig.run_once(timedelta(minutes=5))).polled == 0  # not due again yet

    # Two better runs in one poll: one message, for the best of them.
    mlflow_runs.log(experiment, "fold-2", "fold_success", [0.45])
    mlflow_runs.log(experiment, "fold-3", "fold_success", [0.39, 0.52])
    polled = await rig.run_once(LATER)
    assert (polled.polled, polled.recorded, polled.new_bests) == (1, 2, 1)
    (_, best) = rig.news()
    assert best.kind == "dm" and best.target == "U1"
    assert best.text == "fold success 0.41 → 0.52, a new best, from run fold-3; check in?"
    [button] = best.buttons
    assert (button.action, button.value) == (Action.OPEN_CHECKIN, "1")

    polled = await rig.run_once(LATER)  # nothing new on the server
    assert (polled.polled, polled.recorded) == (1, 0)

    await rig.start_again()  # a new process on the same database
    mlflow_runs.log(experiment, "fold-4", "fold_success", [0.50])  # no better than 0.52
    polled = await rig.run_once(LATER)
    assert (polled.polled, polled.recorded, polled.new_bests) == (1, 1, 0)
    values = [value for value, _, _ in await rig.points(goal)]
    assert sorted(values) == [0.41, 0.45, 0.5, 0.52]  # each run once, across polls and restarts
    assert len(rig.news()) == 2
    assert all(SECRET not in sent.text for sent in rig.messenger.sent)
    source = await rig.source(source_id)
    assert (source.failures, source.last_error) == (0, None)
    assert source.last_ok_at == rig.now


async def test_a_muted_member_is_not_told_of_a_new_best(
    db: Database, http: httpx.AsyncClient, mlflow_server: MlflowServer, mlflow_runs: LoggedRuns
) -> None:
    rig = Polling(db, http)
    experiment = mlflow_runs.experiment("muted")
    mlflow_runs.log(experiment, "fold-1", "fold_success", [0.41])
    goal = await rig.goal()
    await rig.connect(goal, "mlflow", mlflow(mlflow_server, experiment))
    await rig.run_once()
    assert len(rig.news()) == 1  # connected: the member just asked for it

    async with db.scope(TEAM, rig.now) as scope:
        member = await scope.member("U1")
        assert member is not None
        await scope.update_member(member, replace(member, mute_until=date(2026, 11, 3)))  # today
    mlflow_runs.log(experiment, "fold-2", "fold_success", [0.60])
    polled = await rig.run_once(LATER)
    assert (polled.recorded, polled.new_bests) == (1, 1)  # recorded, and a new best…
    assert len(rig.news()) == 1  # …that the muted member is not told of


async def test_an_unreachable_tracker_is_told_once_and_read_less_often(
    db: Database, http: httpx.AsyncClient
) -> None:
    before = unreachable_reads()
    rig = Polling(db, http)
    goal = await rig.goal()
    settings = {"url": closed_url(), "experiment": "fold-cv", "metric": "fold_success"}
    source_id = await rig.connect(goal, "mlflow", settings, SECRET)

    waits = []
    for _ in range(6):
        polled = await rig.run_once()
        assert polled.errors == {"unreachable": 1}
        source = await rig.source(source_id)
        assert source.next_poll_at is not None
        waits.append(source.next_poll_at - rig.now)
        rig.clock.advance(source.next_poll_at - rig.now)  # due again
    assert (source.failures, source.last_error) == (6, "unreachable")
    assert waits[0] == waits[1] == waits[2]  # three failures in a row: the interval
    assert waits[3] > waits[2] and waits[4] > waits[3] and waits[5] > waits[4]  # then backoff
    assert waits[0] >= EVERY
    assert unreachable_reads() - before == 6  # counted for Prometheus too

    (told,) = rig.news()  # once for the kind, not once a poll
    assert told.text.startswith("I cannot reach the tracker of goal 1 (MLflow)")
    assert "/goal connect 1" in told.text
    assert SECRET not in told.text and "hunter2" not in told.text


async def test_each_kind_of_failure_is_told_once_while_it_lasts(
    db: Database, http: httpx.AsyncClient
) -> None:
    status = [503]

    async def tracker(request: web.Request) -> web.Response:
        return web.json_response({"error_code": "X", "message": "no"}, status=status[0])

    async with serving(tracker) as url:
        rig = Polling(db, http)
        goal = await rig.goal()
        await rig.connect(goal, "mlflow", {"url": url, "experiment": "e", "metric": "m"})
        kinds = []
        for answer in (503, 503, 401, 401, 401):
            status[0] = answer
            kinds += list((await rig.run_once(timedelta(days=1))).errors)  # past any backoff
    assert kinds == ["unreachable", "unreachable", "credentials", "credentials", "credentials"]
    told = [sent.text for sent in rig.news()]
    assert len(told) == 2  # the server down, then the credentials refused: once each
    assert told[0].startswith("I cannot reach the tracker of goal 1")
    assert told[1].startswith("The tracker of goal 1 (MLflow) refused the credentials")


async def test_a_credential_no_key_opens_is_told_as_a_credentials_problem(
    db: Database, http: httpx.AsyncClient
) -> None:
    sealed = Tokens([Fernet.generate_key().decode()]).seal(SECRET)
    rig = Polling(db, http, secrets=Tokens([Fernet.generate_key().decode()]))  # another key
    goal = await rig.goal()
    settings = {"url": closed_url(), "experiment": "fold-cv", "metric": "fold_success"}
    await rig.connect(goal, "mlflow", settings, sealed)
    polled = await rig.run_once()
    assert polled.errors == {"credentials": 1}
    (told,) = rig.news()
    assert "refused the credentials" in told.text and "/goal connect 1" in told.text


async def test_rule_latest_records_only_the_newest_run_and_max_every_one(
    db: Database, http: httpx.AsyncClient, mlflow_server: MlflowServer, mlflow_runs: LoggedRuns
) -> None:
    rig = Polling(db, http)
    experiment = mlflow_runs.experiment("rules")
    mlflow_runs.log(experiment, "strong-old", "fold_success", [0.60])
    mlflow_runs.log(experiment, "weak-new", "fold_success", [0.40])
    latest, highest = await rig.goal("U1"), await rig.goal("U2")
    await rig.connect(latest, "mlflow", mlflow(mlflow_server, experiment, "latest"))
    await rig.connect(highest, "mlflow", mlflow(mlflow_server, experiment, "max"))
    await rig.run_once()
    assert [v for v, _, _ in await rig.points(latest)] == [0.40]
    assert sorted(v for v, _, _ in await rig.points(highest)) == [0.40, 0.60]
    assert "0.4 from run weak-new (runs read: 2)" in rig.news("U1")[0].text
    assert "0.6 from run strong-old (runs read: 2)" in rig.news("U2")[0].text


async def test_weights_and_biases_runs_are_read_through_its_api(
    db: Database, http: httpx.AsyncClient
) -> None:
    async with FakeWandb() as wandb:
        wandb.add_run("lab", "cv", "a1", {"acc": 0.41, "_step": 90}, display_name="fold-1")
        rig = Polling(db, http)
        goal = await rig.goal(metric="accuracy")
        settings = {"url": wandb.url, "entity": "lab", "project": "cv", "metric": "acc"}
        await rig.connect(goal, "wandb", settings, wandb.key)
        await rig.run_once()
        wandb.add_run("lab", "cv", "b2", {"acc": 0.47, "_step": 120}, display_name="fold-2")
        await rig.run_once(LATER)
    assert sorted(await rig.points(goal)) == [(0.41, "a1", 90), (0.47, "b2", 120)]
    connected, best = rig.news()
    assert connected.text.startswith("Connected goal 1: accuracy 0.41 from run fold-1")
    assert best.text == "accuracy 0.41 → 0.47, a new best, from run fold-2; check in?"


async def test_a_source_disconnected_while_it_is_read_is_dropped_quietly(
    db: Database, mlflow_server: MlflowServer, mlflow_runs: LoggedRuns
) -> None:
    experiment = mlflow_runs.experiment("gone")
    mlflow_runs.log(experiment, "fold-1", "fold_success", [0.41])
    rig: Polling

    async def disconnect(request: httpx.Request) -> None:
        async with db.scope(TEAM, rig.now) as scope:
            await scope.disconnect(goal)

    async with httpx.AsyncClient(event_hooks={"request": [disconnect]}) as client:
        rig = Polling(db, client)
        goal = await rig.goal()
        await rig.connect(goal, "mlflow", mlflow(mlflow_server, experiment))
        polled = await rig.run_once()
    assert (polled.polled, polled.dropped, polled.recorded) == (1, 1, 0)
    assert await rig.points(goal) == [] and rig.news() == []


async def test_a_closed_goals_source_is_read_no_more(db: Database, http: httpx.AsyncClient) -> None:
    rig = Polling(db, http)
    goal = await rig.goal()
    source_id = await rig.connect(goal, "mlflow", {"url": closed_url(), "metric": "m"})
    async with db.scope(TEAM, rig.now) as scope:
        await scope.close_goal(goal, "achieved", rig.now)
    polled = await rig.run_once()
    assert (polled.due, polled.polled, polled.dropped) == (1, 0, 1)
    assert (await rig.source(source_id)).next_poll_at is None
    assert (await rig.run_once(timedelta(days=1))).due == 0 and rig.news() == []


async def test_sources_connected_together_are_read_at_spread_times(
    db: Database, http: httpx.AsyncClient
) -> None:
    now = utc(2026, 11, 3, 12, 0)
    minutes = {next_read(source_id, 0, EVERY, now) for source_id in range(1, 1001)}
    assert min(minutes) >= now + EVERY and max(minutes) < now + EVERY * (1 + JITTER)
    assert len({m.replace(second=0, microsecond=0) for m in minutes}) >= 7  # not one minute

    rig = Polling(db, http)
    rig.poller.per_run = 5  # a run reads this many at most; the rest wait for the next
    url = closed_url()
    for user in ("U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8"):
        goal = await rig.goal(user)
        await rig.connect(goal, "mlflow", {"url": url, "experiment": "e", "metric": "m"})
    assert (await rig.run_once()).polled == 5
    assert (await rig.run_once(timedelta(minutes=1))).polled == 3
    async with db.session() as session:
        due = [row for (row,) in await session.execute(select(GoalSource.next_poll_at))]
    assert len(set(due)) == 8  # each its own instant


async def test_a_tracker_trickling_its_answer_is_cancelled_at_the_end_of_the_budget(
    db: Database, http: httpx.AsyncClient
) -> None:
    rig = Polling(db, http)
    goal = await rig.goal()
    async with trickling() as url:
        settings = {"url": url, "experiment": "fold-cv", "metric": "fold_success"}
        source_id = await rig.connect(goal, "mlflow", settings)
        poller = Poller(db, rig.secrets, http, EVERY, rig.clock, budget=0.5, addresses="any")
        async with asyncio.timeout(30):  # a hang fails the test, it never waits for it
            report = await poller.poll_due(rig.now)
    assert report.errors == {"slow": 1}
    source = await rig.source(source_id)
    assert (source.last_error, source.failures) == ("slow", 1)
    assert source.next_poll_at is not None and source.next_poll_at > rig.now


async def test_values_logged_without_a_step_are_each_recorded_once(
    db: Database, http: httpx.AsyncClient, mlflow_server: MlflowServer, mlflow_runs: LoggedRuns
) -> None:
    """``log_metric(key, value)`` logs at step 0 every time: the value's time tells them apart."""
    rig = Polling(db, http)
    experiment = mlflow_runs.experiment("stepless")
    run = mlflow_runs.log(experiment, "live", "fold_success", [], finished=False)
    logged_at = 1_790_000_000_000  # epoch milliseconds

    def log(value: float, later: int) -> None:
        with _mlflow_warnings():
            mlflow_runs.client.log_metric(run, "fold_success", value, timestamp=logged_at + later)

    goal = await rig.goal()
    await rig.connect(goal, "mlflow", mlflow(mlflow_server, experiment))
    log(0.30, 0)
    assert (await rig.run_once()).recorded == 1
    log(0.45, 60_000)  # the same run, later, better
    polled = await rig.run_once(LATER)
    assert (polled.recorded, polled.new_bests) == (1, 1)
    assert await rig.points(goal) == [(0.30, run, 0), (0.45, run, 0)]
    assert (await rig.run_once(LATER)).recorded == 0  # nothing new logged


async def test_a_read_failing_in_an_unforeseen_way_is_told_and_shown_as_a_bad_answer(
    db: Database, http: httpx.AsyncClient
) -> None:
    """A stored credential no key can even parse fails outside the tracker's reader: the
    source is still marked (``/goal show`` says it) and the member told, once."""
    rig = Polling(db, http, secrets=Tokens([Fernet.generate_key().decode()]))
    goal = await rig.goal()
    settings = {"url": closed_url(), "experiment": "fold-cv", "metric": "fold_success"}
    source_id = await rig.connect(goal, "mlflow", settings, "fernet:sealed-é")
    await rig.run_once()
    source = await rig.source(source_id)
    assert (source.last_error, source.failures) == ("bad_answer", 1)
    assert source.next_poll_at is not None and source.next_poll_at > rig.now
    (told,) = rig.news()
    assert "goal 1" in told.text
    await rig.run_once(timedelta(days=1))
    assert len(rig.news()) == 1  # once while it lasts


async def test_by_default_a_tracker_on_this_machine_is_not_read(
    db: Database, http: httpx.AsyncClient, mlflow_server: MlflowServer, mlflow_runs: LoggedRuns
) -> None:
    """COACH_TRACKER_ADDRESSES is "private" unless set: loopback is refused, and said."""
    rig = Polling(db, http)
    experiment = mlflow_runs.experiment("here")
    mlflow_runs.log(experiment, "fold-1", "fold_success", [0.41])
    goal = await rig.goal()
    source_id = await rig.connect(goal, "mlflow", mlflow(mlflow_server, experiment))
    poller = Poller(db, rig.secrets, http, EVERY, rig.clock)  # as the runtime's, by default
    assert (await poller.poll_due(rig.now)).errors == {"unreachable": 1}
    assert (await rig.source(source_id)).last_error == "unreachable"
    assert await rig.points(goal) == []


async def test_a_reading_recorded_before_its_time_was_in_its_key_is_not_recorded_again(
    db: Database, http: httpx.AsyncClient, mlflow_server: MlflowServer, mlflow_runs: LoggedRuns
) -> None:
    """Readings recorded under "<run>\x1f<step>" (before the time of logging joined the key)
    are known again: upgrading records no run's latest value twice."""
    rig = Polling(db, http)
    experiment = mlflow_runs.experiment("upgraded")
    run = mlflow_runs.log(experiment, "fold-1", "fold_success", [0.41])
    goal = await rig.goal()
    await rig.connect(goal, "mlflow", mlflow(mlflow_server, experiment))
    [reading] = await read_metric(
        TrackerConfig("mlflow", mlflow_server.url, experiment, "fold_success"),
        None,
        http,
        addresses="any",
    )
    async with db.scope(TEAM, rig.now) as scope:  # as an earlier version recorded it
        assert reading.at is not None
        await scope.record_reading(goal, 0.41, reading.at, source="mlflow", run_id=run, step=0)
    assert (await rig.run_once()).recorded == 0
    assert await rig.points(goal) == [(0.41, run, 0)]
