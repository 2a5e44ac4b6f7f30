"""/predict in Slack: the form opens as a modal the strict fake accepts, a bad range is told
under its field with the modal kept open, and the saved prediction and its yes/no buttons
are answered privately (ephemeral), never in the channel."""

from __future__ import annotations

from tests.adapters.slack.conftest import SlackHarness, buttons_of, text_of
from tests.adapters.slack.test_forms import set_goal


async def test_predict_opens_a_form_and_answers_privately(slack: SlackHarness) -> None:
    await set_goal(slack, 1)
    await slack.command("/predict")
    view = await slack.opened_view(2)
    assert [b["block_id"] for b in view["blocks"]] == [
        "experiment",
        "kind",
        "prediction",
        "interval",
        "sure",
    ]
    typed = {
        "experiment": "twenty more towels",
        "kind": "number",
        "prediction": "0.45",
        "interval": "0.50-0.40",
        "sure": "80%",
    }

    refused = await slack.submit(view, typed)

    assert refused.json()["response_action"] == "errors"
    assert "upside down" in refused.json()["errors"]["interval"]
    answer = await slack.submit(view, {**typed, "interval": "0.40-0.50"})
    assert answer.status_code == 200 and answer.text == ""
    reply = (await slack.fake.wait_for("chat.postEphemeral", 2))[-1].args
    assert "Prediction 1, private to you" in text_of(reply)
    assert not slack.fake.calls("chat.postMessage")  # nothing in a channel


async def test_a_yes_no_line_is_answered_privately_with_its_buttons(slack: SlackHarness) -> None:
    await slack.command("/predict", "yes 70% the new sampler beats the baseline")

    (said,) = await slack.responses()
    assert said.get("response_type", "ephemeral") == "ephemeral"
    assert "yes, 70% sure: the new sampler beats the baseline" in text_of(said)
    assert set(buttons_of(said)) == {"It happened", "It did not"}
    await slack.press(buttons_of(said)["It happened"])
    (said, resolved) = await slack.responses(2)
    assert "Prediction 1: it happened, as you expected" in text_of(resolved)
    assert not slack.fake.calls("chat.postMessage")
