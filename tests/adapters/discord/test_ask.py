"""/ask in Discord: answered ephemerally (only the member sees it), from what a teammate
published in this server only; nothing is posted in a channel."""

from __future__ import annotations

from bot.coach import Coach
from bot.events import TenantRef
from tests.adapters.discord.conftest import LAB, OTHER
from tests.adapters.discord.transcript import Researcher
from tests.coach.test_ask import BPE, COSINE, published


async def test_ask_answers_ephemerally_from_this_server_only(ada: Researcher, coach: Coach) -> None:
    await published(coach, TenantRef("discord", str(LAB)), "4343", "Bruno", COSINE)
    await published(coach, TenantRef("discord", str(OTHER)), "4444", "Cleo", BPE)

    found = await ada.slash("ask", question="has anyone tried a cosine schedule with warmup?")
    other = await ada.slash("ask", question=BPE)

    assert found.ephemeral and other.ephemeral
    assert "Bruno, check-in of the week of 2 November 2026" in found.text
    assert "Nothing close" in other.text and "Cleo" not in other.text
    assert not ada.fake.find("POST", r"/channels/\d+/messages")
