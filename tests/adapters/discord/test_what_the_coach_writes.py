"""What the coach writes, as Discord shows it: the check-in form without a goal, answers to
plain DMs, the review draft in a modal."""

from __future__ import annotations

from tests.adapters.discord.transcript import Researcher


async def test_checkin_without_a_goal_opens_the_modal_at_once_with_the_note(
    ada: Researcher,
) -> None:
    opened = await ada.slash("checkin")

    assert opened.first.json["type"] == 9  # the modal is the first response, no button first
    did = opened.modal["components"][0]
    assert did["component"]["custom_id"] == "did"
    assert "No goal yet: I'll save this check-in anyway" in did["description"]
    saved = await ada.submit(opened.modal, did="Read three papers on clinic ASR")
    assert "Check-in saved. Tie next week's work to a goal: /goal set" in saved.text
