"""The pre-mortem in Slack: the goal just set is answered privately (ephemeral) with a
"Pre-mortem" button, which opens its one-field modal on the button's trigger; the answer is
acknowledged privately and nothing reaches the channel."""

from __future__ import annotations

from tests.adapters.slack.conftest import SlackHarness, buttons_of, text_of
from tests.adapters.slack.test_forms import set_goal


async def test_the_premortem_button_opens_its_form(slack: SlackHarness) -> None:
    said = await set_goal(slack, 1)
    assert "Pre-mortem" in buttons_of(said)

    await slack.press(buttons_of(said)["Pre-mortem"])

    view = await slack.opened_view(2)
    assert view["title"]["text"] == "Pre-mortem: goal 1"
    assert [b["block_id"] for b in view["blocks"]] == ["premortem"]
    answer = await slack.submit(view, {"premortem": "the clinic never shares its audio"})
    assert answer.status_code == 200 and answer.text == ""
    kept = (await slack.fake.wait_for("chat.postEphemeral", 2))[-1].args
    assert "Kept privately with goal 1" in text_of(kept)
    assert not slack.fake.calls("chat.postMessage")
