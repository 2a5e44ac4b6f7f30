"""MLflow read through a real tracking server, runs logged with MLflow's own client."""

from __future__ import annotations

import base64
import json
import logging
from datetime import UTC, datetime

import httpx
import pytest

from bot.trackers import Reading, TrackerConfig, TrackerError, read_metric
from bot.trackers.mlflow import read_mlflow
from tests.fakes.mlflow_server import LoggedRuns, MlflowServer
from tests.trackers.conftest import IMPATIENT, Fixed, Guard, failure

SECRET = "dapi-0123456789abcdef-secret"


def config(url: str, experiment: str, metric: str = "fold_success", **more: str) -> TrackerConfig:
    return TrackerConfig("mlflow", url, experiment, metric, **more)


async def test_each_run_gives_its_latest_value_with_its_step(
    mlflow_server: MlflowServer, mlflow_runs: LoggedRuns, http: httpx.AsyncClient
) -> None:
    experiment = mlflow_runs.experiment("fold-cv")
    first = mlflow_runs.log(experiment, "fold-1", "fold_success", [0.41, 0.47, 0.45])
    second = mlflow_runs.log(experiment, "fold-2", "fold_success", [0.30, 0.52])
    before = datetime.now(UTC).replace(microsecond=0)

    readings = await read_metric(config(mlflow_server.url, experiment), None, http, addresses="any")

    assert [(r.run_id, r.run_name, r.value, r.step) for r in readings] == [
        (second, "fold-2", 0.52, 1),  # newest run first
        (first, "fold-1", 0.45, 2),  # the latest value, not the best: the rule comes later
    ]
    for reading in readings:  # when the value was logged: what "latest" and charts need
        assert reading.at is not None and reading.at.tzinfo is not None
        assert abs((reading.at - before).total_seconds()) < 3600


async def test_the_experiment_may_be_given_by_id(
    mlflow_server: MlflowServer, mlflow_runs: LoggedRuns, http: httpx.AsyncClient
) -> None:
    experiment = mlflow_runs.experiment("by-id")
    run = mlflow_runs.log(experiment, "only", "loss", [2.0, 1.5])
    by_id = config(mlflow_server.url, mlflow_runs.experiment_id(experiment), "loss")

    [reading] = await read_metric(by_id, None, http, addresses="any")

    assert reading == Reading(1.5, run, 1, reading.at, "only")


async def test_the_run_filter_keeps_only_the_runs_it_names(
    mlflow_server: MlflowServer, mlflow_runs: LoggedRuns, http: httpx.AsyncClient
) -> None:
    experiment = mlflow_runs.experiment("filtered")
    fold = mlflow_runs.log(experiment, "fold", "acc", [0.7], tags={"task": "fold"})
    mlflow_runs.log(experiment, "other", "acc", [0.9], tags={"task": "other"})
    mlflow_runs.log(experiment, "no-acc", "loss", [0.1], tags={"task": "fold"})

    readings = await read_metric(
        config(mlflow_server.url, experiment, "acc", run_filter="tags.task = 'fold'"),
        None,
        http,
        addresses="any",
    )

    assert [(r.run_id, r.value) for r in readings] == [(fold, 0.7)]


async def test_runs_without_the_metric_are_skipped(
    mlflow_server: MlflowServer, mlflow_runs: LoggedRuns, http: httpx.AsyncClient
) -> None:
    experiment = mlflow_runs.experiment("mixed")
    with_acc = mlflow_runs.log(experiment, "with", "acc", [0.6])
    mlflow_runs.log(experiment, "without", "loss", [0.2])

    readings = await read_metric(
        config(mlflow_server.url, experiment, "acc"), None, http, addresses="any"
    )

    assert [r.run_id for r in readings] == [with_acc]


async def test_nan_and_infinite_values_are_no_reading(
    mlflow_server: MlflowServer, mlflow_runs: LoggedRuns, http: httpx.AsyncClient
) -> None:
    experiment = mlflow_runs.experiment("diverged")
    fine = mlflow_runs.log(experiment, "fine", "acc", [0.5, 0.55])
    mlflow_runs.log(experiment, "nan", "acc", [0.5, float("nan")])
    mlflow_runs.log(experiment, "inf", "acc", [0.5, float("inf")])
    mlflow_runs.log(experiment, "-inf", "acc", [float("-inf")])

    readings = await read_metric(
        config(mlflow_server.url, experiment, "acc"), None, http, addresses="any"
    )

    assert [(r.run_id, r.value) for r in readings] == [(fine, 0.55)]


async def test_runs_are_read_page_by_page_up_to_the_cap(
    mlflow_server: MlflowServer, mlflow_runs: LoggedRuns, http: httpx.AsyncClient
) -> None:
    experiment = mlflow_runs.experiment("many")
    runs = [mlflow_runs.log(experiment, f"r{i}", "acc", [i / 10]) for i in range(5)]
    mlflow_runs.log(experiment, "newest, without acc", "loss", [0.1])  # not counted in the cap
    target = config(mlflow_server.url, experiment, "acc")

    every = await read_mlflow(target, None, http, page_size=2)
    newest = await read_mlflow(target, None, http, page_size=2, max_runs=3)

    assert [r.run_id for r in every] == runs[::-1]
    assert [r.run_id for r in newest] == runs[:1:-1]


async def test_an_unknown_experiment_is_told(
    mlflow_server: MlflowServer, http: httpx.AsyncClient
) -> None:
    by_name = await failure(config(mlflow_server.url, "no-such-experiment"), http)
    by_id = await failure(config(mlflow_server.url, "987654321"), http)

    assert by_name.kind == by_id.kind == "unknown_experiment"


async def test_an_unknown_metric_is_told(
    mlflow_server: MlflowServer, mlflow_runs: LoggedRuns, http: httpx.AsyncClient
) -> None:
    experiment = mlflow_runs.experiment("no-metric")
    mlflow_runs.log(experiment, "run", "loss", [0.3])

    assert (await failure(config(mlflow_server.url, experiment, "acc"), http)).kind == (
        "unknown_metric"
    )
    assert (await failure(config(mlflow_server.url, experiment, "a`b"), http)).kind == (
        "unknown_metric"
    )


async def test_a_filter_mlflow_refuses_is_told(
    mlflow_server: MlflowServer, mlflow_runs: LoggedRuns, http: httpx.AsyncClient
) -> None:
    experiment = mlflow_runs.experiment("bad-filter")
    mlflow_runs.log(experiment, "run", "acc", [0.3])

    refused = config(mlflow_server.url, experiment, "acc", run_filter="task ~~ x")

    error = await failure(refused, http)

    assert error.kind == "bad_filter"


async def test_a_server_that_is_down_is_unreachable(
    closed_url: str, http: httpx.AsyncClient
) -> None:
    assert (await failure(config(closed_url, "any"), http)).kind == "unreachable"


async def test_a_server_that_never_answers_is_slow(
    silent_url: str, http: httpx.AsyncClient
) -> None:
    with pytest.raises(TrackerError) as caught:
        await read_metric(
            config(silent_url, "any"), None, http, addresses="any", timeouts=IMPATIENT
        )

    assert caught.value.kind == "slow"


async def test_answers_that_are_not_mlflow_are_told(fixed: Fixed, http: httpx.AsyncClient) -> None:
    fixed.status, fixed.body = 200, "<html>a login page</html>"
    assert (await failure(config(fixed.url, "any"), http)).kind == "bad_answer"
    fixed.status = 503
    assert (await failure(config(fixed.url, "any"), http)).kind == "unreachable"
    fixed.status, fixed.body, fixed.content_type = 200, '{"experiment": {}}', "application/json"
    assert (await failure(config(fixed.url, "any"), http)).kind == "bad_answer"


async def test_a_token_is_sent_as_bearer_and_user_password_as_basic(
    guard: Guard, mlflow_runs: LoggedRuns, http: httpx.AsyncClient
) -> None:
    experiment = mlflow_runs.experiment("guarded")
    run = mlflow_runs.log(experiment, "run", "acc", [0.8])
    basic = "Basic " + base64.b64encode(b"ada:pa:ss").decode()
    guard.allowed = {f"Bearer {SECRET}", basic}

    by_token = await read_metric(
        config(guard.url, experiment, "acc"), SECRET, http, addresses="any"
    )
    by_password = await read_metric(
        config(guard.url, experiment, "acc"), "ada:pa:ss", http, addresses="any"
    )
    in_the_url = guard.url.replace("http://", "http://ada:pa%3Ass@")
    by_userinfo = await read_metric(
        config(in_the_url, experiment, "acc"), None, http, addresses="any"
    )

    assert [r.run_id for r in by_token + by_password + by_userinfo] == [run, run, run]
    assert set(guard.seen) == {f"Bearer {SECRET}", basic}


async def test_refused_credentials_are_told_without_the_secret(
    guard: Guard, http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    guard.allowed = {"Bearer another-token"}

    by_token = await failure(config(guard.url, "any"), http, SECRET)
    by_password = await failure(config(guard.url, "any"), http, "ada:hunter2-long")
    in_the_url = guard.url.replace("http://", "http://ada:hunter2-long@")
    by_userinfo = await failure(config(in_the_url, "any"), http)

    for error in (by_token, by_password, by_userinfo):
        assert error.kind == "credentials"
        assert guard.url in str(error)  # where, so the member knows which server
        for secret in (SECRET, "hunter2-long", "ada:"):
            assert secret not in str(error) and secret not in repr(error.args)
    for secret in (SECRET, "hunter2-long", "ada:"):
        assert secret not in caplog.text


async def test_with_no_secret_no_credential_is_sent(guard: Guard) -> None:
    # Not even the shared client's own: it may be set up for another service.
    async with httpx.AsyncClient(auth=("coach", "other-service-password")) as http:
        error = await failure(config(guard.url, "any"), http)

    assert error.kind == "credentials" and guard.seen == [None]


async def test_odd_numbers_and_run_ids_in_an_answer_never_break_the_read(
    fixed: Fixed, http: httpx.AsyncClient
) -> None:
    """Fields past int64 or float, digits that are not ASCII, a run id too long for its column
    and holding NUL: the reading keeps what can be stored, or is left out."""
    run_id = "r\x00un" + "x" * 300
    fixed.status, fixed.content_type = 200, "application/json"
    for step, timestamp in [("²", 10**400), ("9" * 5000, "1" * 30), (2**64, -(2**70))]:
        metric = {"key": "fold_success", "value": 0.5, "step": step, "timestamp": timestamp}
        run = {"info": {"run_id": run_id}, "data": {"metrics": [metric]}}
        fixed.body = json.dumps({"experiment": {"experiment_id": "1"}, "runs": [run]})
        [reading] = await read_metric(config(fixed.url, "any"), None, http, addresses="any")
        assert (reading.value, reading.step, reading.at) == (0.5, None, None), step
        assert reading.run_id == "run" + "x" * 197
    big = {"key": "fold_success", "value": 10**400, "step": 1}
    fixed.body = json.dumps(
        {
            "experiment": {"experiment_id": "1"},
            "runs": [{"info": {"run_id": "r"}, "data": {"metrics": [big]}}],
        }
    )
    assert (
        await read_metric(config(fixed.url, "any"), None, http, addresses="any") == []
    )  # no finite value
