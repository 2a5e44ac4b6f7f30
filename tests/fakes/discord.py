"""A fake Discord on 127.0.0.1 port 0: the REST API under ``/api/v10`` and a gateway websocket.

It follows the recipe in platform-facts.md, so an unmodified discord.py client runs against it:

- REST answers ``GET /gateway``, ``GET /gateway/bot``, ``GET /users/@me``,
  ``GET /oauth2/applications/@me`` (``fake.application``; with ``fake.bot_token`` set, another
  token gets 401), command sync (``PUT``) and listing, interaction callbacks
  (with an ``{"interaction": {...}}`` body, never 204), webhook follow-ups, ``GET
  /guilds/{id}/members/{user}`` (10007 after ``leave``), ``POST
  /users/@me/channels`` (open a DM) and ``POST /channels/{id}/messages``. JSON responses carry
  ``Content-Type: application/json`` exactly; a 429 carries ``Via`` and ``retry_after``.
- The gateway sends HELLO, takes IDENTIFY, sends READY and one GUILD_CREATE per guild of the
  shard, answers heartbeats, then sends whatever the test pushes (INTERACTION_CREATE,
  MESSAGE_CREATE, GUILD_DELETE), routed to the shard that owns the guild (DMs: shard 0).

Every REST request is recorded as a ``Call``; tests assert on the JSON the fake received.

>>> fake = await FakeDiscord().start()
>>> discord.http.Route.BASE = fake.api_url
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes import created, discord_files, discord_spec
from tests.fakes.discord_spec_interactions import InteractionLife
from tests.fakes.discord_spec_rate_limits import RateLimits

API_PREFIX = "/api/v10"
APPLICATION_ID = 900_000_000_000_000_001
BOT_USER = {
    "id": str(APPLICATION_ID),
    "username": "Research Coach",
    "global_name": None,
    "discriminator": "0",
    "avatar": None,
    "bot": True,
}
EPHEMERAL = 64
# The Manage Server permission bit: is_admin in the coach.
MANAGE_GUILD = 1 << 5
MEMBER_PERMISSIONS = (1 << 10) | (1 << 11)  # View Channel, Send Messages


@dataclass
class Call:
    """One REST request as the fake received it, and what it answered."""

    method: str
    path: str  # without the API prefix, e.g. "/channels/5/messages"
    query: dict[str, str]
    json: Any  # the JSON body; for multipart, the payload_json part
    files: dict[str, bytes]  # filename → bytes, of each files[n] part
    at: float  # time.perf_counter() on arrival
    status: int = 200
    response: Any = None  # the JSON the fake answered
    # Each files[n] part as sent (its field name, filename, content type, bytes).
    uploads: list[discord_files.Upload] = field(default_factory=list)

    @property
    def content(self) -> str:
        data = self.json.get("data", self.json) if isinstance(self.json, dict) else {}
        return str(data.get("content") or "") if isinstance(data, dict) else ""


@dataclass
class Person:
    """A Discord user, as the fake sends them in payloads."""

    id: int
    name: str

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.name.lower(),
            "global_name": self.name,
            "discriminator": "0",
            "avatar": None,
        }


@dataclass
class Guild:
    id: int
    name: str
    channels: tuple[int, ...]
    threads: dict[int, int] = field(default_factory=dict)  # thread id → parent channel id
    left: set[int] = field(default_factory=set)  # user ids no longer members (10007)


@dataclass
class Session:
    """One gateway connection (one shard)."""

    ws: web.WebSocketResponse
    shard: tuple[int, int] = (0, 1)
    identify: dict[str, Any] = field(default_factory=dict)
    seq: int = 0
    ready: asyncio.Event = field(default_factory=asyncio.Event)

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        self.seq += 1
        await self.ws.send_str(json.dumps({"op": 0, "t": event, "s": self.seq, "d": data}))


@dataclass
class RateLimit:
    method: str
    path: re.Pattern[str]
    retry_after: float


@dataclass
class Storm:
    """Every matching request fails, ``statuses`` in turn, until ``FakeDiscord.calm()``."""

    method: str
    path: re.Pattern[str]
    statuses: tuple[int, ...]
    retry_after: float
    answered: int = 0


class FakeDiscord:
    """REST and gateway of a fake Discord; see the module docstring."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.guilds: dict[int, Guild] = {}
        self.sessions: list[Session] = []
        self.refuse_dms: set[int] = set()  # user ids whose DMs fail with 50007
        self.forbidden: set[int] = set()  # channel ids where the bot may not post (50013)
        # Channel ids where the bot lacks Attach Files: a message with files is 50013 there.
        self.no_attach_files: set[int] = set()
        self.commands: dict[str, list[dict[str, Any]]] = {}  # "global" or guild id → synced
        # What GET /oauth2/applications/@me answers; tests change its flags and settings.
        self.application: dict[str, Any] = _application()
        # When set, REST calls with another bot token get 401 (interactions and webhooks carry
        # their own token and are not checked).
        self.bot_token: str | None = None
        self.messages: dict[int, dict[str, Any]] = {}  # every message the bot created, by id
        # Dates new messages: their ids are snowflakes of it, as Discord's are (history's
        # ``after=<datetime>`` compares ids). Tests on a ManualClock set it to that clock.
        self.now: Callable[[], datetime] = lambda: datetime.now(UTC)
        # As strict as Discord: bodies checked against its published schema and limits (400
        # 50035), interaction tokens answered once within 3 s and followed up for 15 minutes,
        # rate limits per route and 50 requests a second for the whole bot. Time for the last
        # two comes from ``life.clock`` and ``limits.clock``, so tests move it.
        self.strict = True
        # Each file's size limit (Discord's default; more with boosts): 413, 40005 beyond it.
        self.upload_limit = discord_files.UPLOAD_LIMIT
        self.life = InteractionLife()
        self.limits = RateLimits()
        self._last_message = 0
        self._limits: list[RateLimit] = []
        self._storm: Storm | None = None
        self._tokens: dict[str, int] = {}  # interaction token → interaction id
        self._where: dict[int, int] = {}  # interaction id → its channel id
        self._dm_channels: dict[int, int] = {}  # user id → DM channel id
        self._ids = itertools.count(1_100_000_000_000_000_000)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0
        created.append(self)  # the suite's privacy check reads what it was sent

    # --- life cycle -----------------------------------------------------------------------

    async def start(self) -> FakeDiscord:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        return self

    async def close(self) -> None:
        for session in self.sessions:
            await session.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # --- set-up by tests --------------------------------------------------------------------

    def add_guild(self, guild_id: int, name: str, *channels: int) -> Guild:
        guild = Guild(guild_id, name, channels)
        self.guilds[guild_id] = guild
        return guild

    def leave(self, guild_id: int, user_id: int) -> None:
        """``user_id`` leaves the guild: ``GET /guilds/{id}/members/{user}`` answers 10007.
        (The bot declares no members intent, so no GUILD_MEMBER_REMOVE is sent.)"""
        self.guilds[guild_id].left.add(user_id)

    def rate_limit_once(self, method: str, path: str, retry_after: float) -> None:
        """Answer the next ``method`` request whose path matches ``path`` with a 429."""
        self._limits.append(RateLimit(method, re.compile(path), retry_after))

    def storm(
        self,
        method: str,
        path: str,
        statuses: tuple[int, ...] = (500, 429, 503),
        retry_after: float = 0.05,
    ) -> None:
        r"""Answer every ``method`` request whose path matches ``path`` with ``statuses`` in
        turn (a 429 with ``retry_after``) until ``calm()``.

        Example: ``fake.storm("POST", r"/channels/\d+/messages"); ...; fake.calm()``
        """
        self._storm = Storm(method, re.compile(path), statuses, retry_after)

    def calm(self) -> None:
        """End the storm: requests are answered normally again."""
        self._storm = None

    def new_id(self) -> int:
        return next(self._ids)

    # --- reading what happened ---------------------------------------------------------------

    def find(self, method: str, path: str) -> list[Call]:
        """The calls whose method matches and whose path matches the regular expression."""
        pattern = re.compile(path)
        return [c for c in self.calls if c.method == method and pattern.fullmatch(c.path)]

    def answers_to(self, interaction_id: int) -> list[Call]:
        """The callback and follow-ups of one interaction, in the order they arrived."""
        tokens = {t for t, i in self._tokens.items() if i == interaction_id}
        return [
            c
            for c in self.calls
            if c.path.startswith(f"/interactions/{interaction_id}/")
            or any(c.path.startswith(f"/webhooks/{APPLICATION_ID}/{t}") for t in tokens)
        ]

    def posted_in(self, channel_id: int) -> list[Call]:
        """Messages the bot sent with ``POST /channels/{id}/messages`` that were accepted."""
        return [
            c for c in self.find("POST", rf"/channels/{channel_id}/messages") if c.status == 200
        ]

    def dm_channel_of(self, user_id: int) -> int | None:
        return self._dm_channels.get(user_id)

    def unexpected(self) -> list[Call]:
        """Requests the fake does not know: each is a gap in the fake or a bug."""
        return [c for c in self.calls if c.status == 404 and c.response.get("code") == 0]

    async def wait_until(self, check: Callable[[], bool], within: float = 5.0) -> None:
        """Wait until ``check()`` holds; it is re-checked after every request and connection."""
        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(check)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # --- gateway -----------------------------------------------------------------------------

    async def wait_connected(self, shards: int = 1, within: float = 5.0) -> None:
        """Wait until ``shards`` sessions got READY and their guilds."""

        def ready() -> bool:
            return sum(1 for s in self.live_sessions() if s.ready.is_set()) >= shards

        await self.wait_until(ready, within)

    def live_sessions(self) -> list[Session]:
        return [s for s in self.sessions if not s.ws.closed]

    def shard_of(self, guild_id: int | None, count: int) -> int:
        return 0 if guild_id is None else (guild_id >> 22) % count

    async def push(
        self,
        event: str,
        data: dict[str, Any],
        guild_id: int | None = None,
        to: Session | None = None,
    ) -> None:
        """Send a DISPATCH to the live session of the shard that owns ``guild_id`` (or to
        ``to``, when several clients are connected)."""
        if to is not None:
            await to.dispatch(event, data)
            return
        for session in self.live_sessions():
            if session.ready.is_set() and session.shard[0] == self.shard_of(
                guild_id, session.shard[1]
            ):
                await session.dispatch(event, data)
                return
        shards = [(s.shard, s.ready.is_set(), s.ws.closed) for s in self.sessions]
        raise AssertionError(f"no connected shard for guild {guild_id}: {shards}")

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        session = Session(ws)
        self.sessions.append(session)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 45_000}}))
        async for message in ws:
            if message.type != WSMsgType.TEXT:
                continue
            payload = json.loads(message.data)
            if payload["op"] == 1:  # heartbeat
                await ws.send_str(json.dumps({"op": 11}))
            elif payload["op"] == 2:  # identify
                await self._identified(session, payload["d"])
        await self._notify()
        return ws

    async def _identified(self, session: Session, identify: dict[str, Any]) -> None:
        session.identify = identify
        shard_id, count = identify.get("shard") or [0, 1]
        session.shard = (shard_id, count)
        mine = [g for g in self.guilds.values() if self.shard_of(g.id, count) == shard_id]
        await session.dispatch(
            "READY",
            {
                "v": 10,
                "user": BOT_USER,
                "guilds": [{"id": str(g.id), "unavailable": True} for g in mine],
                "session_id": f"session-{len(self.sessions)}",
                "resume_gateway_url": self.gateway_url,
                "application": {"id": str(APPLICATION_ID), "flags": 0},
                "shard": [shard_id, count],
            },
        )
        for guild in mine:
            await session.dispatch("GUILD_CREATE", self._guild_payload(guild))
        session.ready.set()
        await self._notify()

    def _guild_payload(self, guild: Guild) -> dict[str, Any]:
        channels = [
            {
                "id": str(c),
                "type": 0,
                "name": f"channel-{c}",
                "position": i,
                "guild_id": str(guild.id),
            }
            for i, c in enumerate(guild.channels)
        ]
        threads = [
            {
                "id": str(t),
                "type": 11,
                "name": f"thread-{t}",
                "parent_id": str(p),
                "guild_id": str(guild.id),
                "owner_id": "1",
                "message_count": 0,
                "member_count": 1,
                "thread_metadata": {
                    "archived": False,
                    "auto_archive_duration": 1440,
                    "archive_timestamp": "2026-11-02T09:00:00+00:00",
                    "locked": False,
                },
            }
            for t, p in guild.threads.items()
        ]
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "owner_id": "1",
            "roles": [
                {"id": str(guild.id), "name": "@everyone", "permissions": "0", "position": 0}
            ],
            "emojis": [],
            "features": [],
            "member_count": 2,
            "large": False,
            "unavailable": False,
            "channels": channels,
            "threads": threads,
            "members": [],
            "voice_states": [],
            "presences": [],
            "stickers": [],
            "joined_at": "2026-11-01T09:00:00+00:00",
        }

    # --- REST --------------------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body, multipart = await self._body(request)
        files = {u.filename or u.field: u.data for u in multipart.uploads} if multipart else {}
        call = Call(request.method, path, dict(request.query), body, files, time.perf_counter())
        call.uploads = multipart.uploads if multipart else []
        self.calls.append(call)
        try:
            status, answer, headers = self._handle(call, request, multipart)
            call.status, call.response = status, answer
            self.limits.answered(status, headers)
            if status == 204:
                return web.Response(status=204, headers=headers)
            return _json(answer, status, headers)
        finally:
            await self._notify()

    def _handle(
        self, call: Call, request: web.Request, multipart: discord_files.Multipart | None = None
    ) -> tuple[int, Any, dict[str, str]]:
        """Discord's order: authentication, rate limits, the body's form, then the route."""
        if not self._authorized(request, call.path):
            return 401, {"message": "401: Unauthorized", "code": 0}, {}
        headers, limited = self.limits.admit(call.method, call.path)
        if limited is not None and self.strict:
            return limited
        once = self._rate_limited(call)
        if once is not None:
            return once
        stormed = self._stormed(call)
        if stormed is not None:
            return stormed
        refused = (
            discord_files.refusal(multipart, call.path, self.upload_limit) if multipart else None
        )
        if refused is not None and self.strict:
            return *refused, headers
        errors = discord_spec.problems(call.method, call.path, call.json)
        if errors and self.strict:
            return 400, {"code": 50035, "message": "Invalid Form Body", "errors": errors}, headers
        if self.strict and discord_files.empty_message(
            call.method, call.path, call.json, call.uploads
        ):
            return 400, {"code": 50006, "message": "Cannot send an empty message"}, headers
        status, answer = self._answer(call)
        if multipart is not None and multipart.uploads and status < 300:
            self._attach(answer, multipart, call.path)
        return status, answer, headers

    async def _body(self, request: web.Request) -> tuple[Any, discord_files.Multipart | None]:
        if request.content_type.startswith("multipart/"):
            multipart = await discord_files.read(request)
            return multipart.json, multipart
        text = await request.text()
        return (json.loads(text) if text else None), None

    def _attach(self, answer: Any, body: discord_files.Multipart, path: str) -> None:
        """The created message lists its files, as Discord's attachment objects."""
        resource = answer.get("resource") if isinstance(answer, dict) else None
        message = resource.get("message") if isinstance(resource, dict) else answer
        if isinstance(message, dict) and "attachments" in message:
            cdn = f"http://127.0.0.1:{self.port}/cdn/{message['channel_id']}"
            message["attachments"] = discord_files.attachment_objects(body, path, self._ids, cdn)

    def _authorized(self, request: web.Request, path: str) -> bool:
        if self.bot_token is None or path.startswith(("/interactions/", "/webhooks/")):
            return True
        return request.headers.get("Authorization") == f"Bot {self.bot_token}"

    def _rate_limited(self, call: Call) -> tuple[int, Any, dict[str, str]] | None:
        for limit in self._limits:
            if limit.method == call.method and limit.path.fullmatch(call.path):
                self._limits.remove(limit)
                return _too_many(limit.retry_after)
        return None

    def _stormed(self, call: Call) -> tuple[int, Any, dict[str, str]] | None:
        storm = self._storm
        if storm is None or storm.method != call.method or not storm.path.fullmatch(call.path):
            return None
        status = storm.statuses[storm.answered % len(storm.statuses)]
        storm.answered += 1
        if status == 429:
            return _too_many(storm.retry_after)
        return status, {"message": "Service unavailable (a fake storm)", "code": 0}, {}

    def _answer(self, call: Call) -> tuple[int, Any]:
        for method, pattern, handler in self._routes():
            match = re.fullmatch(pattern, call.path)
            if method == call.method and match is not None:
                return handler(call, *match.groups())
        return 404, {"message": "404: Not Found (not faked)", "code": 0}

    def _routes(self) -> Iterator[tuple[str, str, Callable[..., tuple[int, Any]]]]:
        app = APPLICATION_ID
        yield "GET", r"/gateway", lambda c: (200, {"url": self.gateway_url})
        yield "GET", r"/gateway/bot", self._gateway_bot
        yield "GET", r"/users/@me", lambda c: (200, BOT_USER)
        yield "GET", r"/oauth2/applications/@me", lambda c: (200, self.application)
        yield "PUT", rf"/applications/{app}/commands", self._sync
        yield "PUT", rf"/applications/{app}/guilds/(\d+)/commands", self._sync
        yield (
            "GET",
            rf"/applications/{app}/commands",
            lambda c: (200, self.commands.get("global", [])),
        )
        yield "POST", r"/interactions/(\d+)/([^/]+)/callback", self._callback
        yield "POST", rf"/webhooks/{app}/([^/]+)", self._followup
        yield "PATCH", rf"/webhooks/{app}/([^/]+)/messages/(@original|\d+)", self._edit
        yield "DELETE", rf"/webhooks/{app}/([^/]+)/messages/(@original|\d+)", self._delete
        yield "POST", r"/users/@me/channels", self._open_dm
        yield "GET", r"/guilds/(\d+)/members/(\d+)", self._member
        yield "POST", r"/channels/(\d+)/messages", self._channel_message
        yield "GET", r"/channels/(\d+)/messages", self._channel_history
        yield "POST", r"/channels/(\d+)/messages/(\d+)/threads", self._start_thread

    def _gateway_bot(self, call: Call) -> tuple[int, Any]:
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        return 200, {"url": self.gateway_url, "shards": 1, "session_start_limit": limit}

    def _sync(self, call: Call, guild: str | None = None) -> tuple[int, Any]:
        synced = [
            {
                # application-commands.mdx: "description ... Empty string for USER and
                # MESSAGE commands", which a body may leave out; Discord answers it.
                "description": "",
                **command,
                "id": str(self.new_id()),
                "application_id": str(APPLICATION_ID),
                "version": "1",
            }
            for command in call.json
        ]
        if guild is not None:
            for command in synced:
                command["guild_id"] = guild
        self.commands[guild or "global"] = synced
        return 200, synced

    def _callback(self, call: Call, interaction_id: str, token: str) -> tuple[int, Any]:
        refused = self.life.callback(int(interaction_id)) if self.strict else None
        if refused is not None:
            return refused
        self._tokens[token] = int(interaction_id)
        kind = call.json["type"]
        data = call.json.get("data") or {}
        flags = int(data.get("flags") or 0)
        interaction: dict[str, Any] = {"id": interaction_id, "type": 2}
        resource: dict[str, Any] = {"type": kind}
        if kind in (4, 5):  # a message, or "thinking…"
            message = self._message(self._where.get(int(interaction_id), 0), data, flags)
            interaction.update(
                response_message_id=message["id"],
                response_message_loading=kind == 5,
                response_message_ephemeral=bool(flags & EPHEMERAL),
            )
            resource["message"] = message
        return 200, {"interaction": interaction, "resource": resource}

    def _followup(self, call: Call, token: str) -> tuple[int, Any]:
        refused = self.life.follow_up(token) if self.strict else None
        if refused is not None:
            return refused
        flags = int((call.json or {}).get("flags") or 0)
        channel = self._where.get(self._tokens.get(token, 0), 0)
        return 200, self._message(channel, call.json or {}, flags)

    def _edit(self, call: Call, token: str, message: str) -> tuple[int, Any]:
        refused = self.life.follow_up(token) if self.strict else None
        if refused is not None:
            return refused
        return 200, self._message(0, call.json or {}, 0)

    def _delete(self, call: Call, token: str, message: str) -> tuple[int, Any]:
        refused = self.life.follow_up(token) if self.strict else None
        if refused is not None:
            return refused
        return 204, None

    def _member(self, call: Call, guild_id: str, user_id: str) -> tuple[int, Any]:
        guild = self.guilds.get(int(guild_id))
        if guild is None:
            return 404, {"message": "Unknown Guild", "code": 10004}
        if int(user_id) in guild.left:
            return 404, {"message": "Unknown Member", "code": 10007}
        user = Person(int(user_id), f"user{user_id}").payload()
        joined = "2026-11-01T09:00:00+00:00"
        return 200, {"user": user, "roles": [], "joined_at": joined, "deaf": False, "mute": False}

    def _open_dm(self, call: Call) -> tuple[int, Any]:
        user = int(call.json["recipient_id"])
        channel = self._dm_channels.setdefault(user, self.new_id())
        recipient = {
            "id": str(user),
            "username": f"user{user}",
            "discriminator": "0",
            "avatar": None,
        }
        return 200, {
            "id": str(channel),
            "type": 1,
            "recipients": [recipient],
            "last_message_id": None,
        }

    def _known_channels(self) -> set[int]:
        known = set(self._dm_channels.values())
        for guild in self.guilds.values():
            known |= {*guild.channels, *guild.threads}
        return known

    def _start_thread(self, call: Call, channel: str, message: str) -> tuple[int, Any]:
        (guild,) = [g for g in self.guilds.values() if int(channel) in g.channels]
        if int(message) in guild.threads:
            return 400, {"message": "A thread has already been created", "code": 160004}
        guild.threads[int(message)] = int(channel)
        return 201, {
            "id": message,
            "type": 11,
            "parent_id": channel,
            "guild_id": str(guild.id),
            "name": call.json["name"],
            "owner_id": str(APPLICATION_ID),
            "message_count": 0,
            "member_count": 1,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": call.json["auto_archive_duration"],
                "archive_timestamp": "2026-11-02T09:00:00+00:00",
                "locked": False,
            },
        }

    def _channel_message(self, call: Call, channel: str) -> tuple[int, Any]:
        if int(channel) not in self._known_channels():
            return 404, {"message": "Unknown Channel", "code": 10003}
        refused = {c for u, c in self._dm_channels.items() if u in self.refuse_dms}
        if int(channel) in refused:
            return 403, {"message": "Cannot send messages to this user", "code": 50007}
        if int(channel) in self.forbidden or (
            call.uploads and int(channel) in self.no_attach_files
        ):
            return 403, {"message": "Missing Permissions", "code": 50013}
        return 200, self._message(int(channel), call.json or {}, 0)

    def _channel_history(self, call: Call, channel: str) -> tuple[int, Any]:
        """GET /channels/{id}/messages: newest first, ``after``/``before`` ids, ``limit``."""
        if int(channel) not in self._known_channels():
            return 404, {"message": "Unknown Channel", "code": 10003}
        after, before = int(call.query.get("after", 0)), int(call.query.get("before", 2**63))
        found = [
            m
            for i, m in sorted(self.messages.items(), reverse=True)
            if m["channel_id"] == channel and after < i < before
        ]
        return 200, found[: int(call.query.get("limit", 50))]

    def _message(self, channel: int, data: dict[str, Any], flags: int) -> dict[str, Any]:
        self._last_message = max(self._last_message + 1, time_snowflake(self.now()))
        message = {
            "id": str(self._last_message),
            "channel_id": str(channel),
            "author": BOT_USER,
            "content": data.get("content") or "",
            "timestamp": "2026-11-02T09:00:00+00:00",
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "pinned": False,
            "type": 0,
            "flags": flags,
            "components": data.get("components") or [],
        }
        self.messages[int(message["id"])] = message
        return message

    # --- payloads the gateway pushes ----------------------------------------------------------

    def interaction(
        self,
        kind: int,
        user: Person,
        guild_id: int | None,
        channel_id: int | None,
        data: dict[str, Any],
        *,
        permissions: int = MEMBER_PERMISSIONS,
        message: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """An INTERACTION_CREATE payload: ``kind`` 2 command, 3 component, 4 autocomplete,
        5 modal submit."""
        interaction_id = self.new_id()
        token = f"token-{interaction_id}"
        self._tokens[token] = interaction_id
        self.life.issued(interaction_id, token)
        payload: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(APPLICATION_ID),
            "type": kind,
            "data": data,
            "token": token,
            "version": 1,
            "locale": "en-US",
            "app_permissions": str(MEMBER_PERMISSIONS),
            "attachment_size_limit": 10 * 1024 * 1024,
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild_id or user.id)},
            "context": 0 if guild_id else 1,
        }
        if guild_id is not None:
            guild = self.guilds[guild_id]
            parent = guild.threads.get(channel_id or 0)
            payload["guild_id"] = str(guild_id)
            payload["guild_locale"] = "en-US"
            payload["member"] = {
                "user": user.payload(),
                "roles": [],
                "joined_at": "2026-11-01T09:00:00+00:00",
                "deaf": False,
                "mute": False,
                "flags": 0,
                "permissions": str(permissions),
            }
            channel: dict[str, Any] = {"id": str(channel_id), "type": 0, "guild_id": str(guild_id)}
            if parent is not None:
                channel.update(type=11, parent_id=str(parent))
            payload["channel"] = channel
            payload["channel_id"] = str(channel_id)
        else:
            dm = self._dm_channels.setdefault(user.id, self.new_id())
            payload["user"] = user.payload()
            payload["channel"] = {"id": str(dm), "type": 1, "recipients": [user.payload()]}
            payload["channel_id"] = str(dm)
        self._where[interaction_id] = int(payload["channel_id"])
        if message is not None:
            payload["message"] = message
        return payload

    def dm_message(self, user: Person, text: str) -> dict[str, Any]:
        """A MESSAGE_CREATE payload: ``user`` writes ``text`` in their DM with the bot."""
        channel = self._dm_channels.setdefault(user.id, self.new_id())
        return self.message(user, channel, text)

    def message(self, author: Person, channel_id: int, text: str) -> dict[str, Any]:
        """A message object (message.mdx): ``author`` wrote ``text`` in ``channel_id``. An
        app without the message content intent gets ``text`` "" for most messages."""
        return {
            "id": str(self.new_id()),
            "channel_id": str(channel_id),
            "author": author.payload(),
            "content": text,
            "timestamp": "2026-11-02T09:00:00+00:00",
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
            "components": [],
        }


def _application() -> dict[str, Any]:
    return {
        "id": str(APPLICATION_ID),
        "name": "Research Coach",
        "icon": None,
        "description": "",
        "bot_public": True,
        "bot_require_code_grant": False,
        "owner": BOT_USER,
        "verify_key": "0" * 64,
        "flags": 0,
        "summary": "",
        "team": None,
    }


def _too_many(retry_after: float) -> tuple[int, Any, dict[str, str]]:
    payload = {
        "message": "You are being rate limited.",
        "retry_after": retry_after,
        "global": False,
    }
    headers = {
        # Without Via discord.py takes a 429 for a Cloudflare ban.
        "Via": "1.1 google",
        "Retry-After": str(max(1, math.ceil(retry_after))),
        "X-RateLimit-Limit": "5",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
        "X-RateLimit-Reset-After": str(retry_after),
        "X-RateLimit-Bucket": "fake-bucket",
        "X-RateLimit-Scope": "user",
    }
    return 429, payload, headers


def _json(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # discord.py checks the content type exactly: no "; charset=utf-8".
    response = web.Response(body=json.dumps(payload).encode(), status=status, headers=headers or {})
    response.headers["Content-Type"] = "application/json"
    return response


@contextlib.contextmanager
def pointed_at(fake: FakeDiscord) -> Iterator[None]:
    """Point discord.py's REST root and gateway at ``fake``; restore both afterwards."""
    import discord.gateway
    import discord.http
    import yarl

    base, gateway = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = fake.api_url
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE = base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = gateway


DISCORD_EPOCH_MS = 1_420_070_400_000


def time_snowflake(at: datetime) -> int:
    """The lowest snowflake of the millisecond ``at``, as Discord numbers its ids."""
    return (int(at.timestamp() * 1000) - DISCORD_EPOCH_MS) << 22
