"""Slack's side of the metrics: a real /checkin through Bolt moves the command counter and the
ack histogram (as scraped from the same server's /metrics), and a 429 from Slack is counted
even though slack_sdk waits it out."""

from __future__ import annotations

import httpx

from tests.adapters.slack.conftest import SlackHarness
from tests.adapters.slack.test_checkin import set_goal
from tests.fakes.slack import slash_command_body
from tests.test_metrics import samples, value

CHECKIN = frozenset({("platform", "slack"), ("command", "checkin")})
SLACK = frozenset({("platform", "slack")})


async def scrape(slack: SlackHarness) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    answer = await slack.http.get(slack.events_url.replace("/slack/events", "/metrics"))
    assert answer.status_code == 200
    return samples(answer.text)


async def test_a_checkin_moves_the_command_counter_and_the_ack_histogram(
    slack: SlackHarness,
) -> None:
    await set_goal(slack)
    before = await scrape(slack)

    answer = await slack.command("/checkin")
    assert answer.status_code == 200
    await slack.opened_view(2)

    after = await scrape(slack)
    commands = ("coach_commands_total", CHECKIN)
    acks = ("coach_ack_seconds_count", SLACK)
    assert after[commands] - before.get(commands, 0.0) == 1
    assert after[acks] - before[acks] == 1  # one POST /slack/events, one ack
    assert after[("coach_ack_seconds_sum", SLACK)] > before[("coach_ack_seconds_sum", SLACK)]
    # Bounded labels: no user, team or channel id is ever a label value.
    assert not any(v in str(labels) for _, labels in after for v in ("U1", "T1", "C1"))


async def test_a_refused_request_is_no_ack(slack: SlackHarness) -> None:
    before = value("coach_ack_seconds_count", platform="slack")
    body = slash_command_body(
        "/log",
        "forged",
        team_id="T1",
        user_id="U1",
        channel_id="C1",
        response_url=slack.fake.response_url("forged"),
    )
    answer = await slack.post(body, "application/x-www-form-urlencoded", signed=False)
    assert answer.status_code == 401
    assert value("coach_ack_seconds_count", platform="slack") == before


async def test_a_429_from_slack_is_counted_and_waited_out(slack: SlackHarness) -> None:
    await set_goal(slack)
    before = value("coach_rate_limited_total", platform="slack")
    slack.fake.fail_next("views.open", retry_after=0)

    await slack.command("/checkin")
    calls = await slack.fake.wait_for("views.open", 3)  # the goal's, the refused, the retry

    assert value("coach_rate_limited_total", platform="slack") == before + 1
    assert calls[1].args["trigger_id"] == calls[2].args["trigger_id"]


async def test_health_readiness_and_metrics_share_the_events_port(slack: SlackHarness) -> None:
    base = slack.events_url.removesuffix("/slack/events")
    async with httpx.AsyncClient(base_url=base) as http:
        answers = [await http.get(path) for path in ("/healthz", "/readyz", "/metrics")]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert "# TYPE coach_rate_limited_total counter" in answers[2].text
