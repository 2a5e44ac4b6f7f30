"""Discord's side of the metrics: a slash command moves the command counter and the ack
histogram (timed to the interaction's first response), a 429 discord.py waits out is counted,
and readiness follows the gateway connection."""

from __future__ import annotations

from bot.adapter import RunOptions
from bot.coach import Coach
from bot.events import TenantRef, content
from bot.health import readiness
from tests.adapters.discord.conftest import LAB, LAB_CHANNEL
from tests.adapters.discord.test_commands import set_goal
from tests.adapters.discord.transcript import Bot, Researcher
from tests.fakes.discord import FakeDiscord
from tests.test_metrics import value


async def test_a_checkin_moves_the_command_counter_and_the_ack_histogram(
    ada: Researcher,
) -> None:
    await set_goal(ada)
    commands = value("coach_commands_total", platform="discord", command="checkin")
    acks = value("coach_ack_seconds_count", platform="discord")
    waited = value("coach_ack_seconds_sum", platform="discord")

    opened = await ada.slash("checkin")
    assert opened.modal["title"] == "Weekly check-in"  # the modal was the first response

    assert value("coach_commands_total", platform="discord", command="checkin") == commands + 1
    assert value("coach_ack_seconds_count", platform="discord") == acks + 1
    assert value("coach_ack_seconds_sum", platform="discord") > waited

    saved = await ada.submit(opened.modal, did="Tuned the decoder", metric_value="0.3")
    assert saved.deferred  # a submit is deferred first: that deferral is its ack
    assert value("coach_ack_seconds_count", platform="discord") == acks + 2


async def test_a_429_is_counted_and_waited_out(bot: Bot, fake: FakeDiscord) -> None:
    before = value("coach_rate_limited_total", platform="discord")
    fake.rate_limit_once("POST", rf"/channels/{LAB_CHANNEL}/messages", retry_after=0.01)

    await bot.current.messenger.post(
        TenantRef("discord", str(LAB)), str(LAB_CHANNEL), content("Digest")
    )

    tries = fake.find("POST", rf"/channels/{LAB_CHANNEL}/messages")
    assert [c.status for c in tries] == [429, 200]
    assert value("coach_rate_limited_total", platform="discord") == before + 1


async def test_readiness_says_whether_the_gateway_is_connected(
    bot: Bot, fake: FakeDiscord, coach: Coach
) -> None:
    app = bot.current
    options = RunOptions()
    options.platforms.attach("discord", app.messenger)
    options.platforms.watch("discord", app.connected)
    await app.client.wait_until_ready()
    ready, details = await readiness(coach, options)
    assert ready and details["adapters"] == {"discord": "connected"}

    await bot.stop()  # the gateway connection is gone (as when Discord drops it for good)
    ready, details = await readiness(coach, options)
    assert not ready and details["adapters"] == {"discord": "disconnected"}
    assert details["database"] == "ok"  # the database is fine: only the gateway is down
