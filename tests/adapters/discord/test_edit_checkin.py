"""Discord: the "Edit" button on a check-in's private answer opens the check-in modal filled in
with what was sent (the strict fake takes the modal as Discord would), and saving it changes
the check-in in place, privately."""

from __future__ import annotations

from bot.coach import Coach
from bot.events import TenantRef
from tests.adapters.discord.conftest import LAB
from tests.adapters.discord.test_commands import check_in, set_goal
from tests.adapters.discord.test_forms import values_of
from tests.adapters.discord.transcript import Researcher

SENT = {
    "did": "Swapped in a conformer encoder",
    "moves_goal": "a stronger encoder lowers clinic WER",
    "metric_value": "0.28",
    "next_experiment": "ablate beam size on 20 clips",
}


async def test_the_edit_button_opens_the_checkin_as_sent(ada: Researcher, coach: Coach) -> None:
    await set_goal(ada)
    answer = await check_in(ada, **SENT)
    assert "Edit" in answer.labels()

    opened = await ada.press("Edit", on=answer)

    assert opened.first.json["type"] == 9  # the modal is the first response
    assert opened.modal["title"] == "Edit check-in"
    shown = values_of(opened.modal)
    assert {name: shown[name] for name in SENT} == SENT
    assert not shown["failed"]

    saved = await ada.submit(opened.modal, **{**SENT, "metric_value": "0.26"})
    assert saved.ephemeral
    assert "Your check-in of Mon 2 Nov is updated." in saved.text
    assert "clinic WER: 0.26, a new best." in saved.text
    assert saved.posts == []  # never published: nothing public
    async with coach.db.scope(TenantRef("discord", str(LAB)), coach.clock.now()) as scope:
        member = await scope.member(ada.user_id)
        assert member is not None
        latest = await scope.latest_checkin(member)
    assert latest is not None and latest.metric_value == 0.26


async def test_checkin_history_and_edit_are_options_of_checkin(ada: Researcher) -> None:
    await set_goal(ada)
    await check_in(ada, **SENT)

    listed = await ada.slash("checkin", history=8)
    opened = await ada.slash("checkin", edit=True)

    assert listed.ephemeral
    assert listed.text.startswith("Your check-ins of the last 8 weeks, newest first")
    assert "goal 1: Swapped in a conformer encoder · clinic WER 0.28 · private" in listed.text
    assert listed.posts == []
    assert opened.first.json["type"] == 9
    assert values_of(opened.modal)["did"] == SENT["did"]
