"""With an LLM configured, its note follows the check-in's answer, privately, escaped."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.coach import Coach
from bot.llm.client import ChatClient
from bot.llm.followup import FollowUps
from bot.ports import ManualClock
from bot.prompts import load_prompts
from bot.store import Database
from tests.adapters.discord.test_commands import set_goal
from tests.adapters.discord.transcript import Researcher
from tests.fakes.llm import Answer, FakeLLM


@pytest.fixture
async def coach(db: Database, clock: ManualClock) -> AsyncIterator[Coach]:
    """The coach with an LLM behind it (overrides the plain one for this module)."""
    async with FakeLLM() as llm:
        llm.script(Answer.json({"message": "Nice: try the beam at 4 first. @everyone <@1>"}))
        client = ChatClient(llm.base_url, "fake-model", "sk-test", 2.0)
        follow_ups = FollowUps(client, load_prompts())
        yield Coach(db, clock, follow_ups=follow_ups)
        await follow_ups.aclose()


async def test_llm_note_follows_privately_and_cannot_ping(ada: Researcher) -> None:
    await set_goal(ada)
    opened = await ada.slash("checkin")
    answer = await ada.submit(opened.modal, did="Tuned the decoder beam", metric_value="0.3")
    assert "Check-in saved for goal 1" in answer.text
    assert "try the beam at 4 first" in answer.text
    assert answer.ephemeral and answer.posts == []
    assert "@everyone" not in answer.text
