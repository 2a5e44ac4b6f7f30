"""The suite-wide privacy check (``tests/privacy.py``) itself: it finds a private text that
reached a channel through each platform, and leaves alone what was meant to be public.

The leaks here are made on purpose and checked with a ``Watch`` of their own; each fake that
carried one is then taken off the suite's list (``fakes.created``), so that the suite-wide
check of this very test stays green.
"""

from __future__ import annotations

import json

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

from adapters.console import ConsoleSession
from bot.events import (
    Action,
    Actor,
    ButtonPressed,
    ChannelPost,
    DirectMessage,
    Place,
    TenantRef,
    UserText,
)
from bot.store import Database
from tests import fakes
from tests.conftest import say
from tests.fakes.discord import FakeDiscord, Person
from tests.fakes.slack import FakeSlack
from tests.privacy import (
    Ledger,
    Outbound,
    Private,
    Watch,
    checked,
    leaks,
    normalize,
    private_texts,
)

REFLECTION = "I trusted the warmup schedule & never checked it"
NOTE = "tried a cosine schedule, the loss spiked at step 400"
CHECKIN = "ran the tokenizer ablation on clinic audio"


async def private_life(ada: ConsoleSession) -> None:
    """Ada's private words: a reflection answer, a notebook entry, an unpublished check-in."""
    await say(ada, "/reflect the warmup project", REFLECTION)
    await say(ada, f"/log {NOTE}")
    await say(ada, "/goal set", "Transcribe clinic audio", "WER", "2", "", "")
    await say(ada, "/checkin", CHECKIN, "", "", "", "")


def kinds(found: list[object]) -> list[str]:
    return sorted(str(leak).split(" text ")[0] for leak in found)


async def test_the_private_texts_of_a_database_are_found(db: Database, ada: ConsoleSession) -> None:
    await private_life(ada)

    private, public = await private_texts(db)

    found = {(p.kind, p.text) for p in private}
    assert ("reflection", REFLECTION) in found
    assert ("notebook", NOTE) in found
    assert ("unpublished check-in", CHECKIN) in found
    assert "Transcribe clinic audio" in public  # a goal: shown in published check-ins


async def test_a_reflection_posted_to_a_slack_channel_is_caught(
    db: Database, ada: ConsoleSession
) -> None:
    await private_life(ada)
    async with FakeSlack() as slack:
        slack.add_workspace("T1", "xoxb-1")
        slack.invite("T1", "C1")  # the team channel, where the bot was invited
        client = AsyncWebClient(token="xoxb-1", base_url=slack.api_url)
        escaped = REFLECTION.replace("&", "&amp;")  # as Slack's escaping leaves it
        await client.chat_postMessage(channel="C1", text=f"Ada says: *{escaped}*")
        await client.chat_postMessage(channel="D1", text=REFLECTION)  # her own DM
        await client.chat_postEphemeral(channel="C1", user="U1", text=REFLECTION)
        await client.chat_postMessage(channel="C1", text="Ada checked in.")  # nothing private

        watch = Watch()
        await watch.read(db)
        ledger = Ledger()
        found = watch.check([slack], ledger, "crafted")
    fakes.created.remove(slack)  # the leak above is deliberate

    assert [str(leak) for leak in found] == [
        f"reflection text {REFLECTION!r} shown in slack chat.postMessage C1"
    ]
    assert (ledger.posts, ledger.leaks) == (2, [f"crafted: {found[0]}"])


async def test_a_note_posted_to_a_discord_channel_is_caught(
    db: Database, ada: ConsoleSession
) -> None:
    await private_life(ada)
    discord = await FakeDiscord().start()
    discord.add_guild(80, "Lab", 8101)
    try:
        async with aiohttp.ClientSession(base_url=discord.api_url + "/") as http:
            dm = await (await http.post("users/@me/channels", json={"recipient_id": "42"})).json()

            async def post(path: str, body: dict[str, object]) -> None:
                async with http.post(path, data=json.dumps(body)) as answer:
                    assert answer.status == 200, await answer.text()

            await post("channels/8101/messages", {"content": f"From the notebook: {NOTE}"})
            await post(f"channels/{dm['id']}/messages", {"content": NOTE})  # a DM
            interaction = discord.interaction(
                2, Person(42, "Ada"), 80, 8101, {"id": "1", "name": "log", "type": 1}
            )
            callback = f"interactions/{interaction['id']}/{interaction['token']}/callback"
            await post(callback, {"type": 4, "data": {"content": NOTE, "flags": 64}})
            await post(f"webhooks/900000000000000001/{interaction['token']}", {"content": NOTE})
        watch = Watch()
        await watch.read(db)
        found = watch.check([discord], Ledger(), "crafted")
    finally:
        await discord.close()
        fakes.created.remove(discord)  # the leaks above are deliberate

    # The channel post and the follow-up that is not ephemeral; not the DM, not the ephemeral.
    assert sorted(leak.post.where.split()[2].split("/")[1] for leak in found) == [
        "channels",
        "webhooks",
    ]
    assert kinds(found) == ["notebook", "notebook"]


async def test_a_check_in_shown_in_the_console_channel_is_caught(
    db: Database, ada: ConsoleSession
) -> None:
    await private_life(ada)
    watch = Watch()
    watch.console.seen(ChannelPost("team", ("Ada did: ", UserText(CHECKIN.upper()))))
    watch.console.seen(DirectMessage("ada", (CHECKIN,)))  # a DM: fine
    await watch.read(db)

    found = watch.check([], Ledger(), "crafted")

    assert kinds(found) == ["unpublished check-in"]


async def test_what_was_meant_to_be_public_is_not_a_leak(db: Database, ada: ConsoleSession) -> None:
    await private_life(ada)
    await say(ada, "/checkin", "published this week: distilled the teacher", "", "", "", "")
    await say(ada, "1")  # "Publish to team"
    private, public = await private_texts(db)
    assert "published this week: distilled the teacher" in public
    posts = [
        Outbound("slack #team", "Ada checked in. Did: published this week: distilled the teacher"),
        Outbound("slack #team", f"Ada shares a lesson: {REFLECTION}"),  # she chose to
        Outbound("slack #team", "Goal: Transcribe clinic audio"),
    ]

    assert leaks(posts, checked(private, public)) == []


async def test_the_suite_watch_sees_what_the_coach_posts_and_the_console_shows(
    privacy: Watch, ada: ConsoleSession
) -> None:
    await say(ada, "/goal set", "Transcribe clinic audio", "WER", "2", "", "")
    await say(ada, "/checkin", "distilled the teacher", "", "", "", "", "1")  # and publish

    for seen in (privacy.coach, privacy.console):
        assert [p.where for p in seen.posts if "distilled the teacher" in p.text] == [
            f"{seen.where} #team"
        ]


def test_a_check_in_the_member_chose_to_publish_stays_theirs_to_share() -> None:
    """A publish the platform refused leaves the check-in unpublished in the database; the
    coach posted it because the member chose to, so its words are not a leak. Another
    unpublished check-in's words in the same post are."""
    watch = Watch()
    watch.private = [
        Private("unpublished check-in", "distilled the teacher into a small model", "checkin:5"),
        Private("unpublished check-in", "ran the tokenizer ablation on clinic audio", "checkin:6"),
    ]
    actor = Actor(TenantRef("slack", "T1"), "U1")
    refused = ButtonPressed(actor, Place.channel("C1"), Action.POST_FAILED, "5")
    body = ("Ada checked in. Did: distilled the teacher into a small model ",)
    watch.coach.seen(ChannelPost("C1", body, failed=refused))
    assert watch.check([], Ledger(), "chosen") == []

    watch.coach.seen(ChannelPost("C1", ("ran the tokenizer ablation on clinic audio",)))
    assert kinds(watch.check([], Ledger(), "not chosen")) == ["unpublished check-in"]


def test_short_texts_and_the_coachs_own_words_are_not_looked_for() -> None:
    privates = [
        Private("reflection", "yes"),
        Private("reflection", "no idea"),  # too short to tell
        Private("notebook", "What is the one number your work is moving this week"),  # a nudge
        Private("notebook", "the loss spiked at step 400"),
    ]
    assert [p.text for p in checked(privates)] == ["the loss spiked at step 400"]


def test_texts_are_compared_without_case_markup_or_escaping() -> None:
    assert normalize("Ran &amp; *re-ran* the `ablation`!") == "ran re ran the ablation"
    post = Outbound("discord channel", "ada: \\*THE LOSS\\* spiked — at step 400")
    [leak] = leaks([post], [Private("notebook", "the loss spiked at step 400")])
    assert leak.post is post


def test_the_ledger_says_what_the_run_checked() -> None:
    ledger = Ledger(tests=3, posts=7, private=11, unread=["tests/test_x.py::test_own_db"])
    summary = ledger.summary()
    assert "7 channel messages in 3 tests" in summary and "11 private texts" in summary
    assert "0 leaks; 1 tests posted to channels from a database of their own" in summary
    assert summary.endswith("0.0 s spent")
