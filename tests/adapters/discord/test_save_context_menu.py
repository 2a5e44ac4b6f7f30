""" "Save to notebook" in Discord: the message command (a message's Apps menu) opens the coach's
form as a modal with the message's words; sent with a note, it is a notebook entry linking back
to the message, told to the member alone. A message whose words Discord withholds (no message
content intent) gets a private answer, and nothing is saved."""

from __future__ import annotations

from typing import Any

from bot.coach import Coach
from bot.store.models import NotebookEntry
from tests.adapters.discord.conftest import LAB, LAB_CHANNEL
from tests.adapters.discord.test_forms import values_of
from tests.adapters.discord.transcript import Answer, Researcher
from tests.coach.helpers import rows
from tests.fakes.discord import Person

GRACE = Person(4343, "Grace")
WORDS = "lr 3e-4 diverges after 2k steps; 1e-4 with warmup is stable"


def message(ada: Researcher, content: str) -> dict[str, Any]:
    """A message of Grace's in the lab's channel, as Discord resolves it for a message
    command (receiving-and-responding.mdx, resolved data: message objects)."""
    return ada.fake.message(GRACE, LAB_CHANNEL, content)


async def save(ada: Researcher, target: dict[str, Any]) -> Answer:
    """Ada chooses Apps → Save to notebook on ``target``: a type 3 (message) command."""
    data = {
        "id": "2",
        "name": "Save to notebook",
        "type": 3,
        "target_id": target["id"],
        "resolved": {"messages": {target["id"]: target}},
    }
    payload = ada.fake.interaction(2, ada.person, LAB, LAB_CHANNEL, data)
    return await ada.bot.deliver("INTERACTION_CREATE", payload, LAB, str(payload["id"]))


async def test_a_message_is_saved_with_a_note_and_a_link(ada: Researcher, coach: Coach) -> None:
    target = message(ada, WORDS)

    opened = await save(ada, target)

    assert opened.first.json["type"] == 9  # a modal, as the first response
    assert opened.modal["title"] == "Save to notebook"
    assert values_of(opened.modal) == {"text": WORDS, "note": None}
    assert await rows(coach, NotebookEntry) == []
    sent = await ada.submit(opened.modal, note="try warmup on the 7B")

    assert sent.ephemeral
    link = f"https://discord.com/channels/{LAB}/{LAB_CHANNEL}/{target['id']}"
    assert "Saved to your notebook" in sent.text and link in sent.text
    (entry,) = await rows(coach, NotebookEntry)
    assert entry.text == (
        f"{WORDS}\n\nMy note: try warmup on the 7B\nSaved from a message by Grace: {link}"
    )
    assert not ada.fake.find("POST", r"/channels/\d+/messages")  # nothing in a channel


async def test_a_message_whose_words_are_withheld_is_answered_privately(
    ada: Researcher, coach: Coach
) -> None:
    # Without the message content intent, Discord resolves the message with empty content.
    withheld = message(ada, "")

    said = await save(ada, withheld)

    assert said.first.json["type"] == 4  # a message, not a modal
    assert said.ephemeral
    assert "no words I can read" in said.text
    assert await rows(coach, NotebookEntry) == []
    assert not ada.fake.find("POST", r"/channels/\d+/messages")
