"""FakeSlack works with the real slack_sdk and slack_bolt clients, over real sockets."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.context.say.async_say import AsyncSay
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from tests.fakes.slack import (
    Call,
    FakeSlack,
    event_body,
    interaction_body,
    sign,
    slash_command_body,
)

TOKEN = "xoxb-t1"
APP_TOKEN = "xapp-1-A1-1-secret"
SECRET = "signing-secret"
BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        fake.add_workspace("T1", TOKEN, bot_user_id="UBOT", team_name="Lab")
        fake.invite("T1", "C1")
        yield fake


@pytest.fixture
def client(slack: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token=TOKEN, base_url=slack.api_url)


async def test_web_client_calls_are_recorded_with_args_and_token(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    me = await client.auth_test()
    posted = await client.chat_postMessage(channel="C1", text="hi", blocks=BLOCKS)
    slack.set_user("U2", tz="America/New_York", is_admin=True, name="ada")
    info = await client.users_info(user="U2")
    opened = await client.conversations_open(users="U2")

    assert (me["team_id"], me["user_id"], me["user"]) == ("T1", "UBOT", "coach")
    assert posted["channel"] == "C1" and posted["message"]["blocks"] == BLOCKS
    assert info["user"]["tz"] == "America/New_York" and info["user"]["is_admin"] is True
    assert info["user"]["name"] == "ada" and info["user"]["deleted"] is False
    assert opened["channel"]["id"] == "DU2"
    assert [c.method for c in slack.calls()] == [
        "auth.test",
        "chat.postMessage",
        "users.info",
        "conversations.open",
    ]
    assert all(c.token == TOKEN for c in slack.calls())
    [post] = slack.calls("chat.postMessage")
    assert post == Call(
        "chat.postMessage", {"channel": "C1", "text": "hi", "blocks": BLOCKS}, TOKEN
    )
    # slack_sdk sends chat.* and views.* as JSON, the rest in the query string (users.info by GET).
    assert [c.encoding for c in slack.calls()] == ["query", "json", "query", "query"]


async def test_posts_to_a_user_land_in_a_dm_and_ts_increase(client: AsyncWebClient) -> None:
    first = await client.chat_postMessage(channel="U7", text="one")
    second = await client.chat_postMessage(channel="U7", text="two")

    assert first["channel"] == "DU7"
    assert float(second["ts"]) > float(first["ts"])
    assert second["message"]["ts"] == second["ts"]


async def test_other_methods_answer_like_slack(slack: FakeSlack, client: AsyncWebClient) -> None:
    view = {"type": "modal", "title": {"type": "plain_text", "text": "Check-in"}, "blocks": BLOCKS}
    opened = await client.views_open(trigger_id=slack.trigger_id(), view=view)
    published = await client.views_publish(user_id="U1", view={"type": "home", "blocks": BLOCKS})
    ephemeral = await client.chat_postEphemeral(channel="C1", user="U1", text="psst")
    posted = await client.chat_postMessage(channel="C1", text="first")
    updated = await client.chat_update(channel="C1", ts=posted["ts"], text="edited")
    slack.add_channel("T1", "C9")
    joined = await client.conversations_join(channel="C9")

    assert opened["view"]["id"] == "V1" and opened["view"]["title"] == view["title"]
    assert published["view"]["id"] == "V2" and published["view"]["type"] == "home"
    assert ephemeral["message_ts"]
    assert updated["ok"] and joined["ok"]
    assert slack.calls("views.open")[0].args["view"] == view


async def test_unknown_and_invalid_tokens_fail_like_slack(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    stranger = AsyncWebClient(token="xoxb-nobody", base_url=slack.api_url)

    with pytest.raises(SlackApiError) as bad_token:
        await stranger.auth_test()
    with pytest.raises(SlackApiError) as unknown:
        await client.api_call("chat.teleport", json={"channel": "C1"})

    assert bad_token.value.response["error"] == "invalid_auth"
    assert bad_token.value.response.status_code == 200
    assert unknown.value.response["error"] == "unknown_method"
    assert slack.calls("chat.teleport") == [Call("chat.teleport", {"channel": "C1"}, TOKEN)]


async def test_rate_limited_post_is_retried_once(slack: FakeSlack) -> None:
    slack.fail_next("chat.postMessage", retry_after=0)  # the SDK sleeps Retry-After + rand(0, 1)
    client = AsyncWebClient(
        token=TOKEN,
        base_url=slack.api_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)],
    )

    posted = await client.chat_postMessage(channel="C1", text="hi")

    assert posted["ok"] is True
    assert len(slack.calls("chat.postMessage")) == 2


async def test_failures_queue_up_and_carry_retry_after(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    slack.fail_next("chat.postMessage")
    slack.fail_next("chat.postMessage", status=200, error="not_in_channel")

    with pytest.raises(SlackApiError) as limited:
        await client.chat_postMessage(channel="C1", text="one")
    with pytest.raises(SlackApiError) as not_in:
        await client.chat_postMessage(channel="C1", text="two")
    third = await client.chat_postMessage(channel="C1", text="three")

    assert limited.value.response.status_code == 429
    assert limited.value.response.headers["Retry-After"] == "1"
    assert limited.value.response["error"] == "ratelimited"
    assert not_in.value.response.status_code == 200
    assert not_in.value.response["error"] == "not_in_channel"
    assert third["ok"] is True


# slack_sdk 3.47 builds aiohttp.BasicAuth for oauth.v2.access, which aiohttp 3.14 deprecates.
@pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")
async def test_oauth_exchange_installs_the_workspace(slack: FakeSlack) -> None:
    slack.set_oauth_result("T9", "xoxb-t9", team_name="Other Lab", bot_user_id="UB9")
    anonymous = AsyncWebClient(base_url=slack.api_url)

    result = await anonymous.oauth_v2_access(client_id="111.222", client_secret="s", code="c0de")
    me = await AsyncWebClient(token="xoxb-t9", base_url=slack.api_url).auth_test()

    assert result["access_token"] == "xoxb-t9" and result["token_type"] == "bot"
    assert result["team"] == {"id": "T9", "name": "Other Lab"}
    assert result["enterprise"] is None and result["is_enterprise_install"] is False
    assert result["authed_user"]["id"] and result["bot_user_id"] == "UB9"
    assert me["team_id"] == "T9"
    [exchange] = slack.calls("oauth.v2.access")
    assert exchange.args == {"code": "c0de", "client_id": "111.222", "client_secret": "s"}
    assert exchange.token is None and exchange.encoding == "form"


async def test_revoked_token_stops_working(slack: FakeSlack, client: AsyncWebClient) -> None:
    await client.auth_revoke()

    with pytest.raises(SlackApiError) as revoked:
        await client.auth_test()

    assert revoked.value.response["error"] == "token_revoked"


async def test_response_url_posts_are_recorded(slack: FakeSlack) -> None:
    webhook = AsyncWebhookClient(slack.response_url("r1"))

    sent = await webhook.send(text="thanks", response_type="ephemeral")

    assert sent.status_code == 200
    assert slack.calls("response_url") == [
        Call("response_url", {"text": "thanks", "response_type": "ephemeral", "_key": "r1"}, None)
    ]


async def test_wait_for_times_out_listing_what_arrived(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    await client.auth_test()

    with pytest.raises(AssertionError, match=r"(?s)'chat\.postMessage'.*auth\.test"):
        await slack.wait_for("chat.postMessage", timeout=0.05)


async def test_wait_for_wakes_on_a_call(slack: FakeSlack, client: AsyncWebClient) -> None:
    post = asyncio.create_task(client.chat_postMessage(channel="C1", text="later"))

    [call] = await slack.wait_for("chat.postMessage", timeout=2)

    assert call.args["text"] == "later"
    await post


def bolt_app(slack: FakeSlack) -> AsyncApp:
    # The token goes on the client: with `client=` given, AsyncApp ignores `token=`.
    return AsyncApp(
        signing_secret=SECRET, client=AsyncWebClient(token=TOKEN, base_url=slack.api_url)
    )


async def test_bolt_handles_a_signed_slash_command(slack: FakeSlack) -> None:
    app = bolt_app(slack)

    @app.command("/checkin")
    async def checkin(ack: AsyncAck, say: AsyncSay, respond: AsyncRespond) -> None:
        await ack("on it")
        await say("posted")
        await respond("done")

    body = slash_command_body(
        "/checkin",
        "",
        team_id="T1",
        user_id="U1",
        channel_id="C1",
        response_url=slack.response_url("r1"),
    )
    response = await app.async_dispatch(AsyncBoltRequest(body=body, headers=sign(SECRET, body)))

    assert response.status == 200 and "on it" in response.body
    [post] = await slack.wait_for("chat.postMessage")
    [reply] = await slack.wait_for("response_url")
    assert post.args["channel"] == "C1" and post.token == TOKEN
    assert reply.args["text"] == "done" and reply.args["_key"] == "r1"
    assert len(slack.calls("auth.test")) == 1


async def test_bolt_rejects_a_badly_signed_request(slack: FakeSlack) -> None:
    body = interaction_body({"type": "block_actions", "team": {"id": "T1"}, "actions": []})
    headers = sign("wrong-secret", body)

    response = await bolt_app(slack).async_dispatch(AsyncBoltRequest(body=body, headers=headers))

    assert response.status == 401
    assert slack.calls() == []


async def test_bolt_takes_an_event_callback(slack: FakeSlack) -> None:
    app = bolt_app(slack)
    seen: list[dict[str, Any]] = []

    @app.event("app_home_opened")
    async def home(event: dict[str, Any]) -> None:
        seen.append(event)

    event = {"type": "app_home_opened", "user": "U1", "tab": "home", "channel": "DU1"}
    body = event_body(event, team_id="T1", event_id="Ev1")
    response = await app.async_dispatch(AsyncBoltRequest(body=body, headers=sign(SECRET, body)))

    assert response.status == 200
    assert json.loads(body)["authorizations"][0]["team_id"] == "T1"
    await slack.wait_for("auth.test")
    for _ in range(100):  # the listener runs after the ack, as a task
        if seen:
            break
        await asyncio.sleep(0.01)
    assert seen == [event]


async def test_socket_mode_client_connects_receives_and_acks(slack: FakeSlack) -> None:
    hellos: list[dict[str, Any]] = []
    requests: list[SocketModeRequest] = []

    async def on_message(_: AsyncBaseSocketModeClient, message: dict[str, Any], __: Any) -> None:
        if message.get("type") == "hello":
            hellos.append(message)

    async def on_request(client: AsyncBaseSocketModeClient, request: SocketModeRequest) -> None:
        requests.append(request)
        await client.send_socket_mode_response(
            SocketModeResponse(envelope_id=request.envelope_id, payload={"text": "ok"})
        )

    client = SocketModeClient(
        app_token=APP_TOKEN, web_client=AsyncWebClient(base_url=slack.api_url)
    )
    client.message_listeners.append(on_message)
    client.socket_mode_request_listeners.append(on_request)
    try:
        await client.connect()
        await slack.socket_send(
            {
                "envelope_id": "e1",
                "type": "slash_commands",
                "payload": {"command": "/checkin", "team_id": "T1", "user_id": "U1"},
                "accepts_response_payload": True,
            }
        )
        ack = await slack.wait_for_ack("e1")
    finally:
        await client.close()

    [opened] = slack.calls("apps.connections.open")
    assert opened.token == APP_TOKEN
    assert hellos and hellos[0]["connection_info"] == {"app_id": "A1"}
    assert [r.payload["command"] for r in requests] == ["/checkin"]
    assert ack == {"envelope_id": "e1", "payload": {"text": "ok"}}


async def test_bolt_socket_mode_handler_acks_a_slash_command(slack: FakeSlack) -> None:
    app = bolt_app(slack)

    @app.command("/checkin")
    async def checkin(ack: AsyncAck) -> None:
        await ack("on it")

    handler = AsyncSocketModeHandler(app, APP_TOKEN)  # reuses app.client, so the fake's base_url
    try:
        await handler.connect_async()
        body = {"command": "/checkin", "text": "", "team_id": "T1", "user_id": "U1"}
        await slack.socket_send(
            {"envelope_id": "e2", "type": "slash_commands", "payload": body}
            | {"accepts_response_payload": True}
        )
        ack = await slack.wait_for_ack("e2")
    finally:
        await handler.close_async()

    assert ack["payload"]["text"] == "on it"
    assert len(slack.calls("auth.test")) == 1


async def test_socket_send_fails_clearly_with_no_client(slack: FakeSlack) -> None:
    with pytest.raises(AssertionError, match="no Socket Mode client"):
        await slack.socket_send({"envelope_id": "e0"}, timeout=0.05)


async def test_server_binds_loopback_on_a_free_port(slack: FakeSlack) -> None:
    async with (
        FakeSlack() as other,
        aiohttp.ClientSession() as session,
        session.post(f"{other.api_url}auth.test") as response,
    ):
        body = await response.json()

    assert slack.api_url.startswith("http://127.0.0.1:") and slack.api_url.endswith("/api/")
    assert other.api_url != slack.api_url
    assert body == {"ok": False, "error": "not_authed"}


async def test_form_values_that_look_like_json_are_decoded(slack: FakeSlack) -> None:
    form = {"channel": "C1", "blocks": json.dumps(BLOCKS), "text": "[not json"}
    async with (
        aiohttp.ClientSession(headers={"Authorization": f"Bearer {TOKEN}"}) as session,
        session.post(f"{slack.api_url}chat.postMessage", data=form) as response,
    ):
        body = await response.json()

    [post] = slack.calls("chat.postMessage")
    assert body["ok"] is True and post.encoding == "form"
    assert post.args == {"channel": "C1", "blocks": BLOCKS, "text": "[not json"}
