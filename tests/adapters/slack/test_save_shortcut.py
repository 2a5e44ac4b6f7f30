""" "Save to notebook" in Slack: the message shortcut opens the coach's form as a modal with the
message's words; sent with a note, it is a notebook entry linking back to the message, and the
member alone is told. A message with no words gets a private answer and saves nothing."""

from __future__ import annotations

from typing import Any

from bot.coach import Coach
from bot.store.models import NotebookEntry
from tests.adapters.slack.conftest import SlackHarness, text_of
from tests.coach.helpers import rows

TS = "1733500000.000100"
LINK = "https://lab.slack.com/archives/C1/p1733500000000100"
# Slack sends a message's text in its markup: &, < and > escaped.
SENT = "lr 3e-4 diverges &amp; 1e-4 &lt;with warmup&gt; is stable"
WORDS = "lr 3e-4 diverges & 1e-4 <with warmup> is stable"


def shortcut(slack: SlackHarness, message: dict[str, Any]) -> dict[str, Any]:
    """A ``message_action`` payload, shaped as Slack documents it (interaction payloads,
    shortcuts): Ada (U1) chose "Save to notebook" on ``message`` in #general (C1)."""
    return {
        "type": "message_action",
        "callback_id": "save_to_notebook",
        "trigger_id": slack.trigger(),
        "response_url": slack.fake.response_url("T1-U1-save"),
        "team": {"id": "T1", "domain": "lab"},
        "channel": {"id": "C1", "name": "general"},
        "user": {"id": "U1", "username": "ada", "team_id": "T1", "name": "ada"},
        "message": {"type": "message", "ts": TS, **message},
        "message_ts": TS,
        "action_ts": "1733500100.000200",
        "token": "verification-token",
        "api_app_id": "A1",
        "is_enterprise_install": False,
        "enterprise": None,
    }


async def test_a_message_is_saved_with_a_note_and_a_link(slack: SlackHarness, coach: Coach) -> None:
    acked = await slack.interact(shortcut(slack, {"user": "U2", "text": SENT}))
    assert acked.status_code == 200

    view = await slack.opened_view()
    (opened,) = slack.fake.calls("views.open")
    assert opened.args["trigger_id"] == slack.triggers[0]  # the shortcut's own trigger
    assert view["title"]["text"] == "Save to notebook"
    text_block, note_block = view["blocks"]
    assert (text_block["block_id"], note_block["block_id"]) == ("text", "note")
    assert text_block["element"]["initial_value"] == WORDS
    assert await rows(coach, NotebookEntry) == []

    sent = await slack.submit(view, {"text": WORDS, "note": "try warmup on the 7B"})

    assert sent.status_code == 200 and sent.text == ""
    (entry,) = await rows(coach, NotebookEntry)
    assert entry.text == (
        f"{WORDS}\n\nMy note: try warmup on the 7B\nSaved from a message by User U2: {LINK}"
    )
    (told,) = await slack.fake.wait_for("chat.postEphemeral")
    assert told.args["user"] == "U1"
    assert "Saved to your notebook" in text_of(told.args) and LINK in text_of(told.args)
    assert not slack.fake.calls("chat.postMessage")  # nothing reaches the channel


async def test_a_message_with_no_words_is_answered_privately(
    slack: SlackHarness, coach: Coach
) -> None:
    image_only = {"user": "U2", "files": [{"id": "F1", "name": "loss.png"}], "text": ""}
    for message in (image_only, {"bot_id": "B1", "blocks": []}):  # no text field at all
        acked = await slack.interact(shortcut(slack, message))
        assert acked.status_code == 200

    told = await slack.responses(2)
    for said in told:
        assert said.get("response_type") == "ephemeral"
        assert "no words I can read" in text_of(said)
    assert not slack.fake.calls("views.open")
    assert not slack.fake.calls("chat.postMessage")
    assert await rows(coach, NotebookEntry) == []
