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


async def test_dm_lines_get_answers_and_forget_me_asks_first(ada: Researcher) -> None:
    asked = await ada.dm("How do I pick a good metric?")
    assert "Start from the capability you want to exist" in asked.dms[0]

    await ada.slash("log", text="an entry to keep")
    confirm = await ada.dm("forget me")
    assert "This deletes everything I keep about you" in confirm.dms[0]
    kept = await ada.press("Keep my data", on=confirm, in_dm=True)
    assert "Nothing was deleted." in kept.text
    review = await ada.slash("review")
    assert "an entry to keep" in review.text  # still there

    offered = await ada.dm("check in")
    opened = await ada.press("Weekly check-in", on=offered, in_dm=True)
    assert opened.modal["title"] == "Weekly check-in"


async def test_a_team_can_ask_for_the_digest_of_an_empty_week(grace: Researcher) -> None:
    asked = await grace.slash("coach team digest")  # six fields: the day is asked first
    opened = await grace.choose("Digest day", "friday", on=asked)

    fields = [c["component"]["custom_id"] for c in opened.modal["components"]]
    assert "digest_when_empty" in fields
    saved = await grace.submit(opened.modal, digest_when_empty="yes")
    assert "Team settings saved." in saved.text
    shown = await grace.slash("coach team show")
    assert "Digest: Friday 16:00, also in a week nobody published." in shown.text


async def test_editing_the_review_prefills_the_modal_with_the_whole_draft(
    ada: Researcher,
) -> None:
    await ada.slash("log", text="teacher labels have 9% noise")
    await ada.slash("log", text="why does the 3-gram LM help on drug names?")
    review = await ada.slash("review")
    assert "What I learned" in review.text and "Open questions" in review.text

    editing = await ada.press("Edit", on=review)

    (field,) = editing.modal["components"]
    value = field["component"]["value"]
    assert (
        value.startswith("Review, ") and "\nWhat I learned\n- teacher labels have 9% noise" in value
    )
    assert "\nOpen questions\n- why does the 3-gram LM help on drug names?" in value
    assert field["component"]["style"] == 2  # a paragraph: every line of it editable
    kept = await ada.submit(editing.modal, text="My review\n\nThe LM helps on rare words.")
    assert "Review kept" in kept.text
