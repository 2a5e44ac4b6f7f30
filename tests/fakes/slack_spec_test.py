"""The fake Slack is as strict as Slack: Block Kit limits, required arguments from Slack's
OpenAPI spec, channel membership, trigger_ids, response_urls, scopes, history limits, and a
proxy's HTML 502. Each test fails against a fake that takes everything."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack.manifest import BOT_SCOPES
from tests.fakes import slack_spec
from tests.fakes.slack import GRANTED_SCOPES, FakeSlack

TOKEN = "xoxb-t1"


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def button(value: str = "v", index: int = 0) -> dict[str, Any]:
    text = {"type": "plain_text", "text": "Go"}
    return {"type": "button", "text": text, "action_id": f"a{index}", "value": value}


def select_with(value: str) -> dict[str, Any]:
    option = {"text": {"type": "plain_text", "text": "one"}, "value": value}
    element = {"type": "static_select", "action_id": "pick", "options": [option]}
    return {"type": "input", "label": {"type": "plain_text", "text": "Pick"}, "element": element}


def modal(**changes: Any) -> dict[str, Any]:
    view = {"type": "modal", "title": {"type": "plain_text", "text": "Check-in"}}
    return {**view, "blocks": [section("hi")], **changes}


@pytest.fixture
def hands() -> list[float]:
    """The fake's clock, in seconds, moved by hand: no test sleeps."""
    return [1000.0]


@pytest.fixture
async def slack(hands: list[float]) -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        fake.add_workspace("T1", TOKEN)
        fake.invite("T1", "C1")
        fake.clock = lambda: hands[0]
        yield fake


@pytest.fixture
def client(slack: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token=TOKEN, base_url=slack.api_url)


async def refused(call: Any) -> dict[str, Any]:
    with pytest.raises(SlackApiError) as error:
        await call
    data: dict[str, Any] = error.value.response.data  # type: ignore[assignment]
    return data


BAD_BLOCKS = {
    "a section over 3000 characters": [section("x" * 3001)],
    "51 blocks": [section("x")] * 51,
    "an empty section": [section("")],
    "a section of white space": [section(" \n ")],
    "a header over 150": [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
    "a button value over 2000": [{"type": "actions", "elements": [button("v" * 2001)]}],
    "26 buttons in one block": [
        {"type": "actions", "elements": [button(index=i) for i in range(26)]}
    ],
    "an option value over 150": [select_with("o" * 151)],
    "a block Slack does not know": [{"type": "carousel"}],
}


@pytest.mark.parametrize("blocks", BAD_BLOCKS.values(), ids=BAD_BLOCKS.keys())
async def test_blocks_slack_refuses_are_invalid_blocks(
    client: AsyncWebClient, slack: FakeSlack, blocks: list[dict[str, Any]]
) -> None:
    for method in (client.chat_postMessage, client.chat_postEphemeral):
        answer = await refused(method(channel="C1", user="U1", text="t", blocks=blocks))
        assert answer["error"] == "invalid_blocks" and answer["errors"]
    webhook = AsyncWebhookClient(slack.response_url("r1"))
    posted = await webhook.send(text="t", blocks=blocks)
    assert posted.status_code == 400 and "invalid_blocks" in posted.body
    assert slack.accepted("chat.postMessage") == []
    assert slack.spec_problems()  # the suite's check sees them too


async def test_blocks_within_every_limit_are_taken(client: AsyncWebClient) -> None:
    blocks = [section("x" * 3000)] * 48 + [
        {"type": "header", "text": {"type": "plain_text", "text": "h" * 150}},
        {"type": "actions", "elements": [button("v" * 2000, i) for i in range(25)]},
    ]
    posted = await client.chat_postMessage(channel="C1", text="t", blocks=blocks)
    assert posted["ok"]


async def test_a_message_text_over_40000_characters_is_msg_too_long(
    client: AsyncWebClient,
) -> None:
    answer = await refused(client.chat_postMessage(channel="C1", text="x" * 40_001))
    assert answer == {"ok": False, "error": "msg_too_long"}


BAD_VIEWS = {
    "a title over 24": modal(title={"type": "plain_text", "text": "t" * 25}),
    "private_metadata over 3000": modal(private_metadata="m" * 3001),
    "101 blocks": modal(blocks=[section("x")] * 101),
    "an empty section": modal(blocks=[section("")]),
}


@pytest.mark.parametrize("view", BAD_VIEWS.values(), ids=BAD_VIEWS.keys())
async def test_views_slack_refuses_are_invalid_arguments(
    client: AsyncWebClient, slack: FakeSlack, view: dict[str, Any]
) -> None:
    opened = await refused(client.views_open(trigger_id=slack.trigger_id(), view=view))
    published = await refused(client.views_publish(user_id="U1", view={**view, "type": "home"}))
    assert opened["error"] == published["error"] == "invalid_arguments"
    assert opened["response_metadata"]["messages"]


async def test_arguments_the_spec_requires_are_required(
    client: AsyncWebClient, slack: FakeSlack
) -> None:
    assert slack_spec.required_params("chat.postEphemeral") == ("channel", "user")
    no_channel = await refused(client.api_call("chat.postMessage", json={"text": "hi"}))
    no_user = await refused(client.api_call("chat.postEphemeral", json={"channel": "C1"}))
    no_trigger = await refused(client.api_call("views.open", json={"view": modal()}))

    assert no_channel["error"] == "channel_not_found"  # as Slack answers it
    assert no_user["error"] == "invalid_arguments"
    assert no_trigger["response_metadata"]["messages"] == [
        "[ERROR] missing required field: trigger_id"
    ]


async def test_the_bot_posts_only_where_it_is_a_member(
    client: AsyncWebClient, slack: FakeSlack
) -> None:
    slack.add_channel("T1", "C2")
    slack.add_channel("T1", "G1", private=True)
    slack.add_channel("T1", "C3", people=("U1",))
    slack.invite("T1", "C3")

    outside = await refused(client.chat_postMessage(channel="C2", text="hi"))
    unknown = await refused(client.chat_postMessage(channel="C404", text="hi"))
    secret = await refused(client.chat_postMessage(channel="G1", text="hi"))
    not_joinable = await refused(client.conversations_join(channel="G1"))
    ephemeral = await refused(client.chat_postEphemeral(channel="C2", user="U1", text="hi"))
    await client.conversations_join(channel="C2")
    posted = await client.chat_postMessage(channel="C2", text="hi")

    assert outside["error"] == ephemeral["error"] == "not_in_channel"
    assert unknown["error"] == secret["error"] == not_joinable["error"] == "channel_not_found"
    assert posted["ok"] and slack.is_member("T1", "C2")
    stranger = await refused(client.chat_postEphemeral(channel="C3", user="U2", text="hi"))
    assert stranger["error"] == "user_not_in_channel"
    assert (await client.chat_postEphemeral(channel="C3", user="U1", text="hi"))["ok"]


async def test_a_trigger_id_opens_one_modal_within_three_seconds(
    client: AsyncWebClient, slack: FakeSlack, hands: list[float]
) -> None:
    fresh, late = slack.trigger_id(), slack.trigger_id()

    await client.views_open(trigger_id=fresh, view=modal())
    again = await refused(client.views_open(trigger_id=fresh, view=modal()))
    hands[0] += 3.01
    expired = await refused(client.views_open(trigger_id=late, view=modal()))
    made_up = await refused(client.views_open(trigger_id="T.1", view=modal()))

    assert again["error"] == "exchanged_trigger_id"
    assert expired["error"] == "expired_trigger_id"
    assert made_up["error"] == "invalid_trigger_id"


async def test_a_response_url_takes_five_posts_within_thirty_minutes(
    slack: FakeSlack, hands: list[float]
) -> None:
    busy = AsyncWebhookClient(slack.response_url("busy"))
    old = AsyncWebhookClient(slack.response_url("old"))

    answers = [await busy.send(text=f"reply {n}") for n in range(6)]
    hands[0] += 30 * 60 + 1
    expired = await old.send(text="late")

    assert [a.status_code for a in answers] == [200] * 5 + [404]
    assert "used_url" in answers[5].body
    assert expired.status_code == 404 and "expired_url" in expired.body
    assert [c.ok for c in slack.calls("response_url")] == [True] * 5 + [False, False]


async def test_scopes_are_those_of_the_manifest(slack: FakeSlack, client: AsyncWebClient) -> None:
    assert GRANTED_SCOPES == BOT_SCOPES
    # The manifest asks for no channels:history: reading a channel is refused.
    history = await refused(client.conversations_history(channel="C1"))
    slack.add_workspace("T2", "xoxb-t2", scopes=("commands",))
    bare = AsyncWebClient(token="xoxb-t2", base_url=slack.api_url)
    post = await refused(bare.chat_postMessage(channel="U1", text="hi"))

    assert history["error"] == "missing_scope" and history["needed"] == "channels:history"
    assert history["provided"] == ",".join(BOT_SCOPES)
    assert post == {
        "ok": False,
        "error": "missing_scope",
        "needed": "chat:write",
        "provided": "commands",
    }
    assert (await client.conversations_history(channel="DU1"))["ok"]  # im:history is granted


async def test_history_is_one_call_a_minute_and_fifteen_messages(
    slack: FakeSlack, client: AsyncWebClient, hands: list[float]
) -> None:
    for n in range(20):
        await client.chat_postMessage(channel="U1", text=f"m{n}")

    first = await client.conversations_history(channel="DU1", limit=200)
    limited = await refused(client.conversations_history(channel="DU1", limit=15))
    hands[0] += 60
    cursor = first["response_metadata"]["next_cursor"]
    second = await client.conversations_history(channel="DU1", limit=15, cursor=cursor)

    assert len(first["messages"]) == 15 and first["has_more"]
    assert limited["error"] == "ratelimited"
    assert slack.calls("conversations.history")[1].status == 429
    assert [m["text"] for m in second["messages"]] == [f"m{n}" for n in range(4, -1, -1)]


@pytest.mark.parametrize("page_type", ["text/html", "text/plain", "application/json"])
async def test_a_method_can_answer_with_a_proxys_html_502(
    slack: FakeSlack, client: AsyncWebClient, page_type: str
) -> None:
    slack.fail_next("users.info", html=True, page_type=page_type)
    with pytest.raises(SlackApiError) as error:
        await client.users_info(user="U1")
    response = error.value.response
    # slack_sdk hands such a page over as an empty dict, as text, or as aiohttp's response.
    data = getattr(response, "data", None)
    assert data == {} or isinstance(data, str) or data is None
    assert 502 in (getattr(response, "status_code", None), getattr(response, "status", None))
    assert (await client.users_info(user="U1"))["ok"]


def test_the_spec_knows_every_method_the_bot_calls() -> None:
    used = (
        "auth.test",
        "chat.postMessage",
        "chat.postEphemeral",
        "views.open",
        "views.publish",
        "users.info",
        "conversations.open",
        "conversations.join",
        "conversations.history",
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    )
    assert [m for m in used if not slack_spec.known(m)] == []
    assert slack_spec.call_problems("chat.teleport", {}) == [
        "chat.teleport: no such Web API method"
    ]
    assert slack_spec.call_problems("conversations.history", {"channel": "D1", "limit": "x"})
    assert (
        slack_spec.call_problems(
            "conversations.history", {"channel": "D1", "limit": "15", "inclusive": "true"}
        )
        == []
    )
    assert "missing_scope" in slack_spec.documented_errors("conversations.history")
