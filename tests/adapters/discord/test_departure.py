"""A member who left a server: its weekly prompts stop, and a Publish pressed in the DM says they
are no longer in it and posts nothing. The bot declares no members intent (it is privileged), so
it learns of the departure by asking Discord (``GET /guilds/{id}/members/{user}``: 10007)."""

from __future__ import annotations

from datetime import timedelta

from adapters.discord.client import intents
from bot.coach import Coach
from bot.events import Action, Button, TenantRef, content
from bot.ports import ManualClock
from tests.adapters.discord.conftest import LAB, LAB_CHANNEL
from tests.adapters.discord.test_commands import set_goal
from tests.adapters.discord.transcript import Answer, Bot, Researcher, scheduler
from tests.fakes.discord import FakeDiscord

LAB_TENANT = TenantRef("discord", str(LAB))


async def weekly_dm_of(coach: Coach, user_id: str) -> bool | None:
    async with coach.db.scope(LAB_TENANT, coach.clock.now()) as scope:
        member = await scope.member(user_id)
        assert member is not None
        return member.weekly_dm


def prompts_to(fake: FakeDiscord, user_id: int) -> list[str]:
    dm = fake.dm_channel_of(user_id)
    texts = [c.content for c in fake.posted_in(dm)] if dm is not None else []
    return [t for t in texts if "time for your weekly check-in" in t]


def test_the_bot_declares_no_members_intent() -> None:
    # Why departures are asked of Discord: GUILD_MEMBER_REMOVE needs the privileged intent.
    assert not intents().members


async def test_a_member_who_left_gets_no_weekly_prompt_for_that_server(
    bot: Bot,
    fake: FakeDiscord,
    coach: Coach,
    clock: ManualClock,
    ada: Researcher,
    grace: Researcher,
) -> None:
    for member in (ada, grace):
        await set_goal(member)
        assert "prompts are on" in (await member.slash("coach weekly", state="on")).text
    fake.leave(LAB, ada.person.id)

    week = scheduler(coach, clock, bot.current.messenger)
    try:
        for _ in range(8 * 8):  # eight days, three hours at a time
            clock.advance(timedelta(hours=3))
            await week.run_once()
    finally:
        await week.stop()

    assert len(prompts_to(fake, grace.person.id)) == 1  # who stayed is prompted as before
    assert prompts_to(fake, ada.person.id) == []
    assert await weekly_dm_of(coach, ada.user_id) is False  # recorded through the coach
    # Asked once; the outbox's retries of her delivery do not ask again.
    assert len(fake.find("GET", rf"/guilds/{LAB}/members/{ada.person.id}")) == 1


async def test_publish_pressed_in_dm_after_leaving_says_so_and_posts_nothing(
    fake: FakeDiscord, coach: Coach, ada: Researcher, grace: Researcher
) -> None:
    await grace.slash("coach team channel")
    await set_goal(ada)
    before = len(fake.calls)
    await ada.bot.current.messenger.send_dm(  # the weekly prompt, while she is still there
        LAB_TENANT,
        ada.user_id,
        content("Time for your weekly check-in"),
        (Button("Check in", Action.OPEN_CHECKIN),),
    )
    prompt = Answer(None, fake.calls[before:], fake)
    opened = await ada.press("Check in", on=prompt, in_dm=True)
    saved = await ada.submit(opened.modal, in_dm=True, did="Ran the ablation")
    posted_before = len(fake.posted_in(LAB_CHANNEL))

    fake.leave(LAB, ada.person.id)
    pressed = await ada.press("Publish to team", on=saved, in_dm=True)

    assert "no longer a member of that server" in pressed.text
    assert "nothing was posted" in pressed.text
    assert len(fake.posted_in(LAB_CHANNEL)) == posted_before
    assert pressed.posts == []
    assert await weekly_dm_of(coach, ada.user_id) is False
