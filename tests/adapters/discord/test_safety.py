"""Nothing a member writes can ping anyone, and long text is split or cut with a note."""

from __future__ import annotations

import re

from bot.events import TenantRef, UserText, content
from tests.adapters.discord.conftest import LAB, LAB_CHANNEL
from tests.adapters.discord.test_commands import check_in, set_goal
from tests.adapters.discord.transcript import Bot, Researcher
from tests.fakes.discord import FakeDiscord, Person

PINGS = re.compile(r"@everyone|@here|<@!?\d+>|<@&\d+>|<#\d+>")


async def test_mentions_in_a_published_checkin_cannot_ping(ada: Researcher) -> None:
    await set_goal(ada)
    opened = await ada.slash("checkin")
    answer = await ada.submit(
        opened.modal,
        did="Hey @everyone and @here, look <@123> <@!123> <@&9> in <#77>",
        next_experiment="ask <@&9> for GPUs",
    )

    published = await ada.press("Publish to team", on=answer)
    (post,) = published.posts
    assert "everyone" in post.content and "123" in post.content  # the words are all there…
    assert PINGS.search(post.content) is None  # …but none of them is a mention
    assert post.json["allowed_mentions"] == {"parse": []}  # and the second wall stands


async def test_a_display_name_cannot_ping_either(bot: Bot) -> None:
    sneaky = Researcher(bot, Person(5151, "@everyone"), LAB, LAB_CHANNEL)
    await set_goal(sneaky)
    opened = await sneaky.slash("checkin")
    answer = await sneaky.submit(opened.modal, did="ran it")
    (post,) = (await sneaky.press("Publish to team", on=answer)).posts
    assert PINGS.search(post.content) is None


async def test_every_reply_carries_no_mentions(ada: Researcher) -> None:
    answer = await ada.slash("log", text="<@123> said hi")
    for call in answer.replies:
        data = call.json.get("data", call.json)
        assert data["allowed_mentions"] == {"parse": []}


async def test_a_long_reply_is_split_into_messages_of_2000(ada: Researcher) -> None:
    long = "x" * 900
    for number in range(3):
        await set_goal(ada, f"{number} {long}", f"metric {number}")

    listed = await ada.slash("goal list")
    parts = [c for c in listed.replies]
    assert len(parts) == 2
    assert all(len(p.json.get("data", p.json)["content"]) <= 2000 for p in parts)
    assert listed.text.count(long) == 3  # split, nothing lost
    assert "cut:" not in listed.text


async def test_a_post_over_three_messages_is_cut_with_a_note(bot: Bot, fake: FakeDiscord) -> None:
    body = content("Team digest\n", UserText("y" * 9000))

    first = await bot.current.messenger.post(TenantRef("discord", str(LAB)), str(LAB_CHANNEL), body)
    posts = fake.posted_in(LAB_CHANNEL)
    assert len(posts) == 3
    assert first == posts[0].response["id"]
    assert all(len(p.content) <= 2000 for p in posts)
    assert re.search(r"… \(cut: \d+ more characters\)$", posts[-1].content)


async def test_a_post_the_bot_may_not_make_is_reported_not_confirmed(
    ada: Researcher, fake: FakeDiscord
) -> None:
    await set_goal(ada)
    answer = await check_in(ada)
    fake.forbidden.add(LAB_CHANNEL)

    published = await ada.press("Publish to team", on=answer)
    assert published.posts == []
    assert f"I couldn't post in <#{LAB_CHANNEL}>" in published.text
    assert "Published to the team." not in published.text
