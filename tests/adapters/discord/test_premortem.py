"""The pre-mortem in Discord: the goal just set comes back privately with a "Pre-mortem"
button, which opens its one-field modal; the answer is acknowledged privately, never posted."""

from __future__ import annotations

from tests.adapters.discord.test_commands import set_goal
from tests.adapters.discord.test_forms import values_of
from tests.adapters.discord.transcript import Researcher


async def test_the_premortem_button_opens_its_form(ada: Researcher) -> None:
    saved = await set_goal(ada)
    assert saved.ephemeral and "Pre-mortem" in saved.labels()

    opened = await ada.press("Pre-mortem", on=saved)

    assert opened.first.json["type"] == 9  # a modal
    assert opened.modal["title"] == "Pre-mortem: goal 1"
    assert list(values_of(opened.modal)) == ["premortem"]
    kept = await ada.submit(opened.modal, premortem="the clinic never shares its audio")
    assert kept.ephemeral and "Kept privately with goal 1" in kept.text
    assert not ada.fake.find("POST", r"/channels/\d+/messages")


async def test_goal_premortem_and_coach_quarterly_are_slash_commands(ada: Researcher) -> None:
    await set_goal(ada)

    opened = await ada.slash("goal premortem", number=1)
    assert opened.modal["title"] == "Pre-mortem: goal 1"
    await ada.submit(opened.modal, premortem="the clinic never shares its audio")
    shown = await ada.slash("goal premortem", number=1)
    assert shown.ephemeral and "the clinic never shares its audio" in shown.text
    off = await ada.slash("coach quarterly", state="off")
    assert off.ephemeral and "quarterly look at your best five is off" in off.text
