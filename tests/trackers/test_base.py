"""What every tracker reader shares: the kinds of failure, what counts as a value, and
credentials kept out of sight."""

from __future__ import annotations

import asyncio
import logging
import math
from ipaddress import ip_address

import httpx
import pytest

from bot.trackers import DEFAULT_TIMEOUT, KINDS, TrackerConfig, TrackerError, read_metric
from bot.trackers.wire import Link, address_allowed, finite
from tests.trackers.conftest import IMPATIENT, QUICK


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
                await read_metric(
                    TrackerConfig("mlflow", url, "e", "m"), "token-1234", http, addresses="any"
                )
            assert caught.value.kind == "unreachable"
            assert "s3cret-pass" not in str(caught.value)


async def test_a_tracker_at_an_address_the_policy_refuses_is_never_asked(
    silent_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Link-local (a cloud's metadata service) is refused by default, loopback under "private"
    (the default) and "public", a public address under none; nothing is sent to a refused one."""
    async with httpx.AsyncClient() as http:
        for url, policy in [
            ("http://169.254.169.254/", "private"),
            ("http://[fe80::1]:5000", "private"),
            (silent_url, "private"),
            ("http://localhost:1/", "public"),
            ("http://10.1.2.3/", "public"),
        ]:
            config = TrackerConfig("mlflow", url, "fold-cv", "fold_success")
            with (
                caplog.at_level(logging.WARNING, "bot.trackers"),
                pytest.raises(TrackerError) as caught,
            ):
                await read_metric(config, None, http, addresses=policy, timeouts=QUICK)
            assert caught.value.kind == "unreachable" and "not allowed" in str(caught.value), url
        assert "address not allowed" in caplog.text
        config = TrackerConfig("mlflow", silent_url, "fold-cv", "fold_success")
        with pytest.raises(TrackerError) as caught:  # asked: it never answers
            await read_metric(config, None, http, addresses="any", timeouts=IMPATIENT)
        assert caught.value.kind == "slow"


def test_which_addresses_each_policy_allows() -> None:
    public, private = ip_address("93.184.216.34"), ip_address("192.168.1.20")
    inward = [ip_address(a) for a in ("127.0.0.1", "169.254.169.254", "::1", "::ffff:127.0.0.1")]
    assert address_allowed(public, "public") and not address_allowed(private, "public")
    assert address_allowed(private, "private")
    assert not any(address_allowed(a, p) for a in inward for p in ("public", "private"))
    assert all(address_allowed(a, "any") for a in [public, private, *inward])


async def test_a_tracker_trickling_its_answer_is_slow_once_the_whole_read_takes_too_long(
    trickling_url: str,
) -> None:
    config = TrackerConfig("mlflow", trickling_url, "fold-cv", "fold_success")
    async with httpx.AsyncClient() as http, asyncio.timeout(30):  # a hang fails, never waits
        with pytest.raises(TrackerError) as caught:
            await read_metric(config, None, http, addresses="any", deadline=0.5)
    assert caught.value.kind == "slow"
