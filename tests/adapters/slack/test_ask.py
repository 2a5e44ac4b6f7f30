"""/ask in Slack: the answer goes to the member alone (ephemeral, through the response URL),
never to the channel, and finds what a teammate published in this workspace only."""

from __future__ import annotations

from bot.coach import Coach
from bot.events import TenantRef
from tests.adapters.slack.conftest import SlackHarness, text_of
from tests.coach.test_ask import BPE, COSINE, published


async def test_ask_answers_privately_from_this_workspace_only(
    slack: SlackHarness, coach: Coach
) -> None:
    await published(coach, TenantRef("slack", "T1"), "U2", "Bruno", COSINE)
    await published(coach, TenantRef("slack", "T2"), "U9", "Cleo", BPE)

    await slack.command("/ask", "has anyone tried a cosine schedule with warmup?")
    await slack.command("/ask", BPE)

    found, other = await slack.responses(2)
    assert found.get("response_type", "ephemeral") == "ephemeral"
    assert "Bruno, check-in of the week of 2 November 2026" in text_of(found)
    assert "Nothing close" in text_of(other) and "Cleo" not in text_of(other)
    assert not slack.fake.calls("chat.postMessage")  # nothing in a channel
