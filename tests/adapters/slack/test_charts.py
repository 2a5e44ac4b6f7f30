"""Charts on Slack: a member's chart reaches only their DM with the coach (an ephemeral
reply cannot carry a file), the team's chart its channel; the PNG arrives whole with its alt
text, through Slack's three upload steps, and a chart Slack refuses never takes the words
with it."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator, Awaitable
from datetime import timedelta
from typing import Any

import pytest
from PIL import Image
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import render
from adapters.slack.deliver import Outbox, Reach, responder
from adapters.slack.directory import Directory
from adapters.slack.errors import error_of
from adapters.slack.messenger import SlackMessenger
from bot.events import Chart, DirectMessage, GoalCard, HomeView, Reply, TenantRef
from bot.pacing import Pacer
from bot.ports import ChartPoster
from bot.prompts import load_prompts
from bot.schedule.outbox import Outbox as ScheduledOutbox
from bot.store import Database
from tests.adapters.slack.conftest import TOKENS, SlackHarness, text_of
from tests.adapters.slack.test_checkin import set_goal
from tests.fakes import slack_spec
from tests.fakes.slack import FakeSlack
from tests.schedule.helpers import Rig, person
from tests.schedule.test_digest import GOAL, MONDAY
from tests.schedule.test_digest_chart import FIRST_FRIDAY

WIDTH, HEIGHT = 320, 160
TEAM = TenantRef("slack", "T1")


def png(width: int = WIDTH, height: int = HEIGHT) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 60, 90)).save(out, format="PNG")
    return out.getvalue()


CHART = Chart("goal-1.png", png(), "fold success rose from 0.41 to 0.45 in 3 weeks", WIDTH, HEIGHT)


def decoded(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        return image.size


@pytest.fixture
def client(fake_slack: FakeSlack) -> AsyncWebClient:
    """No retry handlers: a 429 fails the call at once, as after its last retry."""
    return AsyncWebClient(token=TOKENS["T1"], base_url=fake_slack.api_url)


@pytest.fixture
def outbox() -> Outbox:
    return Outbox(Directory(), Pacer(per_channel=0.0, per_tenant=0.0), load_prompts())


@pytest.fixture
async def messenger(outbox: Outbox, client: AsyncWebClient) -> AsyncIterator[SlackMessenger]:
    async def client_for(team: str) -> AsyncWebClient:
        return client

    yield SlackMessenger(outbox, client_for)


def in_channel(fake: FakeSlack) -> Reach:
    """A member who typed a command in the team channel C1."""
    client = AsyncWebClient(token=TOKENS["T1"], base_url=fake.api_url)
    return Reach(client, "T1", "U1", "C1", responder(fake.response_url("r1"), client))


async def test_a_private_reply_shows_its_chart_in_the_members_dm_only(
    fake_slack: FakeSlack, outbox: Outbox
) -> None:
    await outbox.deliver(
        [Reply(("Goal 1: fold success 0.45",), chart=CHART)], in_channel(fake_slack)
    )

    (said,) = [c.args for c in fake_slack.calls("response_url")]
    assert said["response_type"] == "ephemeral"
    assert "fold success 0.45" in text_of(said)
    assert "in our DM" in text_of(said)  # the member knows where to look
    (asked,) = [c.args for c in fake_slack.calls("files.getUploadURLExternal")]
    assert asked["filename"] == "goal-1.png" and asked["alt_txt"] == CHART.alt
    assert int(asked["length"]) == len(CHART.png)
    (upload,) = fake_slack.files.uploads.values()
    assert upload.completed and upload.channel_id == "DU1"  # the DM of conversations.open
    assert upload.data is not None and decoded(upload.data) == (WIDTH, HEIGHT)
    assert upload.alt_txt == CHART.alt
    # Nothing of it reached a channel: no share outside the DM, no post anywhere.
    shared = [c.args.get("channel_id") for c in fake_slack.calls("files.completeUploadExternal")]
    assert shared == ["DU1"]
    assert fake_slack.calls("chat.postMessage") == []
    assert [m["files"][0]["id"] for m in fake_slack.history["DU1"]] == [upload.file_id]


async def test_a_reply_in_the_dm_needs_no_note(fake_slack: FakeSlack, outbox: Outbox) -> None:
    client = AsyncWebClient(token=TOKENS["T1"], base_url=fake_slack.api_url)
    reach = Reach(client, "T1", "U1", "DU1", responder(fake_slack.response_url("r1"), client))
    await outbox.deliver([Reply(("Goal 1: fold success 0.45",), chart=CHART)], reach)

    (reply,) = [c.args for c in fake_slack.calls("response_url")]
    assert "in our DM" not in text_of(reply)
    assert [u.channel_id for u in fake_slack.files.uploads.values()] == ["DU1"]


async def test_a_dm_with_a_chart_sends_its_words_then_the_chart(
    fake_slack: FakeSlack, outbox: Outbox, client: AsyncWebClient
) -> None:
    reach = Reach(client, "T1", "U1")
    await outbox.deliver([DirectMessage("U1", ("A new best: 0.45.",), chart=CHART)], reach)

    methods = [c.method for c in fake_slack.calls() if c.method != "conversations.open"]
    assert methods == [
        "chat.postMessage",
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]
    (words, share) = fake_slack.history["DU1"]
    assert words["text"] == "A new best: 0.45."
    (upload,) = fake_slack.files.uploads.values()
    assert share["files"][0]["id"] == upload.file_id and upload.channel_id == "DU1"
    assert upload.data is not None and decoded(upload.data) == (WIDTH, HEIGHT)


async def test_the_messenger_shares_a_members_chart_in_their_dm(
    fake_slack: FakeSlack, messenger: SlackMessenger
) -> None:
    await messenger.send_dm_chart(TEAM, "U1", CHART)

    (upload,) = fake_slack.files.uploads.values()
    assert upload.channel_id == "DU1" and upload.alt_txt == CHART.alt


async def test_the_team_chart_goes_to_the_channel_in_the_digests_thread(
    fake_slack: FakeSlack, messenger: SlackMessenger
) -> None:
    assert isinstance(messenger, ChartPoster)  # the outbox sends charts through it
    digest = await messenger.post(TEAM, "C1", ("This week's digest",))
    team_chart = Chart("team.png", png(640, 320), "the team's goals over 8 weeks", 640, 320)

    file_id = await messenger.post_chart(TEAM, "C1", team_chart, thread_id=digest)

    upload = fake_slack.files.uploads[file_id]
    assert (upload.channel_id, upload.thread_ts) == ("C1", digest)
    assert upload.alt_txt == team_chart.alt
    assert upload.data is not None and decoded(upload.data) == (640, 320)
    assert fake_slack.history["C1"][-1]["thread_ts"] == digest


@pytest.mark.parametrize(
    "refusal",
    [
        {"method": "files.getUploadURLExternal"},  # 429, Retry-After: 1
        {"method": "files.getUploadURLExternal", "error": "file_uploads_disabled"},
        {"method": "upload_url", "status": 500, "error": "internal_error"},
        {"method": "files.completeUploadExternal", "error": "not_in_channel"},
        {"method": "conversations.open", "error": "user_not_found"},
    ],
    ids=["429", "uploads-disabled", "upload-url-500", "complete-refused", "no-dm"],
)
async def test_a_refused_chart_leaves_the_words_delivered(
    fake_slack: FakeSlack, outbox: Outbox, refusal: dict[str, str | int]
) -> None:
    method = str(refusal.pop("method"))
    fake_slack.fail_next(method, **refusal)  # type: ignore[arg-type]
    reply = Reply(("Goal 1: fold success 0.45",), chart=CHART)
    await outbox.deliver([reply], in_channel(fake_slack))

    said = [text_of(c.args) for c in fake_slack.calls("response_url")]
    assert "fold success 0.45" in said[0]  # the words came first
    assert "couldn't show your chart" in said[-1]
    assert not any(u.shared for u in fake_slack.files.uploads.values())


async def test_a_refused_chart_in_a_dm_leaves_its_words(
    fake_slack: FakeSlack, outbox: Outbox, client: AsyncWebClient
) -> None:
    fake_slack.fail_next("files.completeUploadExternal", error="invalid_arguments")
    await outbox.deliver(
        [DirectMessage("U1", ("A new best: 0.45.",), chart=CHART)], Reach(client, "T1", "U1")
    )
    assert [m["text"] for m in fake_slack.history["DU1"]] == ["A new best: 0.45."]


async def test_a_refused_team_chart_is_logged_not_raised(
    fake_slack: FakeSlack, messenger: SlackMessenger, caplog: pytest.LogCaptureFixture
) -> None:
    fake_slack.fail_next("files.getUploadURLExternal")
    assert await messenger.post_chart(TEAM, "C1", CHART) == ""
    assert "ratelimited" in caplog.text


def test_the_home_keeps_a_charts_words_and_shows_no_image() -> None:
    card = GoalCard(
        1,
        "Fold <!here> success",
        "fold success",
        "up",
        0.45,
        0.6,
        (0.41, 0.43, 0.45),
        "0.45",
        "0.6",
        ("0.41", "0.43", "0.45"),
        chart=Chart("goal-1.png", CHART.png, "Fold <!here> success rose to 0.45"),
    )
    view = render.home(HomeView("U1", (card,), (), ()), load_prompts())

    assert slack_spec.view_problems(view) == []
    assert not [b for b in view["blocks"] if b["type"] == "image"]
    shown = json.dumps(view, ensure_ascii=False)
    assert "Fold &lt;!here&gt; success rose to 0.45" in shown  # escaped: pings nobody
    assert render.sparkline(card.recent) in shown  # the sparkline stays


async def refusal_of(call: Awaitable[Any]) -> str:
    with pytest.raises(SlackApiError) as refused:
        await call
    return error_of(refused.value)


async def test_the_fake_refuses_what_slack_refuses(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    too_long = client.files_getUploadURLExternal(filename="a.png", length=10, alt_txt="x" * 1001)
    assert await refusal_of(too_long) == "alt_txt_too_large"
    upload = await client.files_getUploadURLExternal(filename="a.png", length=10)
    unsent = [{"id": upload["file_id"], "title": "a"}]
    # Nothing was POSTed to the upload URL: there is no file to complete.
    assert await refusal_of(client.files_completeUploadExternal(files=unsent)) == "file_not_found"
    fake_slack.add_channel("T1", "C2")  # the bot is not in it
    shared = client.files_upload_v2(filename="b.png", content=b"12", channel="C2")
    assert await refusal_of(shared) == "not_in_channel"
    fake_slack.add_workspace("T3", "xoxb-three", scopes=("chat:write",))
    unscoped = AsyncWebClient(token="xoxb-three", base_url=fake_slack.api_url)
    missing = unscoped.files_getUploadURLExternal(filename="a.png", length=10)
    assert await refusal_of(missing) == "missing_scope"


async def test_goal_show_puts_the_goals_chart_in_the_members_dm(slack: SlackHarness) -> None:
    await set_goal(slack)
    for value in ("0.29", "0.27"):
        await slack.command("/goal", f"update {value}")
    await slack.command("/goal", "show 1")

    (done,) = await slack.fake.wait_for("files.completeUploadExternal")
    (upload,) = slack.fake.files.uploads.values()
    assert done.args["channel_id"] == upload.channel_id == "DU1"
    assert upload.data is not None and decoded(upload.data)[0] > 0
    assert upload.alt_txt  # the chart said in words
    shown = [text_of(c.args) for c in slack.fake.calls("response_url")]
    assert any("in our DM" in said for said in shown)
    assert not [c for c in slack.fake.calls("chat.postMessage") if c.args["channel"] == "C1"]


async def test_the_digests_team_chart_is_shared_in_the_team_channel_after_its_words(
    db: Database, fake_slack: FakeSlack, messenger: SlackMessenger
) -> None:
    rig = Rig(db, MONDAY)  # its members are in workspace T1, its team channel C1
    rig.outbox = ScheduledOutbox(db, {"slack": messenger}, rig.prompts, rig.clock)

    ada, bob = person("U1", "Ada", admin=True), person("U2", "Bob")
    await rig.command(ada, "coach", "team channel")
    for member in (ada, bob):
        await rig.join(member)
        await rig.form(member, "goal", GOAL)
    rig.clock.advance(timedelta(days=1))
    await rig.publish(ada, await rig.check_in(ada, "Swapped the encoder", metric_value="0.31"))
    await rig.check_in(bob, "Tried label smoothing", metric_value="0.50")  # kept private
    rig.clock.advance(timedelta(days=1))
    await rig.check_in(ada, "A quick private try", metric_value="0.99")
    await rig.publish(ada, await rig.check_in(ada, "Noisy-clip eval", metric_value="0.28"))
    await rig.run_until(FIRST_FRIDAY, timedelta(days=1))  # the digest is due Friday 16:00

    (upload,) = fake_slack.files.uploads.values()
    assert upload.channel_id == "C1" and upload.data is not None
    assert decoded(upload.data)[0] > 0
    assert upload.alt_txt is not None and "Ada 0.31 → 0.28" in upload.alt_txt
    assert "0.99" not in upload.alt_txt and "Bob" not in upload.alt_txt
    shown = [m for m in fake_slack.history["C1"] if "Team digest" in m["text"] or m.get("files")]
    assert ["files" in m for m in shown][-2:] == [False, True]  # the digest's words, then it
