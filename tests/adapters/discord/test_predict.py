"""/predict in Discord: the form opens as a modal the strict fake accepts (with several goals,
the goal is chosen first in a select menu), and the saved prediction, its list and the
calibration are ephemeral: nothing of a prediction is posted in a channel."""

from __future__ import annotations

from tests.adapters.discord.test_forms import values_of
from tests.adapters.discord.transcript import Researcher


async def set_goal(ada: Researcher, capability: str, metric: str) -> None:
    opened = await ada.slash("goal set", capability=capability)
    await ada.submit(opened.modal, metric_name=metric)


async def test_predict_opens_a_form_and_answers_privately(ada: Researcher) -> None:
    await set_goal(ada, "Fold laundry from pixels", "fold success rate")

    opened = await ada.slash("predict new")

    assert opened.first.json["type"] == 9  # a modal
    assert list(values_of(opened.modal)) == ["experiment", "kind", "prediction", "interval", "sure"]
    saved = await ada.submit(
        opened.modal,
        experiment="twenty more towels",
        prediction="0.45",
        interval="0.40-0.50",
        sure="80%",
    )
    assert saved.ephemeral
    assert "Prediction 1, private to you: fold success rate at 0.45" in saved.text
    listed = await ada.slash("predict list")
    assert listed.ephemeral and "twenty more towels (open)" in listed.text
    record = await ada.slash("coach calibration")
    assert record.ephemeral and "No resolved predictions yet" in record.text
    assert not ada.fake.find("POST", r"/channels/\d+/messages")


async def test_a_yes_no_line_is_resolved_by_its_button(ada: Researcher) -> None:
    said = await ada.slash("predict new", text="yes 70% the new sampler beats the baseline")
    assert said.ephemeral
    assert {"It happened", "It did not"} <= set(said.labels())

    resolved = await ada.press("It did not", on=said)

    assert resolved.ephemeral
    assert "Prediction 1: it did not happen; you expected yes, 70% sure." in resolved.text
    again = await ada.slash("predict resolve", number=1, happened="yes")
    assert "already resolved" in again.text


async def test_with_several_goals_the_goal_is_chosen_before_the_modal(ada: Researcher) -> None:
    await set_goal(ada, "Fold laundry from pixels", "fold success rate")
    await set_goal(ada, "Transcribe clinic audio", "word error rate")

    which = await ada.slash("predict new")
    assert which.ephemeral
    opened = await ada.choose("Goal", "2", on=which)

    assert list(values_of(opened.modal)) == ["experiment", "kind", "prediction", "interval", "sure"]
    saved = await ada.submit(opened.modal, prediction="0.20", interval="0.18-0.22", sure="0.8")
    assert "Prediction 1, private to you: word error rate at 0.20" in saved.text
