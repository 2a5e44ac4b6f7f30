"""With an LLM configured, its note follows the check-in's answer, privately, escaped —
after the modal was acknowledged."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.coach import Coach
from bot.llm.client import ChatClient
from bot.llm.followup import FollowUps
from bot.ports import ManualClock
from bot.prompts import load_prompts
from bot.store import Database
from tests.adapters.slack.conftest import SlackHarness, text_of
from tests.adapters.slack.test_checkin import set_goal
from tests.fakes.llm import Answer, FakeLLM


@pytest.fixture
async def coach(db: Database, clock: ManualClock) -> AsyncIterator[Coach]:
    """The coach with an LLM behind it (overrides the plain one for this module)."""
    async with FakeLLM() as llm:
        note = "Nice: try the beam at 4 first. <!channel> @here"
        llm.script(Answer.json({"message": note}, delay=0.2))
        client = ChatClient(llm.base_url, "fake-model", "sk-test", 2.0)
        follow_ups = FollowUps(client, load_prompts())
        yield Coach(db, clock, follow_ups=follow_ups)
        await follow_ups.aclose()


async def test_llm_note_follows_the_template_privately(slack: SlackHarness) -> None:
    await set_goal(slack)
    await slack.command("/checkin")
    submitted = await slack.submit(await slack.opened_view(2), {"did": "Tuned the decoder"})
    assert submitted.status_code == 200 and submitted.text == ""  # acked before the LLM
    replies = [c.args for c in await slack.fake.wait_for("chat.postEphemeral", 3)]
    template, note = text_of(replies[1]), text_of(replies[2])
    assert "Check-in saved for goal 1" in template
    assert "try the beam at 4 first" in note
    assert "<!channel>" not in note and "@here" not in note
    assert slack.fake.calls("chat.postMessage") == []  # nothing public
