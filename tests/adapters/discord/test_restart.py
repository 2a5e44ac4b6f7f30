"""Buttons and modals keep working after the bot restarts: their custom ids say everything, and
a new client instance (same database) answers them."""

from __future__ import annotations

from tests.adapters.discord.test_commands import check_in, set_goal
from tests.adapters.discord.transcript import Researcher


async def test_buttons_work_after_a_restart(ada: Researcher) -> None:
    await set_goal(ada)
    answer = await check_in(ada, failed="the distillation run diverged and we dropped it")
    first_client = ada.bot.current.client

    await ada.bot.restart()
    assert ada.bot.current.client is not first_client
    assert len(ada.fake.live_sessions()) == 1

    published = await ada.press("Publish to team", on=answer)
    (post,) = published.posts
    assert post.content.startswith("Ada checked in.")

    reflecting = await ada.press("Reflect on this", on=answer)
    assert "I've sent you a DM" in reflecting.text
    assert "(1/8)" in reflecting.dms[0]


async def test_a_modal_opened_before_a_restart_is_taken_after_it(ada: Researcher) -> None:
    await set_goal(ada)
    opened = await ada.slash("checkin")

    await ada.bot.restart()
    saved = await ada.submit(opened.modal, did="Ran the baseline", metric_value="0.29")
    assert "Check-in saved for goal 1" in saved.text


async def test_a_reopen_button_from_before_a_restart_says_it_expired(ada: Researcher) -> None:
    await set_goal(ada)
    opened = await ada.slash("checkin")
    rejected = await ada.submit(opened.modal, did="")

    await ada.bot.restart()  # the member's rejected words lived in memory, and the core's draft
    expired = await ada.press("Fix and send again", on=rejected)
    assert "That form has expired" in expired.text
    reopened = await ada.slash("checkin")  # the core kept the draft
    assert reopened.modal["components"][0]["component"]["custom_id"] == "did"
