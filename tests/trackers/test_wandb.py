"""Weights & Biases read through a fake of its GraphQL API (tests/fakes/wandb.py)."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bot.trackers import Reading, TrackerConfig, TrackerError, read_metric
from bot.trackers.wandb import read_wandb
from tests.fakes.wandb import START, FakeWandb
from tests.trackers.conftest import IMPATIENT
from tests.trackers.conftest import failure as failing

KEY = "0123456789abcdef0123456789abcdef01234567"
LOGGED = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)


@pytest.fixture
async def wandb() -> AsyncIterator[FakeWandb]:
    async with FakeWandb(key=KEY) as fake:
        yield fake


def config(url: str, project: str = "lab/cv", metric: str = "acc", **more: str) -> TrackerConfig:
    return TrackerConfig("wandb", url, project, metric, **more)


async def failure(
    config: TrackerConfig, http: httpx.AsyncClient, secret: str | None = KEY
) -> TrackerError:
    return await failing(config, http, secret)


async def test_each_run_gives_its_last_value_with_step_and_time(
    wandb: FakeWandb, http: httpx.AsyncClient
) -> None:
    wandb.add_run("lab", "cv", "a1b2c3", {"acc": 0.45, "_step": 900}, display_name="fold-1")
    wandb.add_run(
        "lab", "cv", "d4e5f6", {"acc": 0.52, "_step": 40, "_timestamp": LOGGED.timestamp()}
    )

    readings = await read_metric(config(wandb.url), KEY, http, addresses="any")

    assert readings == [
        Reading(0.52, "d4e5f6", 40, LOGGED, "d4e5f6"),  # newest run first; when it was logged
        Reading(0.45, "a1b2c3", 900, START, "fold-1"),  # no _timestamp: when the run began
    ]
    [query] = wandb.queries
    assert query.variables["entity"] == "lab" and query.variables["project"] == "cv"
    assert query.variables["order"] == "-created_at"


async def test_the_run_filter_is_sent_and_applied(
    wandb: FakeWandb, http: httpx.AsyncClient
) -> None:
    wandb.add_run("lab", "cv", "fold", {"acc": 0.7}, config={"task": "fold"})
    wandb.add_run("lab", "cv", "other", {"acc": 0.9}, config={"task": "other"})
    wandb.add_run("lab", "cv", "crashed", {"acc": 0.8}, config={"task": "fold"}, state="crashed")
    filters = {"$and": [{"config.task": "fold"}, {"state": "finished"}]}

    readings = await read_metric(
        config(wandb.url, run_filter=json.dumps(filters)), KEY, http, addresses="any"
    )

    assert [r.run_id for r in readings] == ["fold"]
    assert wandb.queries[0].filters == filters


async def test_runs_without_the_metric_or_with_no_number_are_skipped(
    wandb: FakeWandb, http: httpx.AsyncClient
) -> None:
    wandb.add_run("lab", "cv", "fine", {"acc": 0.6, "_step": 3})
    wandb.add_run("lab", "cv", "no-acc", {"loss": 0.2})
    wandb.add_run("lab", "cv", "nan", {"acc": float("nan")})
    wandb.add_run("lab", "cv", "inf", {"acc": float("inf")})
    wandb.add_run("lab", "cv", "nan-text", {"acc": "NaN"})
    wandb.add_run("lab", "cv", "words", {"acc": "high"})
    wandb.add_run("lab", "cv", "yes", {"acc": True})
    wandb.add_run("lab", "cv", "histogram", {"acc": {"_type": "histogram", "bins": [1, 2]}})

    readings = await read_metric(config(wandb.url), KEY, http, addresses="any")

    assert [(r.run_id, r.value, r.step) for r in readings] == [("fine", 0.6, 3)]


async def test_a_metric_whose_every_value_diverged_is_no_reading_yet(
    wandb: FakeWandb, http: httpx.AsyncClient
) -> None:
    wandb.add_run("lab", "cv", "nan", {"acc": float("nan")})

    assert await read_metric(config(wandb.url), KEY, http, addresses="any") == []


async def test_runs_are_read_page_by_page_up_to_the_cap(
    wandb: FakeWandb, http: httpx.AsyncClient
) -> None:
    for i in range(5):
        wandb.add_run("lab", "cv", f"r{i}", {"acc": i / 10}, created_at=START + timedelta(days=i))

    every = await read_wandb(config(wandb.url), KEY, http, page_size=2)
    pages = list(wandb.queries)
    wandb.queries.clear()
    newest = await read_wandb(config(wandb.url), KEY, http, page_size=2, max_runs=3)

    assert [r.run_id for r in every] == ["r4", "r3", "r2", "r1", "r0"]
    assert [q.variables["perPage"] for q in pages] == [2, 2, 2]
    cursors = [q.variables["cursor"] for q in pages]
    assert cursors[0] is None and None not in cursors[1:] and cursors[1] != cursors[2]
    assert [r.run_id for r in newest] == ["r4", "r3", "r2"]
    assert [q.variables["perPage"] for q in wandb.queries] == [2, 1]


async def test_an_unknown_project_is_told(wandb: FakeWandb, http: httpx.AsyncClient) -> None:
    wandb.project("lab", "cv")

    assert (await failure(config(wandb.url, "lab/nope"), http)).kind == "unknown_experiment"
    assert (await failure(config(wandb.url, "just-a-project"), http)).kind == ("unknown_experiment")
    assert len(wandb.queries) == 1  # a project not written entity/project is not asked for


async def test_an_unknown_metric_is_told(wandb: FakeWandb, http: httpx.AsyncClient) -> None:
    wandb.add_run("lab", "cv", "run", {"loss": 0.3})

    assert (await failure(config(wandb.url), http)).kind == "unknown_metric"


async def test_a_filter_that_is_not_json_or_is_refused_is_told(
    wandb: FakeWandb, http: httpx.AsyncClient
) -> None:
    wandb.add_run("lab", "cv", "run", {"acc": 0.3})

    not_json = await failure(config(wandb.url, run_filter="state = finished"), http)
    refused = await failure(config(wandb.url, run_filter='{"state": {"$near": 1}}'), http)

    assert not_json.kind == refused.kind == "bad_filter"
    assert len(wandb.queries) == 1  # what is not JSON is not sent


async def test_a_wrong_key_is_told_without_the_key(
    wandb: FakeWandb, http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "fedcba9876543210fedcba9876543210fedcba98"
    wandb.add_run("lab", "cv", "run", {"acc": 0.3})

    error = await failure(config(wandb.url), http, wrong)
    in_the_url = await failure(config(wandb.url.replace("//", f"//api:{wrong}@")), http, None)

    assert error.kind == in_the_url.kind == "credentials"
    for text in (str(error), repr(error.args), str(in_the_url), caplog.text):
        assert wrong not in text
    assert wandb.url in str(error)
    assert wandb.queries[0].authorization == "Basic " + _base64(f"api:{wrong}")


async def test_the_key_is_sent_as_wandb_expects(wandb: FakeWandb, http: httpx.AsyncClient) -> None:
    wandb.add_run("lab", "cv", "run", {"acc": 0.3})

    given = await read_metric(config(wandb.url), KEY, http, addresses="any")
    in_the_url = await read_metric(
        config(wandb.url.replace("//", f"//api:{KEY}@")), None, http, addresses="any"
    )

    assert [r.run_id for r in given + in_the_url] == ["run", "run"]
    assert {q.authorization for q in wandb.queries} == {"Basic " + _base64(f"api:{KEY}")}


async def test_answers_that_are_not_wandb_are_told(
    wandb: FakeWandb, http: httpx.AsyncClient
) -> None:
    for answer in [
        (200, "<html>maintenance</html>"),
        (200, '{"data": {"project": {"runs": {"edges": "many"}}}}'),
        (200, '{"errors": [{"message": "something odd"}]}'),
        (
            200,
            '{"data": {"project": {"runs": {"edges": [{"node": {"name": "r", '
            '"summaryMetrics": "{not json"}}], "pageInfo": {"hasNextPage": false}}}}}',
        ),
    ]:
        wandb.answer = answer
        assert (await failure(config(wandb.url), http)).kind == "bad_answer", answer
    wandb.answer = (502, "bad gateway")
    assert (await failure(config(wandb.url), http)).kind == "unreachable"
    wandb.answer = (429, '{"errors": [{"message": "rate limit exceeded"}]}')
    assert (await failure(config(wandb.url), http)).kind == "slow"


async def test_a_server_that_is_down_is_unreachable(
    closed_url: str, http: httpx.AsyncClient
) -> None:
    assert (await failure(config(closed_url), http)).kind == "unreachable"


async def test_a_server_that_never_answers_is_slow(
    silent_url: str, http: httpx.AsyncClient
) -> None:
    with pytest.raises(TrackerError) as caught:
        await read_metric(config(silent_url), KEY, http, addresses="any", timeouts=IMPATIENT)

    assert caught.value.kind == "slow"


def _base64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


async def test_a_graphql_refusal_is_told_by_what_it_says(
    wandb: FakeWandb, http: httpx.AsyncClient
) -> None:
    wandb.answer = (200, '{"errors": [{"message": "permission denied"}], "data": null}')
    assert (await failure(config(wandb.url), http)).kind == "credentials"
    wandb.answer = (200, '{"errors": [{"message": "project not found"}], "data": null}')
    assert (await failure(config(wandb.url), http)).kind == "unknown_experiment"


async def test_odd_answers_are_bad_answers_or_left_out_never_a_crash(
    wandb: FakeWandb, http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    """What no reader foresaw (JSON nested past the parser, a date before the calendar's
    start) is a bad answer; a reading no store can hold (a step past int64, a time long before
    any tracker) is left out; a run id loses its control characters."""
    wandb.add_run("lab", "cv", "ok\x00" + "r" * 250, {"acc": 0.5, "_step": 3})
    wandb.add_run("lab", "cv", "huge", {"acc": 0.6, "_step": 2**64})
    wandb.add_run("lab", "cv", "ancient", {"acc": 0.7, "_timestamp": 86_400})
    wandb.add_run("lab", "cv", "overflow", {"acc": 10**400})
    wandb.add_run("lab", "cv", "vast", {"acc": 1.7e308})  # no chart's axis spans it
    [reading] = await read_metric(config(wandb.url), KEY, http, addresses="any")
    assert (reading.run_id, reading.step) == ("ok" + "r" * 198, 3)

    nested = "[" * 100_000 + "]" * 100_000
    edge = {"node": {"name": "r", "summaryMetrics": nested}}
    runs = {"edges": [edge], "pageInfo": {"hasNextPage": False}}
    for body in [nested, json.dumps({"data": {"project": {"runs": runs}}})]:
        wandb.answer = (200, body)
        assert (await failure(config(wandb.url), http)).kind == "bad_answer"

    when = "0001-01-01T00:00+01:00"  # a year before 1 in UTC
    edge = {"node": {"name": "r", "summaryMetrics": '{"acc": 0.5}', "createdAt": when}}
    runs = {"edges": [edge], "pageInfo": {"hasNextPage": False}}
    wandb.answer = (200, json.dumps({"data": {"project": {"runs": runs}}}))
    with caplog.at_level(logging.WARNING, "bot.trackers"):
        assert (await failure(config(wandb.url), http)).kind == "bad_answer"
    assert "W&B answer not understood: OverflowError" in caplog.text
    assert when not in caplog.text  # the error's type, never what the tracker said
