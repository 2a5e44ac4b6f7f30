"""What every tracker reader shares: the kinds of failure, what counts as a value, and
credentials kept out of sight."""

from __future__ import annotations

import asyncio
import math

import httpx
import pytest

from bot.trackers import DEFAULT_TIMEOUT, KINDS, TrackerConfig, TrackerError, read_metric
from bot.trackers.wire import Link, finite


def test_a_value_is_a_finite_number() -> None:
    assert [finite(v) for v in (0.5, 3, "0.25", "-1e3")] == [0.5, 3.0, 0.25, -1000.0]
    for no_value in (
        math.nan,
        math.inf,
        -math.inf,
        "NaN",
        "Infinity",
        "-Infinity",
        True,
        None,
        "high",
        {"_type": "histogram"},
        [1.0],
    ):
        assert finite(no_value) is None, no_value


def test_an_error_kind_is_one_the_members_are_told_of() -> None:
    assert TrackerError("slow", "x").kind == "slow"
    assert {
        "unreachable",
        "slow",
        "credentials",
        "unknown_experiment",
        "unknown_metric",
        "bad_answer",
    } <= KINDS
    with pytest.raises(ValueError):
        TrackerError("timeout", "x")


async def test_a_kind_of_tracker_that_does_not_exist_is_refused() -> None:
    async with httpx.AsyncClient() as http:
        with pytest.raises(ValueError, match="neptune"):
            await read_metric(TrackerConfig("neptune", "http://x", "e", "m"), None, http)


async def test_credentials_never_show_in_a_link_or_its_errors() -> None:
    async with httpx.AsyncClient() as http:
        link = Link.open(
            http,
            "https://ada:s3cret-pass@mlflow.lab:5000/root/?x=1#top",
            secret=None,
            timeout=DEFAULT_TIMEOUT,
            service="MLflow",
            credential=lambda secret: (httpx.BasicAuth(*secret.split(":", 1)), {}),
        )
        error = link.fail("credentials", "the server said: bad password s3cret-pass")

    assert link.base == "https://mlflow.lab:5000/root"
    assert link.secret == "ada:s3cret-pass"  # the userinfo, as the credential
    for text in (repr(link), str(error), repr(error.args)):
        assert "s3cret-pass" not in text


async def test_an_address_that_is_not_http_is_unreachable() -> None:
    async with httpx.AsyncClient() as http:
        for url in ("ftp://ada:s3cret-pass@host/", "mlflow.lab:5000", ""):
            with pytest.raises(TrackerError) as caught:
                await read_metric(TrackerConfig("mlflow", url, "e", "m"), "token-1234", http)
            assert caught.value.kind == "unreachable"
            assert "s3cret-pass" not in str(caught.value)


async def test_a_tracker_trickling_its_answer_is_slow_once_the_whole_read_takes_too_long(
    trickling_url: str,
) -> None:
    config = TrackerConfig("mlflow", trickling_url, "fold-cv", "fold_success")
    async with httpx.AsyncClient() as http, asyncio.timeout(30):  # a hang fails, never waits
        with pytest.raises(TrackerError) as caught:
            await read_metric(config, None, http, deadline=0.5)
    assert caught.value.kind == "slow"
