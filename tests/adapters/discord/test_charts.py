"""Charts on Discord: a PNG attached as ``files[n]`` with its alt text as the attachment's
description, to the message its words are in: an ephemeral reply stays ephemeral, a DM stays
in the DM, the team's chart goes to the channel (its digest thread). A file Discord refuses
never takes the words with it."""

from __future__ import annotations

import io
import json
from collections.abc import Awaitable, Callable

import aiohttp
import pytest
from PIL import Image

from bot.coach import Coach
from bot.events import (
    Chart,
    CommandInvoked,
    DirectMessage,
    Event,
    GoalCard,
    HomeView,
    Intent,
    Reply,
    TenantRef,
)
from bot.ports import ChartPoster
from tests.adapters.discord.conftest import LAB, LAB_CHANNEL
from tests.adapters.discord.test_commands import set_goal
from tests.adapters.discord.transcript import Bot, Researcher
from tests.fakes.discord import Call, FakeDiscord

WIDTH, HEIGHT = 320, 160
LAB_TENANT = TenantRef("discord", str(LAB))


def png(width: int = WIDTH, height: int = HEIGHT) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 60, 90)).save(out, format="PNG")
    return out.getvalue()


CHART = Chart("goal-1.png", png(), "fold success rose from 0.41 to 0.45 in 3 weeks", WIDTH, HEIGHT)

Script = Callable[[list[Intent]], None]


@pytest.fixture
def answer_goal_with(coach: Coach, monkeypatch: pytest.MonkeyPatch) -> Script:
    """The coach answers the next ``/goal`` command with the given intents (the adapter's
    rendering under test, not the coach's choice of what to say)."""
    scripted: list[list[Intent]] = []
    real: Callable[[Event], Awaitable[list[Intent]]] = coach.handle

    async def handle(event: Event) -> list[Intent]:
        if isinstance(event, CommandInvoked) and event.name == "goal" and scripted:
            return scripted.pop(0)
        return await real(event)

    monkeypatch.setattr(coach, "handle", handle)
    return scripted.append


def decoded(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        return image.size


def with_files(calls: list[Call]) -> list[Call]:
    return [c for c in calls if c.uploads and c.status < 300]


def attachments_meta(call: Call) -> list[dict[str, object]]:
    body = call.json.get("data", call.json) if call.path.endswith("/callback") else call.json
    return list(body.get("attachments") or [])


def shown_attachments(call: Call) -> list[dict[str, object]]:
    response = call.response
    if isinstance(response, dict) and "resource" in response:
        response = response["resource"]["message"]
    return list(response["attachments"])


async def test_a_reply_in_a_server_carries_its_chart_privately(
    ada: Researcher, fake: FakeDiscord, answer_goal_with: Script
) -> None:
    answer_goal_with([Reply(("Goal 1: fold success 0.45",), chart=CHART)])
    answer = await ada.slash("goal show", number=1)

    assert answer.ephemeral and "fold success 0.45" in answer.text
    (sent,) = with_files(answer.calls)
    (upload,) = sent.uploads
    assert (upload.field, upload.filename) == ("files[0]", "goal-1.png")
    assert decoded(upload.data) == (WIDTH, HEIGHT)
    assert attachments_meta(sent) == [{"id": 0, "filename": "goal-1.png", "description": CHART.alt}]
    (shown,) = shown_attachments(sent)
    assert (shown["width"], shown["height"], shown["description"]) == (WIDTH, HEIGHT, CHART.alt)
    assert fake.posted_in(LAB_CHANNEL) == []  # nothing in the channel


async def test_a_dm_carries_its_chart_in_the_dm(
    ada: Researcher, fake: FakeDiscord, answer_goal_with: Script
) -> None:
    answer_goal_with(
        [DirectMessage(ada.user_id, ("A new best: 0.45.",), chart=CHART), Reply(("In your DM.",))]
    )
    answer = await ada.slash("goal show", number=1)

    (sent,) = with_files(answer.calls)
    assert sent.path == f"/channels/{fake.dm_channel_of(ada.person.id)}/messages"
    assert sent.content == "A new best: 0.45."
    assert decoded(sent.uploads[0].data) == (WIDTH, HEIGHT)
    assert attachments_meta(sent)[0]["description"] == CHART.alt
    assert answer.ephemeral and fake.posted_in(LAB_CHANNEL) == []


async def test_the_home_attaches_each_goals_chart(
    ada: Researcher, answer_goal_with: Script
) -> None:
    cards = tuple(
        GoalCard(
            n,
            f"Goal {n}",
            "wer",
            "down",
            0.2,
            None,
            (0.3, 0.2),
            "0.2",
            "",
            ("0.3", "0.2"),
            chart=Chart(f"goal-{n}.png", png(200 + n, 100), f"goal {n} over time"),
        )
        for n in (1, 2)
    )
    answer_goal_with([HomeView(ada.user_id, cards, (), ())])
    answer = await ada.slash("goal show", number=1)

    (sent,) = with_files(answer.calls)
    assert [decoded(u.data) for u in sent.uploads] == [(201, 100), (202, 100)]
    assert [a["description"] for a in attachments_meta(sent)] == [
        "goal 1 over time",
        "goal 2 over time",
    ]
    assert answer.ephemeral


async def test_a_refused_chart_leaves_the_words_delivered(
    ada: Researcher, fake: FakeDiscord, answer_goal_with: Script
) -> None:
    fake.upload_limit = 100  # the PNG is larger: Discord answers 413, code 40005
    answer_goal_with(
        [
            DirectMessage(ada.user_id, ("A new best: 0.45.",), chart=CHART),
            Reply(("Goal 1: fold success 0.45",), chart=CHART),
        ]
    )
    answer = await ada.slash("goal show", number=1)

    refused = [c for c in answer.calls if c.uploads]
    assert [c.status for c in refused] == [413, 413]
    assert refused[0].response["code"] == 40005
    assert answer.dms == ["A new best: 0.45."]
    assert "fold success 0.45" in answer.text and answer.ephemeral


async def test_the_team_chart_goes_to_the_digest_thread(bot: Bot, fake: FakeDiscord) -> None:
    messenger = bot.current.messenger
    assert isinstance(messenger, ChartPoster)  # the outbox sends charts through it
    digest = await messenger.post(LAB_TENANT, str(LAB_CHANNEL), ("This week's digest",))
    team = Chart("team.png", png(640, 320), "the team's goals over 8 weeks", 640, 320)

    sent = await messenger.post_chart(LAB_TENANT, str(LAB_CHANNEL), team, digest)

    (posted,) = fake.posted_in(int(digest))  # the thread, started from the digest
    assert posted.response["id"] == sent
    assert decoded(posted.uploads[0].data) == (640, 320)
    assert attachments_meta(posted)[0]["description"] == team.alt
    assert fake.find("POST", rf"/channels/{LAB_CHANNEL}/messages/{digest}/threads")


async def test_the_team_chart_in_a_channel_that_refuses_is_logged_not_raised(
    bot: Bot, fake: FakeDiscord
) -> None:
    fake.forbidden.add(LAB_CHANNEL)
    messenger = bot.current.messenger
    assert await messenger.post_chart(LAB_TENANT, str(LAB_CHANNEL), CHART) == ""
    assert await messenger.post_chart(LAB_TENANT, str(LAB_CHANNEL), CHART) == ""
    # The 403 is remembered: the second chart costs no request.
    assert len(fake.find("POST", rf"/channels/{LAB_CHANNEL}/messages")) == 1


async def test_a_channel_without_attach_files_still_takes_the_words(
    bot: Bot, fake: FakeDiscord
) -> None:
    fake.no_attach_files.add(LAB_CHANNEL)
    messenger = bot.current.messenger
    assert await messenger.post_chart(LAB_TENANT, str(LAB_CHANNEL), CHART) == ""
    await messenger.post(LAB_TENANT, str(LAB_CHANNEL), ("Next week's digest",))
    assert [c.content for c in fake.posted_in(LAB_CHANNEL)] == ["Next week's digest"]


async def test_a_members_chart_reaches_their_dm_or_is_logged(bot: Bot, fake: FakeDiscord) -> None:
    messenger = bot.current.messenger
    await messenger.send_dm_chart(LAB_TENANT, "4242", CHART)
    (sent,) = fake.posted_in(fake.dm_channel_of(4242) or 0)
    assert decoded(sent.uploads[0].data) == (WIDTH, HEIGHT)

    fake.refuse_dms.add(4343)
    await messenger.send_dm_chart(LAB_TENANT, "4343", CHART)  # 50007: recorded, not raised
    assert fake.posted_in(fake.dm_channel_of(4343) or 0) == []


async def post_form(fake: FakeDiscord, form: aiohttp.FormData) -> tuple[int, dict[str, object]]:
    url = f"{fake.api_url}/channels/{LAB_CHANNEL}/messages"
    async with aiohttp.ClientSession() as session, session.post(url, data=form) as got:
        return got.status, await got.json(content_type=None)


async def test_the_fake_refuses_files_as_discord_does(fake: FakeDiscord) -> None:
    def form(field: str, meta_id: int) -> aiohttp.FormData:
        data = aiohttp.FormData()
        meta = {"content": "x", "attachments": [{"id": meta_id, "description": "alt"}]}
        data.add_field("payload_json", json.dumps(meta), content_type="application/json")
        data.add_field(field, png(), filename="a.png", content_type="image/png")
        return data

    empty = aiohttp.FormData()
    empty.add_field("payload_json", json.dumps({"content": ""}), content_type="application/json")
    assert (await post_form(fake, empty))[1]["code"] == 50006  # nothing to show
    assert (await post_form(fake, form("file", 0)))[0] == 400  # not files[n]
    assert (await post_form(fake, form("files[0]", 3)))[0] == 400  # no files[3]
    fake.upload_limit = 10
    status, body = await post_form(fake, form("files[0]", 0))
    assert (status, body["code"]) == (413, 40005)
    fake.upload_limit = 10 * 1024 * 1024
    status, body = await post_form(fake, form("files[0]", 0))
    assert status == 200 and body["attachments"][0]["description"] == "alt"  # type: ignore[index]


async def test_goal_show_attaches_the_goals_chart_privately(
    ada: Researcher, fake: FakeDiscord
) -> None:
    await set_goal(ada)
    for value in (0.29, 0.27):
        await ada.slash("goal update", value=value, number=1)
    answer = await ada.slash("goal show", number=1)

    (sent,) = with_files(answer.calls)
    assert answer.ephemeral and sent.uploads[0].filename
    assert decoded(sent.uploads[0].data)[0] > 0
    assert attachments_meta(sent)[0]["description"]  # the chart said in words
    assert fake.posted_in(LAB_CHANNEL) == []
