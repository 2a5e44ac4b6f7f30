"""Test helpers that read like a chat transcript, for the Discord adapter:

    answer = await ada.slash("goal set", capability="Transcribe clinic audio")
    saved = await ada.submit(answer.modal, metric_name="WER", direction="down")
    assert "Goal 1 set" in saved.text
    published = await ada.press("Publish to team", on=saved)

Each action pushes one gateway event from the fake Discord to the running (unmodified)
discord.py client, waits until the adapter finished answering it, and returns an ``Answer``:
every REST call the bot made meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from adapters.discord.app import DiscordApp
from bot.coach import Coach
from bot.pacing import Pacer
from bot.ports import ManualClock, Messenger
from bot.schedule.leader import Leadership
from bot.schedule.runner import Scheduler
from bot.settings import Settings
from tests.fakes.discord import MANAGE_GUILD, MEMBER_PERMISSIONS, Call, FakeDiscord, Person

TOKEN = "MTAxMDEwMTAxMDEwMTAxMDEw.GAbcde.abcdefghijklmnopqrstuvwxyz0123456789AB"
WAIT = 10.0  # seconds: a test that waits longer has found a bug, not a slow machine

# Discord's option types, by the Python type of the value a test passes.
OPTION_TYPES = {str: 3, int: 4, bool: 5, float: 10}


def settings(fake: FakeDiscord, **extra: Any) -> Settings:
    """Settings pointing at the fake, read from nothing else (no environment, no .env)."""
    values: dict[str, Any] = {
        "discord_token": TOKEN,
        "discord_api_url": fake.api_url,
        "discord_gateway_url": fake.gateway_url,
        **extra,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@dataclass
class Answer:
    """What the bot sent while answering one event, in order."""

    interaction_id: int | None
    calls: list[Call]
    fake: FakeDiscord

    @property
    def first(self) -> Call:
        """The interaction callback (the first response)."""
        (callback,) = [c for c in self.calls if c.path.endswith("/callback")]
        return callback

    @property
    def replies(self) -> list[Call]:
        """Messages shown in the interaction: the first response (if a message) and follow-ups."""
        out = []
        for call in self.calls:
            if (call.path.endswith("/callback") and call.json["type"] == 4) or (
                call.path.startswith("/webhooks/") and call.method == "POST"
            ):
                out.append(call)
        return out

    @property
    def text(self) -> str:
        """Everything shown in the interaction, joined."""
        return "\n".join(_content(c) for c in self.replies)

    @property
    def ephemeral(self) -> bool:
        return all(_flags(c) & 64 for c in self.replies)

    @property
    def modal(self) -> dict[str, Any]:
        callback = self.first
        assert callback.json["type"] == 9, f"no modal: {callback.json}"
        return dict(callback.json["data"])

    @property
    def deferred(self) -> bool:
        return self.first.json["type"] == 5

    @property
    def dms(self) -> list[str]:
        """Texts sent into DM channels, outside interactions."""
        channels = set(self.fake._dm_channels.values())
        return [
            c.content
            for c in self.calls
            if c.method == "POST"
            and c.path.startswith("/channels/")
            and int(c.path.split("/")[2]) in channels
            and c.status == 200
        ]

    @property
    def posts(self) -> list[Call]:
        """Accepted messages posted into server channels."""
        channels = set(self.fake._dm_channels.values())
        return [
            c
            for c in self.calls
            if c.method == "POST"
            and c.path.startswith("/channels/")
            and int(c.path.split("/")[2]) not in channels
            and c.status == 200
        ]

    def messages(self) -> list[dict[str, Any]]:
        """The messages the bot created while answering, as the fake stored them."""
        found = []
        for call in self.calls:
            response = call.response
            if isinstance(response, dict) and "resource" in response:
                response = response["resource"].get("message")
            if isinstance(response, dict) and "components" in response:
                found.append(response)
        return found

    def component(self, label: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """(the message, the button or select) whose label or placeholder is ``label``."""
        for message in reversed(self.messages()):
            for row in message["components"]:
                for item in row.get("components", []):
                    if label in (item.get("label"), item.get("placeholder")):
                        return message, item
        raise AssertionError(f"no component {label!r} in {self.labels()}")

    def labels(self) -> list[str]:
        return [
            str(item.get("label") or item.get("placeholder"))
            for message in self.messages()
            for row in message["components"]
            for item in row.get("components", [])
        ]


def _content(call: Call) -> str:
    data = call.json.get("data", call.json) if call.path.endswith("/callback") else call.json
    return str(data.get("content") or "")


def _flags(call: Call) -> int:
    data = call.json.get("data", call.json) if call.path.endswith("/callback") else call.json
    return int(data.get("flags") or 0)


async def _no_wait(shard_id: int | None, *, initial: bool = False) -> None:
    return None


@dataclass
class Bot:
    """The adapter under test: a ``DiscordApp`` run against the fake, restartable."""

    fake: FakeDiscord
    coach: Coach
    settings: Settings
    options: dict[str, Any] = field(default_factory=dict)
    app: DiscordApp | None = None
    task: asyncio.Task[None] | None = None

    async def start(self, shards: int = 1) -> DiscordApp:
        # No pacing here: test_messenger checks it with a clock it controls.
        options = {"guild_ready_timeout": 0.01, "pace": Pacer(0.0, 0.0), **self.options}
        self.app = DiscordApp(self.coach, self.settings, **options)
        # discord.py waits 5 s between two shards' IDENTIFY (Discord's limit); the fake has none.
        self.app.client.before_identify_hook = _no_wait  # type: ignore[method-assign]
        self.task = asyncio.create_task(self.app.run())
        connected = asyncio.create_task(self.fake.wait_connected(shards))
        done, _ = await asyncio.wait({self.task, connected}, return_when=asyncio.FIRST_COMPLETED)
        if self.task in done:
            connected.cancel()
            self.task.result()  # raises what stopped the client
        connected.result()  # raises if the shards did not connect in time
        return self.app

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        self.task = None

    async def restart(self) -> DiscordApp:
        """A new client instance (as after a process restart), same database."""
        await self.stop()
        return await self.start()

    @property
    def current(self) -> DiscordApp:
        assert self.app is not None
        return self.app

    async def deliver(
        self, event: str, payload: dict[str, Any], guild_id: int | None, key: str
    ) -> Answer:
        """Push one gateway event; wait until the adapter finished answering ``key``."""
        start = len(self.fake.calls)
        await self.fake.push(event, payload, guild_id)
        async with asyncio.timeout(WAIT):
            await self.current.dispatcher.inflight.finished(key)
        interaction = int(payload["id"]) if event == "INTERACTION_CREATE" else None
        return Answer(interaction, self.fake.calls[start:], self.fake)


def scheduler(coach: Coach, clock: ManualClock, messenger: Messenger) -> Scheduler:
    """The core's scheduler sending through ``messenger``, with a lock key of its own, so that
    parallel test runs on one PostgreSQL never meet."""
    leadership = Leadership(coach.db, key=random.getrandbits(62))
    return Scheduler(coach.db, clock, {"discord": messenger}, coach.prompts, leadership=leadership)


@contextlib.asynccontextmanager
async def running(fake: FakeDiscord, coach: Coach) -> AsyncIterator[Bot]:
    """The bot connected to ``fake`` for the block, stopped after it."""
    bot = Bot(fake, coach, settings(fake))
    await bot.start()
    try:
        yield bot
    finally:
        await bot.stop()


@dataclass
class Researcher:
    """A member of one server, acting through Discord."""

    bot: Bot
    person: Person
    guild_id: int
    channel_id: int
    admin: bool = False

    @property
    def fake(self) -> FakeDiscord:
        return self.bot.fake

    @property
    def user_id(self) -> str:
        return str(self.person.id)

    def _interaction(
        self, kind: int, data: dict[str, Any], message: dict[str, Any] | None, in_dm: bool
    ) -> dict[str, Any]:
        permissions = MEMBER_PERMISSIONS | (MANAGE_GUILD if self.admin else 0)
        guild = None if in_dm else self.guild_id
        channel = None if in_dm else self.channel_id
        return self.fake.interaction(
            kind, self.person, guild, channel, data, permissions=permissions, message=message
        )

    async def _send(self, payload: dict[str, Any], in_dm: bool = False) -> Answer:
        guild = None if in_dm else self.guild_id
        return await self.bot.deliver("INTERACTION_CREATE", payload, guild, str(payload["id"]))

    async def slash(self, line: str, **options: Any) -> Answer:
        """``/line`` with options, e.g. ``slash("goal update", value=0.3, number=1)``."""
        name, *sub = line.split()
        given: list[dict[str, Any]] = []
        users: dict[str, Any] = {}
        for key, value in options.items():
            if isinstance(value, Person):  # a user option: Discord sends the id and the user
                given.append({"type": 6, "name": key, "value": str(value.id)})
                users[str(value.id)] = value.payload()
            elif value is not None:
                given.append({"type": OPTION_TYPES[type(value)], "name": key, "value": value})
        data: dict[str, Any] = {"id": "1", "name": name, "type": 1, "options": given}
        for level in reversed(sub):  # "coach team admin": a group, a subgroup, a command
            data["options"] = [{"type": 1, "name": level, "options": data["options"]}]
        if len(sub) == 2:
            data["options"][0]["type"] = 2  # the outer level is a subcommand group
        if users:
            data["resolved"] = {"users": users}
        return await self._send(self._interaction(2, data, None, in_dm=False))

    async def autocomplete(self, line: str, option: str, typed: str) -> list[dict[str, Any]]:
        """The suggestions Discord would show while typing ``typed`` into ``option``."""
        name, *sub = line.split()
        focused = {"type": 3, "name": option, "value": typed, "focused": True}
        data: dict[str, Any] = {"id": "1", "name": name, "type": 1, "options": [focused]}
        if sub:
            data["options"] = [{"type": 1, "name": sub[0], "options": [focused]}]
        payload = self._interaction(4, data, None, in_dm=False)
        await self.fake.push("INTERACTION_CREATE", payload, self.guild_id)
        interaction_id = int(payload["id"])
        await self.fake.wait_until(lambda: bool(self.fake.answers_to(interaction_id)), WAIT)
        (callback,) = self.fake.answers_to(interaction_id)
        assert callback.json["type"] == 8
        return list(callback.json["data"]["choices"])

    async def submit(self, modal: dict[str, Any], in_dm: bool = False, **values: str) -> Answer:
        """Fill in a modal (fields not given keep what the modal showed) and submit it."""
        components = []
        for label in modal["components"]:
            inner = label["component"]
            name = inner["custom_id"]
            if inner["type"] == 4:
                value = values.pop(name, inner.get("value") or "")
                components.append(
                    {"type": 18, "component": {"type": 4, "custom_id": name, "value": value}}
                )
            else:
                defaults = [o["value"] for o in inner["options"] if o.get("default")]
                chosen = [values.pop(name)] if name in values else defaults
                components.append(
                    {"type": 18, "component": {"type": 3, "custom_id": name, "values": chosen}}
                )
        assert not values, f"the modal has no field {sorted(values)}"
        data = {"custom_id": modal["custom_id"], "components": components}
        return await self._send(self._interaction(5, data, None, in_dm), in_dm)

    async def press(self, label: str, on: Answer, in_dm: bool = False) -> Answer:
        """Press the button labelled ``label`` on a message of ``on``."""
        message, button = on.component(label)
        data = {"custom_id": button["custom_id"], "component_type": 2}
        return await self._send(self._interaction(3, data, message, in_dm), in_dm)

    async def choose(self, placeholder: str, value: str, on: Answer) -> Answer:
        """Choose ``value`` in the select menu whose placeholder is ``placeholder``."""
        message, select = on.component(placeholder)
        data = {"custom_id": select["custom_id"], "component_type": 3, "values": [value]}
        return await self._send(self._interaction(3, data, message, in_dm=False))

    async def dm(self, text: str) -> Answer:
        """Write ``text`` to the bot in DM."""
        payload = self.fake.dm_message(self.person, text)
        return await self.bot.deliver("MESSAGE_CREATE", payload, None, str(payload["id"]))
