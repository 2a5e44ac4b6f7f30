"""A fake Slack on 127.0.0.1: the Web API, Socket Mode and response_url endpoints.

The real slack_sdk and slack_bolt clients talk to it over HTTP and a websocket, and it records
every request so tests can assert on what the coach sent. Its records and limits live in
``slack_records``, how it reads requests and writes answers in ``slack_wire``; the signed
HTTP-mode requests Slack sends an app (slash commands, interactions, events) are built by
``slack_requests``, and offered here too.

It refuses what Slack refuses (``slack_spec`` reads Slack's own OpenAPI spec and Block Kit's
limits): blocks and views over a limit (``invalid_blocks``, ``invalid_arguments``), text over
40,000 characters (``msg_too_long``), a missing required argument, a method whose scope the
install did not grant (``missing_scope``), a channel that does not exist or does not hold the
bot (``channel_not_found``, ``not_in_channel``), a trigger_id late, used or never issued, a
response_url past five posts or 30 minutes, and conversations.history more than once a minute
or beyond 15 messages. ``clock`` times all of it, so tests move time instead of sleeping.

Example:
    async with FakeSlack() as slack:
        slack.add_workspace("T1", "xoxb-1")
        client = AsyncWebClient(token="xoxb-1", base_url=slack.api_url)
        await client.chat_postMessage(channel="C1", text="hi")
        [call] = slack.calls("chat.postMessage")
        assert call.args["text"] == "hi" and call.token == "xoxb-1"
"""

from __future__ import annotations

import asyncio
import itertools
import math
import time
from collections import deque
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self
from zoneinfo import ZoneInfo

from aiohttp import WSCloseCode, WSMsgType, web

from tests.fakes import created, slack_spec
from tests.fakes.slack_files import SlackFiles, Upload
from tests.fakes.slack_records import (
    APP_ID,
    BLOCK_METHODS,
    GRANTED_SCOPES,
    HISTORY_INTERVAL,
    HISTORY_LIMIT,
    HISTORY_METHODS,
    RESPONSE_URL_TTL,
    RESPONSE_URL_USES,
    TRIGGER_TTL,
    VIEW_METHODS,
    Call,
    JsonDict,
    WorkspaceMethod,
    _Channel,
    _Failure,
    _OAuthResult,
    _ResponseUrl,
    _Storm,
    _User,
    _Workspace,
)
from tests.fakes.slack_requests import event_body, interaction_body, sign, slash_command_body
from tests.fakes.slack_wire import (
    _basic_auth,
    _bearer,
    _channel_id,
    _error,
    _failure_response,
    _loads_or_none,
    _message_problems,
    _message_refusal,
    _read_args,
    _str_or_none,
)

__all__ = [
    "APP_ID",
    "GRANTED_SCOPES",
    "HISTORY_LIMIT",
    "RESPONSE_URL_USES",
    "Call",
    "FakeSlack",
    "Upload",
    "event_body",
    "interaction_body",
    "sign",
    "slash_command_body",
]


class FakeSlack:
    """Slack's Web API, Socket Mode websocket and response_url endpoints, as one aiohttp server.

    Example:
        async with FakeSlack() as slack:
            slack.add_workspace("T1", "xoxb-1", bot_user_id="UBOT")
            slack.fail_next("chat.postMessage", status=200, error="not_in_channel")
            ...
            calls = await slack.wait_for("chat.postMessage", count=2)
    """

    def __init__(self) -> None:
        self.socket_acks: list[JsonDict] = []
        self.socket_sent: list[JsonDict] = []
        self.socket_connected = asyncio.Event()
        self._calls: list[Call] = []
        self._changed = asyncio.Condition()
        self._workspaces: dict[str, _Workspace] = {}  # by bot token
        self._revoked: set[str] = set()
        self._users: dict[str, _User] = {}
        self._failures: dict[str, deque[_Failure]] = {}
        self._storm: _Storm | None = None
        self._oauth: _OAuthResult | None = None
        self._open_dms: set[str] = set()
        self._sockets: list[web.WebSocketResponse] = []
        self._ts_micros = 0  # the latest ts given, in microseconds
        # Dates new messages (their ts); tests on a ManualClock set it to that clock.
        self.now: Callable[[], datetime] = lambda: datetime.now(UTC)
        self.history: dict[str, list[JsonDict]] = {}  # channel id -> messages posted, in order
        self._views = 0
        # Times triggers, response_urls and rate limits; tests move it instead of sleeping.
        self.clock: Callable[[], float] = time.monotonic
        self.trigger_ttl = TRIGGER_TTL
        self._triggers: dict[str, float | None] = {}  # id -> when issued; None once used
        self._trigger_serial = itertools.count(1)
        self._response_urls: dict[str, _ResponseUrl] = {}
        self._channels: dict[tuple[str, str], _Channel] = {}  # by (team id, channel id)
        self._last_read: dict[tuple[str, str], float] = {}  # (team id, method) -> when
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._methods: dict[str, WorkspaceMethod] = {
            "auth.test": self._auth_test,
            "auth.revoke": self._auth_revoke,
            "apps.uninstall": self._apps_uninstall,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "views.open": self._view,
            "views.push": self._view,
            "views.update": self._view,
            "views.publish": self._view,
            "users.info": self._users_info,
            "conversations.open": self._conversations_open,
            "conversations.join": self._conversations_join,
            "conversations.history": self._conversations_history,
            "files.getUploadURLExternal": self._files_upload_url,
            "files.completeUploadExternal": self._files_complete,
        }
        # Uploads in Slack's three steps (slack_files): bytes, alt text, where shared.
        self.files = SlackFiles(lambda: self.base_url, self._conversation)
        created.append(self)  # the suite's privacy check reads what it was sent

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        """Start serving on 127.0.0.1 on a free port."""
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/response/{key}", self._handle_response_url)
        app.router.add_get("/socket", self._handle_socket)
        app.router.add_post("/upload/{file_id}", self._handle_upload)
        # Short shutdown: a test's teardown should not wait for idle keep-alive connections.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._port = self._runner.addresses[0][1]

    async def close(self) -> None:
        """Close open websockets and stop the server."""
        for ws in list(self._sockets):
            await ws.close(code=WSCloseCode.GOING_AWAY, message=b"fake slack stopping")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:<port>`, the server's root."""
        return f"http://127.0.0.1:{self._port}"

    @property
    def api_url(self) -> str:
        """The Web API root for `AsyncWebClient(base_url=...)`, with its trailing slash."""
        return f"{self.base_url}/api/"

    # -- configuration ----------------------------------------------------------------------

    def add_workspace(
        self,
        team_id: str,
        bot_token: str,
        bot_user_id: str = "UBOT",
        *,
        team_name: str | None = None,
        bot_id: str | None = None,
        scopes: Iterable[str] = GRANTED_SCOPES,
        channels: Iterable[str] = ("C1",),
    ) -> None:
        """Install the app in a workspace: `bot_token` becomes valid for that team.

        `scopes` are what the install granted: every Web API answer to that token lists them in
        its `x-oauth-scopes` header, as Slack does, and a method needing another answers
        `missing_scope`. `channels` are the workspace's public channels; like a fresh install,
        the bot is in none of them until it joins or is invited (`invite`).
        """
        for channel in channels:
            self.add_channel(team_id, channel)
        self._revoked.discard(bot_token)
        self._workspaces[bot_token] = _Workspace(
            team_id=team_id,
            team_name=team_name or f"Team {team_id}",
            bot_token=bot_token,
            bot_user_id=bot_user_id,
            bot_id=bot_id or f"B{team_id}",
            scopes=tuple(scopes),
        )

    def add_channel(
        self,
        team_id: str,
        channel_id: str,
        *,
        private: bool = False,
        people: Iterable[str] | None = None,
    ) -> None:
        """A conversation of the workspace (public unless ``private``), the bot not in it;
        ``people`` are the users in it (every user when None): an ephemeral message to anyone
        else is ``user_not_in_channel``."""
        name = f"channel-{channel_id.lower()}"
        who = None if people is None else frozenset(people)
        self._channels.setdefault((team_id, channel_id), _Channel(channel_id, name, private))
        if people is not None:
            self._channels[team_id, channel_id].people = who

    def invite(self, team_id: str, channel_id: str, bot_user_id: str = "UBOT") -> None:
        """Someone typed `/invite @Research Coach` there: the bot is a member.

        Example: `slack.invite("T1", "C1")`
        """
        self.add_channel(team_id, channel_id)
        self._channels[team_id, channel_id].members.add(bot_user_id)

    def remove(self, team_id: str, channel_id: str, bot_user_id: str = "UBOT") -> None:
        """Someone removed the bot from the channel (`/remove @Research Coach`)."""
        channel = self._channels.get((team_id, channel_id))
        if channel is not None:
            channel.members.discard(bot_user_id)

    def is_member(self, team_id: str, channel_id: str, bot_user_id: str = "UBOT") -> bool:
        channel = self._channels.get((team_id, channel_id))
        return channel is not None and bot_user_id in channel.members

    def trigger_id(self) -> str:
        """A trigger_id as Slack puts in a command or an interaction: it opens one modal within
        ``trigger_ttl`` seconds (on ``clock``), then answers ``exchanged_trigger_id``, and
        ``expired_trigger_id`` once late. One the fake never issued is ``invalid_trigger_id``.

        Example: `slash_command_body(..., trigger_id=slack.trigger_id())`
        """
        issued = f"{next(self._trigger_serial)}.{int(self.clock() * 1000)}.fake"
        self._triggers[issued] = self.clock()
        return issued

    def set_user(
        self,
        user_id: str,
        *,
        tz: str | None = None,
        is_admin: bool | None = None,
        name: str | None = None,
        real_name: str | None = None,
    ) -> None:
        """Set what `users.info` says about a user (unknown users get defaults)."""
        user = self._user(user_id)
        user.tz = tz if tz is not None else user.tz
        user.is_admin = is_admin if is_admin is not None else user.is_admin
        user.name = name if name is not None else user.name
        user.real_name = real_name if real_name is not None else (name or user.real_name)

    def set_oauth_result(
        self,
        team_id: str,
        bot_token: str,
        *,
        team_name: str | None = None,
        bot_user_id: str = "UBOT",
        scope: str = "commands,chat:write,im:write,users:read",
        authed_user_id: str = "UINSTALLER",
    ) -> None:
        """Make `oauth.v2.access` succeed for any code; the exchange installs the workspace."""
        self._oauth = _OAuthResult(
            team_id, team_name or f"Team {team_id}", bot_token, bot_user_id, scope, authed_user_id
        )

    def fail_next(
        self,
        method: str,
        *,
        status: int | None = None,
        retry_after: int | None = 1,
        error: str | None = None,
        html: bool = False,
        page_type: str = "text/html",
        drop: bool = False,
    ) -> None:
        """Queue a failure for the next call of `method` (several queue up, first in first out).

        With no `error` it answers HTTP 429, `Retry-After: <retry_after>` and
        `{"ok": false, "error": "ratelimited"}`; with an `error` it answers HTTP 200 and
        `{"ok": false, "error": error}`. `status` overrides either default. With `html` it
        answers a proxy's HTML page (HTTP 502 unless `status` says otherwise), not JSON, with
        the Content-Type `page_type` (proxies label it text/html, text/plain, even JSON). With
        `drop` it answers nothing: the connection is cut, as by a network failure.

        Example: `slack.fail_next("chat.postMessage", error="not_in_channel")`
        """
        if drop:
            self._failures.setdefault(method, deque()).append(_Failure(0, None, "", drop=True))
            return
        if html:
            failure = _Failure(status or 502, None, "bad_gateway", page_type=page_type)
            self._failures.setdefault(method, deque()).append(failure)
            return
        code = status if status is not None else (429 if error is None else 200)
        failure = _Failure(code, retry_after if code == 429 else None, error or "ratelimited")
        self._failures.setdefault(method, deque()).append(failure)

    def storm(
        self,
        *methods: str,
        statuses: tuple[int, ...] = (500, 503, 429),
        retry_after: int = 1,
    ) -> None:
        """Fail every call of ``methods`` (of every method when none are named; "response_url"
        names the response URLs) until ``calm()``: HTTP ``statuses`` in turn, a 429 with
        ``Retry-After: <retry_after>``, a 0 with no answer at all (the connection is cut).
        Queued ``fail_next`` failures go first.

        Example: `slack.storm("chat.postMessage", "response_url"); ...; slack.calm()`
        """
        self._storm = _Storm(frozenset(methods), statuses, retry_after)

    def calm(self) -> None:
        """End the storm: calls are answered normally again."""
        self._storm = None

    def response_url(self, key: str = "default") -> str:
        """A response_url; POSTs are recorded as `Call("response_url", {**body, "_key": key})`.

        Like Slack's, it takes ``RESPONSE_URL_USES`` posts within ``RESPONSE_URL_TTL`` seconds
        (on ``clock``); then HTTP 404 ``used_url`` / ``expired_url``. Each call gives out a
        fresh one, as each request from Slack carries its own: asking again for a key renews it.

        Example: `slash_command_body(..., response_url=slack.response_url("r1"))`
        """
        self._response_urls[key] = _ResponseUrl(self.clock())
        return f"{self.base_url}/response/{key}"

    # -- what was received ------------------------------------------------------------------

    @property
    def uploads(self) -> dict[str, bytes]:
        """File id -> the bytes POSTed to its upload URL (empty until then)."""
        return {i: u.data or b"" for i, u in self.files.uploads.items()}

    def calls(self, method: str | None = None) -> list[Call]:
        """Every call received so far, oldest first, optionally only those of one method."""
        return [c for c in self._calls if method is None or c.method == method]

    def spec_problems(self) -> list[str]:
        """What Slack's published spec and Block Kit's limits find wrong in the requests
        received so far: each Web API call against slack_web_openapi_v2.json (the method,
        its required arguments, their types; blocks and views by slack_sdk's models and the
        documented limits), each response_url post's blocks. Empty: Slack takes them all.

        Example: `assert slack.spec_problems() == []`
        """
        problems = []
        for call in self._calls:
            if call.method == "response_url":
                found = [f"response_url: {p}" for p in _message_problems(call.args)]
            elif call.method in ("oauth.v2.access", "apps.connections.open"):
                found = []  # no bot token: checked by their own handlers
            else:
                found = slack_spec.call_problems(call.method, call.args)
                if len(str(call.args.get("text") or "")) > slack_spec.MESSAGE_TEXT:
                    found.append(f"{call.method}: msg_too_long")
            problems += found
        return problems + self.files.problems()

    def accepted(self, method: str | None = None) -> list[Call]:
        """The calls answered with HTTP 200 and ``"ok": true``: what Slack took."""
        return [c for c in self.calls(method) if c.status == 200 and c.ok]

    async def wait_until(
        self,
        check: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109
        what: str = "the expected calls",
    ) -> None:
        """Wait until ``check()`` holds; it is looked at again after every call received."""
        try:
            async with asyncio.timeout(timeout):
                await self._wait_until(check)
        except TimeoutError:
            raise AssertionError(
                f"{what} did not come within {timeout}s; received:\n{self._describe_calls()}"
            ) from None

    # The waits below take `timeout` (ASYNC109): a failing test must say what it waited for.
    async def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[Call]:
        """Wait until `method` was called at least `count` times; return all its calls.

        Example: `[post] = await slack.wait_for("chat.postMessage")`
        """
        try:
            async with asyncio.timeout(timeout):
                await self._wait_until(lambda: len(self.calls(method)) >= count)
        except TimeoutError:
            got = len(self.calls(method))
            raise AssertionError(
                f"expected {count} call(s) of {method!r} within {timeout}s, got {got}; "
                f"received:\n{self._describe_calls()}"
            ) from None
        return self.calls(method)

    async def settle(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until no client connection is open (aiohttp drops one only after its request
        was answered): every request of a client that has died is recorded, or was never
        taken."""
        assert self._runner is not None and self._runner.server is not None
        server = self._runner.server
        try:
            async with asyncio.timeout(timeout):
                # aiohttp signals no connection's end: look again every 10 ms.
                while server.connections:  # noqa: ASYNC110
                    await asyncio.sleep(0.01)
        except TimeoutError:
            raise AssertionError(f"connections still open after {timeout}s") from None

    async def wait_for_ack(self, envelope_id: str, timeout: float = 5.0) -> JsonDict:  # noqa: ASYNC109
        """Wait for the Socket Mode client to ack `envelope_id`; return the ack."""
        try:
            async with asyncio.timeout(timeout):
                await self._wait_until(lambda: self._ack(envelope_id) is not None)
        except TimeoutError:
            raise AssertionError(
                f"no ack for envelope {envelope_id!r} within {timeout}s; "
                f"acks received: {self.socket_acks!r}"
            ) from None
        ack = self._ack(envelope_id)
        assert ack is not None
        return ack

    async def socket_send(self, envelope: JsonDict, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Push an envelope to the newest connected Socket Mode client, waiting for one."""
        try:
            async with asyncio.timeout(timeout):
                await self.socket_connected.wait()
        except TimeoutError:
            raise AssertionError(f"no Socket Mode client connected within {timeout}s") from None
        await self._sockets[-1].send_json(envelope)
        self.socket_sent.append(envelope)

    def _ack(self, envelope_id: str) -> JsonDict | None:
        return next((a for a in self.socket_acks if a.get("envelope_id") == envelope_id), None)

    async def _wait_until(self, predicate: Callable[[], bool]) -> None:
        async with self._changed:
            await self._changed.wait_for(predicate)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def _describe_calls(self) -> str:
        lines = [f"  {c.method} token={c.token!r} args={c.args!r:.300}" for c in self._calls]
        return "\n".join(lines) or "  (nothing)"

    # -- HTTP and websocket handlers --------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args, encoding = await _read_args(request)
        token = _bearer(request) or _str_or_none(args.pop("token", None))
        basic = _basic_auth(request)
        if basic is not None:  # oauth.v2.access sends client credentials as HTTP basic auth
            args.setdefault("client_id", basic[0])
            args.setdefault("client_secret", basic[1])
        failure = self._pop_failure(method)
        if failure is not None:
            self._calls.append(Call(method, args, token, encoding, failure.status, False))
            await self._notify()
            if failure.drop and request.transport is not None:
                request.transport.abort()
            return _failure_response(failure)
        status, answer, headers = self._answer(method, args, token)
        self._calls.append(Call(method, args, token, encoding, status, bool(answer.get("ok"))))
        await self._notify()
        return web.json_response(answer, status=status, headers=headers)

    def _answer(
        self, method: str, args: JsonDict, token: str | None
    ) -> tuple[int, JsonDict, dict[str, str]]:
        """The status, body and headers of a Web API answer (no failure queued), checked as
        Slack checks: the token, the scopes, the required arguments, the rate limit, the
        blocks; then the method itself."""
        if method == "oauth.v2.access":
            return 200, self._oauth_v2_access(args), {}
        if method == "apps.connections.open":
            return 200, self._apps_connections_open(token), {"x-oauth-scopes": "connections:write"}
        handler = self._methods.get(method)
        if handler is None:
            return 200, _error("unknown_method"), {}
        if token is None:
            return 200, _error("not_authed"), {}
        if token in self._revoked:
            return 200, _error("token_revoked"), {}
        workspace = self._workspaces.get(token)
        if workspace is None:
            return 200, _error("invalid_auth"), {}
        headers = {"x-oauth-scopes": ",".join(workspace.scopes)}
        refused = self._refusal(method, args, workspace)
        if refused is not None:
            return 200, refused, headers
        wait = self._rate_limited(method, workspace)
        if wait is not None:
            headers["Retry-After"] = str(wait)
            return 429, _error("ratelimited"), headers
        return 200, handler(args, workspace), headers

    def _refusal(self, method: str, args: JsonDict, ws: _Workspace) -> JsonDict | None:
        """Slack's answer when the call is refused before the method runs, else None."""
        needed = slack_spec.needed_scopes(method, _str_or_none(args.get("channel")))
        if needed and not set(needed) & set(ws.scopes):
            return {
                **_error("missing_scope"),
                "needed": ",".join(needed),
                "provided": ",".join(ws.scopes),
            }
        missing = [name for name in slack_spec.required_params(method) if not args.get(name)]
        if missing:
            if "channel" in missing and "channel_not_found" in slack_spec.documented_errors(method):
                return _error("channel_not_found")
            messages = [f"[ERROR] missing required field: {name}" for name in missing]
            return {**_error("invalid_arguments"), "response_metadata": {"messages": messages}}
        if method in BLOCK_METHODS:
            return _message_refusal(args)
        if method in VIEW_METHODS:
            problems = slack_spec.view_problems(args.get("view"))
            if problems:
                messages = [f"[ERROR] {p}" for p in problems]
                return {**_error("invalid_arguments"), "response_metadata": {"messages": messages}}
        return None

    def _rate_limited(self, method: str, ws: _Workspace) -> int | None:
        """Seconds to wait when ``method`` is over its rate (history reads: one a minute)."""
        if method not in HISTORY_METHODS:
            return None
        now, last = self.clock(), self._last_read.get((ws.team_id, method))
        if last is not None and now - last < HISTORY_INTERVAL:
            return max(1, math.ceil(HISTORY_INTERVAL - (now - last)))
        self._last_read[ws.team_id, method] = now
        return None

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        text = await request.text()
        body = _loads_or_none(text) if text else {}
        args: JsonDict = {**body} if isinstance(body, dict) else {"_raw": text}
        key = request.match_info["key"]
        args["_key"] = key
        failure = self._pop_failure("response_url")
        if failure is not None:
            self._calls.append(Call("response_url", args, None, "json", failure.status, False))
            await self._notify()
            return _failure_response(failure)
        status, answer = self._response_url_answer(key, args)
        self._calls.append(Call("response_url", args, None, "json", status, status == 200))
        await self._notify()
        return web.json_response(answer, status=status)

    def _response_url_answer(self, key: str, args: JsonDict) -> tuple[int, JsonDict]:
        url = self._response_urls.get(key)
        if url is None:  # a URL the fake never gave out
            return 404, _error("invalid_url")
        if self.clock() - url.issued > RESPONSE_URL_TTL:
            return 404, _error("expired_url")
        if url.uses >= RESPONSE_URL_USES:
            return 404, _error("used_url")
        refused = _message_refusal(args)
        if refused is not None:
            return 400, refused
        if not (args.get("text") or args.get("blocks") or args.get("delete_original")):
            return 400, _error("no_text")
        url.uses += 1
        return 200, {"ok": True}

    async def _handle_upload(self, request: web.Request) -> web.Response:
        """An upload URL (the second step of an upload): raw bytes or a multipart form, as
        Slack takes both. ``fail_next("upload_url")`` fails the next one."""
        file_id = request.match_info["file_id"]
        data = await request.read()
        if request.content_type == "multipart/form-data":
            form = await request.post()
            parts = [v for v in form.values() if isinstance(v, web.FileField)]
            data = parts[0].file.read() if parts else b""
        # Not a Web API method: what it took is in ``files.uploads``, not in ``calls()``.
        failure = self._pop_failure("upload_url")
        if failure is not None:
            return _failure_response(failure)
        status, text = self.files.receive(file_id, data)
        await self._notify()
        return web.Response(text=text, status=status)

    def _files_upload_url(self, args: JsonDict, ws: _Workspace) -> JsonDict:
        return self.files.upload_url(args, ws)

    def _files_complete(self, args: JsonDict, ws: _Workspace) -> JsonDict:
        answer = self.files.complete(args, ws, ws.bot_user_id)
        for shared in answer.get("files") or []:
            upload = self.files.uploads[shared["id"]]
            if upload.channel_id is not None:  # a file share is a message in the channel
                message = self._message(
                    {"text": upload.initial_comment or "", "thread_ts": upload.thread_ts},
                    ws,
                    self._next_ts(),
                )
                message["files"] = [shared]
                self.history.setdefault(upload.channel_id, []).append(message)
        return answer

    async def _handle_socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(timeout=1.0)  # autoping answers the SDK's pings with pongs
        await ws.prepare(request)
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": len(self._sockets) + 1,
                "debug_info": {
                    "host": "fake-slack",
                    "build_number": 1,
                    "approximate_connection_time": 18060,
                },
                "connection_info": {"app_id": APP_ID},
            }
        )
        self._sockets.append(ws)
        self.socket_connected.set()
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    ack = _loads_or_none(message.data)
                    if isinstance(ack, dict):
                        self.socket_acks.append(ack)
                        await self._notify()
        finally:
            self._sockets.remove(ws)
            if not self._sockets:
                self.socket_connected.clear()
        return ws

    def _pop_failure(self, method: str) -> _Failure | None:
        queue = self._failures.get(method)
        if queue:
            return queue.popleft()
        return self._storm.next_failure(method) if self._storm is not None else None

    # -- Web API methods --------------------------------------------------------------------

    def _auth_test(self, args: JsonDict, ws: _Workspace) -> JsonDict:
        slug = ws.team_name.lower().replace(" ", "-")
        return {
            "ok": True,
            "url": f"https://{slug}.slack.com/",
            "team": ws.team_name,
            "user": "coach",
            "team_id": ws.team_id,
            "user_id": ws.bot_user_id,
            "bot_id": ws.bot_id,
            "is_enterprise_install": False,
        }

    def _auth_revoke(self, args: JsonDict, ws: _Workspace) -> JsonDict:
        if str(args.get("test", "")).lower() not in ("1", "true"):
            self._revoke(lambda w: w.bot_token == ws.bot_token)
        return {"ok": True, "revoked": True}

    def _apps_uninstall(self, args: JsonDict, ws: _Workspace) -> JsonDict:
        self._revoke(lambda w: w.team_id == ws.team_id)
        return {"ok": True}

    def _revoke(self, matches: Callable[[_Workspace], bool]) -> None:
        for token, workspace in list(self._workspaces.items()):
            if matches(workspace):
                del self._workspaces[token]
                self._revoked.add(token)

    def _conversation(self, channel: Any, ws: _Workspace) -> tuple[str | None, str | None]:
        """(channel id, None) where the bot may write, else (None, Slack's error): a user id
        means the DM with them; a channel must exist in the workspace and hold the bot."""
        found = _channel_id(channel)
        if found is None:
            return None, "channel_not_found"
        if found.startswith("D"):
            return found, None
        known = self._channels.get((ws.team_id, found))
        if known is None or (known.private and ws.bot_user_id not in known.members):
            return None, "channel_not_found"  # a private channel is invisible to non-members
        if ws.bot_user_id not in known.members:
            return None, "not_in_channel"
        return found, None

    def _chat_post_message(self, args: JsonDict, ws: _Workspace) -> JsonDict:
        channel, refused = self._conversation(args.get("channel"), ws)
        if channel is None:
            return _error(refused or "channel_not_found")
        if not (args.get("text") or args.get("blocks") or args.get("attachments")):
            return _error("no_text")
        ts = self._next_ts()
        message = self._message(args, ws, ts)
        self.history.setdefault(channel, []).append(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _conversations_history(self, args: JsonDict, ws: _Workspace) -> JsonDict:
        """Newest first, after ``oldest`` (or from it, ``inclusive``), at most ``HISTORY_LIMIT``
        a call whatever ``limit`` asks, the next page behind ``response_metadata.next_cursor``."""
        channel = _channel_id(args.get("channel"))
        if channel is None:
            return _error("channel_not_found")
        oldest = float(args.get("oldest") or 0)
        inclusive = str(args.get("inclusive", "")).lower() in ("1", "true")
        found = [
            m
            for m in reversed(self.history.get(channel, []))
            if float(m["ts"]) > oldest or (inclusive and float(m["ts"]) == oldest)
        ]
        limit = min(int(args.get("limit") or 100), HISTORY_LIMIT)
        start = int(str(args.get("cursor") or "0").removeprefix("page:") or 0)
        page = found[start : start + limit]
        more = len(found) > start + limit
        answer: JsonDict = {"ok": True, "messages": page, "has_more": more}
        answer["response_metadata"] = {"next_cursor": f"page:{start + limit}" if more else ""}
        return answer

    def _chat_post_ephemeral(self, args: JsonDict, ws: _Workspace) -> JsonDict:
        channel, refused = self._conversation(args.get("channel"), ws)
        if channel is None:
            return _error(refused or "channel_not_found")
        known = self._channels.get((ws.team_id, channel))
        if known is not None and known.people is not None and args["user"] not in known.people:
            return _error("user_not_in_channel")
        if not (args.get("text") or args.get("blocks") or args.get("attachments")):
            return _error("no_text")
        return {"ok": True, "message_ts": self._next_ts()}

    def _chat_update(self, args: JsonDict, ws: _Workspace) -> JsonDict:
        channel, ts = _channel_id(args.get("channel")), args.get("ts")
        posted = self.history.get(channel or "", [])
        if channel is None or not ts or not any(m["ts"] == ts for m in posted):
            return _error("message_not_found")
        message = self._message(args, ws, str(ts))
        return {
            "ok": True,
            "channel": channel,
            "ts": ts,
            "text": message["text"],
            "message": message,
        }

    def _message(self, args: JsonDict, ws: _Workspace, ts: str) -> JsonDict:
        message: JsonDict = {
            "type": "message",
            "user": ws.bot_user_id,
            "bot_id": ws.bot_id,
            "app_id": APP_ID,
            "team": ws.team_id,
            "text": args.get("text", ""),
            "blocks": args.get("blocks", []),
            "ts": ts,
        }
        if args.get("thread_ts"):
            message["thread_ts"] = args["thread_ts"]
        return message

    def _view(self, args: JsonDict, ws: _Workspace) -> JsonDict:
        view = args.get("view")
        if not isinstance(view, dict):
            return _error("invalid_arguments")
        if "trigger_id" in args:  # views.open and views.push spend a trigger
            refused = self._spend_trigger(str(args["trigger_id"]))
            if refused is not None:
                return _error(refused)
        view_id = args.get("view_id")
        if not view_id:
            self._views += 1
            view_id = f"V{self._views}"
        return {
            "ok": True,
            "view": {**view, "id": view_id, "team_id": ws.team_id, "app_id": APP_ID},
        }

    def _spend_trigger(self, trigger: str) -> str | None:
        if trigger not in self._triggers:
            return "invalid_trigger_id"
        issued = self._triggers[trigger]
        if issued is None:
            return "exchanged_trigger_id"
        if self.clock() - issued > self.trigger_ttl:
            return "expired_trigger_id"
        self._triggers[trigger] = None
        return None

    def _users_info(self, args: JsonDict, ws: _Workspace) -> JsonDict:
        if not args.get("user"):
            return _error("user_not_found")
        user = self._user(str(args["user"]))
        offset = datetime.now(ZoneInfo(user.tz)).utcoffset()
        return {
            "ok": True,
            "user": {
                "id": user.id,
                "team_id": ws.team_id,
                "name": user.name,
                "real_name": user.real_name,
                "tz": user.tz,
                "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
                "is_admin": user.is_admin,
                "is_owner": False,
                "is_bot": False,
                "deleted": False,
                "profile": {"real_name": user.real_name, "display_name": user.name},
            },
        }

    def _user(self, user_id: str) -> _User:
        if user_id not in self._users:
            self._users[user_id] = _User(user_id, user_id.lower(), f"User {user_id}")
        return self._users[user_id]

    def _conversations_open(self, args: JsonDict, ws: _Workspace) -> JsonDict:
        users = [u for u in str(args.get("users") or "").split(",") if u]
        if args.get("channel"):
            channel_id = str(args["channel"])
        elif len(users) == 1:
            channel_id = f"D{users[0]}"
        elif users:
            channel_id = "G" + "".join(users)
        else:
            return _error("users_list_not_supplied")
        already = channel_id in self._open_dms
        self._open_dms.add(channel_id)
        return {
            "ok": True,
            "no_op": already,
            "already_open": already,
            "channel": {"id": channel_id},
        }

    def _conversations_join(self, args: JsonDict, ws: _Workspace) -> JsonDict:
        channel = self._channels.get((ws.team_id, str(args.get("channel") or "")))
        if channel is None or (channel.private and ws.bot_user_id not in channel.members):
            return _error("channel_not_found")
        if channel.private:
            return _error("method_not_supported_for_channel_type")
        already = ws.bot_user_id in channel.members
        channel.members.add(ws.bot_user_id)
        answer: JsonDict = {
            "ok": True,
            "channel": {"id": channel.id, "name": channel.name, "is_member": True},
        }
        if already:
            answer["warning"] = "already_in_channel"
        return answer

    def _oauth_v2_access(self, args: JsonDict) -> JsonDict:
        result = self._oauth
        if result is None or not args.get("code"):
            return _error("invalid_code")
        self.add_workspace(
            result.team_id, result.bot_token, result.bot_user_id, team_name=result.team_name
        )
        return {
            "ok": True,
            "app_id": APP_ID,
            "authed_user": {"id": result.authed_user_id},
            "scope": result.scope,
            "token_type": "bot",
            "access_token": result.bot_token,
            "bot_user_id": result.bot_user_id,
            "team": {"id": result.team_id, "name": result.team_name},
            "enterprise": None,
            "is_enterprise_install": False,
        }

    def _apps_connections_open(self, token: str | None) -> JsonDict:
        if token is None:
            return _error("not_authed")
        if not token.startswith("xapp-"):
            return _error("not_allowed_token_type")
        return {"ok": True, "url": f"ws://127.0.0.1:{self._port}/socket"}

    def _next_ts(self) -> str:
        self._ts_micros = max(self._ts_micros + 1, int(self.now().timestamp() * 1_000_000))
        return f"{self._ts_micros // 1_000_000}.{self._ts_micros % 1_000_000:06d}"


# -- request and response plumbing ----------------------------------------------------------
