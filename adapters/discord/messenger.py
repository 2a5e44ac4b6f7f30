"""The core's ``Messenger`` on Discord: DM a member, post to a channel or a thread.

Every send is paced with the core's ``Pacer`` (Discord allows about five messages per five
seconds in a channel, and fifty requests a second for the whole bot, every guild together:
the pacer shares one interval across guilds); discord.py still honours any 429 Discord
answers, so pacing only makes them rare. A member or channel that answered 403 is not tried
again for a while, and sends are held back while invalid requests pile up (``refusals``).
Text is escaped and fitted into Discord's 2000 characters (split, or cut with a note), and
every message carries ``allowed_mentions: {"parse": []}`` from the client's default.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Literal

import discord

from adapters.discord import sanitize
from adapters.discord.charts import attachment
from adapters.discord.components import CoachButton, inert_view
from adapters.discord.refusals import HeldBack, Refusals
from adapters.discord.translate import guild_of
from bot.events import Button, Chart, Content, TenantRef, plain
from bot.pacing import Pacer
from bot.ports import Recipient
from bot.prompts import Prompts, load_prompts

log = logging.getLogger(__name__)

CANNOT_DM = 50007  # Discord: "Cannot send messages to this user"
UNKNOWN_MEMBER = 10007
UNKNOWN_CHANNEL = 10003
THREAD_EXISTS = 160004  # "A thread has already been created for this message"
THREAD_ARCHIVE_MINUTES: Literal[10080] = 10080  # a week: the digest's period
HISTORY_PAGE = 100  # messages read back per look: one request
BUTTONS_PER_MESSAGE = 25
GLOBAL_LIMIT = 50  # requests a second for the whole bot (rate-limits.mdx)
HEADROOM = 0.8  # paced sends use 40 of them: room for interaction answers and DM opens

RecordRefusal = Callable[[TenantRef, str], Awaitable[None]]
RecordDeparture = Callable[[TenantRef, str], Awaitable[None]]
DmSent = Callable[[TenantRef, str], None]


class DmRefused(Exception):
    """The member does not accept DMs from this server's members (Discord error 50007)."""

    def __init__(self, user_id: str) -> None:
        super().__init__(f"member {user_id} does not accept DMs")
        self.user_id = user_id


class MemberGone(Exception):
    """The member is no longer in the server the message is for (Discord error 10007)."""

    def __init__(self, user_id: str, guild_id: str) -> None:
        super().__init__(f"member {user_id} left guild {guild_id}")
        self.user_id = user_id
        self.guild_id = guild_id


class ChannelRefused(Exception):
    """The bot may not post in this channel (a 403 there lately): not tried again for now."""

    def __init__(self, channel_id: str) -> None:
        super().__init__(f"channel {channel_id} refuses the bot's posts")
        self.channel_id = channel_id


def pacer(limit: int = GLOBAL_LIMIT, per: float = 1.0) -> Pacer:
    """Discord's pace: a message a second in a channel, and ``HEADROOM`` of ``limit`` requests
    per ``per`` seconds across the whole bot, whichever guilds they go to."""
    interval = per / (limit * HEADROOM)
    return Pacer(per_channel=1.0, per_tenant=interval, per_bot=interval)


def button_view(buttons: tuple[Button, ...], guild: str | None = None) -> discord.ui.View | None:
    """The coach's buttons as persistent components; ``guild`` when sent into a DM."""
    if not buttons:
        return None
    return inert_view(*(CoachButton.of(b, guild) for b in buttons[:BUTTONS_PER_MESSAGE]))


class DiscordMessenger:
    """``Messenger`` for scheduled work, and for what interactions send outside themselves.

    ``record_refusal`` is called when a member refuses DMs, before ``DmRefused`` is raised;
    ``dm_sent`` after each DM, so a reply in that DM finds its guild (see ``dm_routes``);
    ``record_departure`` when a member turns out to have left the server, before
    ``MemberGone`` is raised.
    """

    def __init__(
        self,
        client: discord.Client,
        record_refusal: RecordRefusal,
        pace: Pacer | None = None,
        dm_sent: DmSent | None = None,
        refusals: Refusals | None = None,
        record_departure: RecordDeparture | None = None,
        prompts: Prompts | None = None,
    ) -> None:
        self._client = client
        # The digest's thread, named as members see it (prompts/messages.yaml).
        self._thread_name = plain((prompts or load_prompts()).say("discord_digest_thread"))
        self._record_refusal = record_refusal
        self._pacer = pace or pacer()
        self._dm_sent = dm_sent
        self.refusals = refusals or Refusals()
        self._record_departure = record_departure

    async def send_dm(
        self, tenant: TenantRef, user_id: str, body: Content, buttons: tuple[Button, ...] = ()
    ) -> None:
        """DM a member; raises ``DmRefused`` (after recording it) when they refuse DMs.

        Scheduled work (this port) does not ask again a member whose DMs answered 403 lately;
        a member's own action (``send_dm_text`` from an interaction) does: they may have just
        opened their DMs.
        """
        if self.refusals.refused(f"dm:{user_id}"):  # asking again would only cost a 403
            raise DmRefused(user_id)
        self.refusals.check_budget()
        guild = guild_of(tenant)
        if guild is not None:
            await self._still_member(tenant, guild, user_id)
        await self.send_dm_text(
            tenant, user_id, sanitize.render(body), button_view(buttons, guild_of(tenant))
        )

    async def send_dm_text(
        self,
        tenant: TenantRef,
        user_id: str,
        text: str,
        view: discord.ui.View | None = None,
        files: list[discord.File] | None = None,
    ) -> None:
        """DM already-rendered text, with components and files on its last part."""
        key = f"dm:{user_id}"
        self.refusals.check_budget()
        # Opening the DM is a request too (once per member, then cached): paced like a send.
        await self._pacer.wait(tenant.external_id, f"open:{user_id}")
        channel = await self._client.create_dm(discord.Object(int(user_id)))
        try:
            await self._send(channel, tenant, key, text, view, files)
        except discord.Forbidden as exc:
            self.refusals.remember(key)
            if exc.code != CANNOT_DM:
                raise
            log.info("member %s of %s refuses DMs", user_id, tenant.external_id)
            await self._record_refusal(tenant, user_id)
            raise DmRefused(user_id) from exc
        if self._dm_sent is not None:
            self._dm_sent(tenant, user_id)

    async def is_member(self, tenant: TenantRef, guild_id: str, user_id: str) -> bool:
        """Whether ``user_id`` is still in the guild. The bot declares no members intent (it
        is privileged), so Discord sends no GUILD_MEMBER_REMOVE: it asks, one request."""
        await self._pacer.wait(tenant.external_id, f"member:{user_id}")
        try:
            await self._client.http.get_member(int(guild_id), int(user_id))
        except discord.NotFound as exc:
            if exc.code != UNKNOWN_MEMBER:
                raise
            return False
        return True

    async def _still_member(self, tenant: TenantRef, guild_id: str, user_id: str) -> None:
        """Raise ``MemberGone`` (after recording it) when the member left ``guild_id``."""
        key = f"left:{guild_id}:{user_id}"
        if not self.refusals.refused(key):
            if await self.is_member(tenant, guild_id, user_id):
                return
            self.refusals.remember(key)
            log.info("member %s left guild %s: nothing more is sent for it", user_id, guild_id)
            if self._record_departure is not None:
                await self._record_departure(tenant, user_id)
        raise MemberGone(user_id, guild_id)

    async def post(
        self, tenant: TenantRef, channel_id: str, body: Content, thread_id: str | None = None
    ) -> str:
        """Post where the team reads; return the (first) message's id.

        ``thread_id`` is the thread of a message posted before, named by that message's id, as
        the core does for its digest: on Discord a thread started from a message has the
        message's id, so it is started here on first use.
        """
        text, pings = sanitize.render(body), sanitize.allowed(body)
        where = thread_id or channel_id
        if self.refusals.refused(where):
            raise ChannelRefused(where)
        self.refusals.check_budget()
        try:
            return await self._post(tenant, channel_id, text, pings, thread_id)
        except discord.Forbidden:
            self.refusals.remember(where)
            raise

    async def _post(
        self,
        tenant: TenantRef,
        channel_id: str,
        text: str,
        pings: discord.AllowedMentions | None,
        thread_id: str | None,
        files: Callable[[], list[discord.File]] = list,
    ) -> str:
        """``files`` makes the files to attach afresh for each try (a sent file is closed)."""
        if thread_id is None:
            return await self._send(
                self._channel(channel_id), tenant, channel_id, text, None, files(), pings
            )
        thread = self._channel(thread_id)
        try:
            return await self._send(thread, tenant, thread_id, text, None, files(), pings)
        except discord.NotFound as exc:
            if exc.code != UNKNOWN_CHANNEL:
                raise
        await self._start_thread(channel_id, thread_id)
        return await self._send(thread, tenant, thread_id, text, None, files(), pings)

    async def post_chart(
        self, tenant: TenantRef, channel_id: str, chart: Chart, thread_id: str | None = None
    ) -> str:
        """Show a published chart (the digest's team chart) in ``channel_id``, in the thread
        ``thread_id`` when given (``ChartPoster``); the message's id. Paced and held back like
        any post; a refusal is logged and answered "", never raised: its words went out
        already, and sending them again for a picture would repeat them."""
        where = thread_id or channel_id
        # Its own key: a channel that refuses files (no Attach Files) still takes words.
        key = f"chart:{where}"
        try:
            if self.refusals.refused(key):
                raise ChannelRefused(where)
            self.refusals.check_budget()
            return await self._post(
                tenant, channel_id, "", None, thread_id, lambda: [attachment(chart)]
            )
        except discord.HTTPException as exc:
            if isinstance(exc, discord.Forbidden):
                self.refusals.remember(key)
            log.warning("a chart for %s was refused: %s %s", where, exc.status, exc.code)
        except (ChannelRefused, HeldBack) as exc:
            log.warning("a chart for %s was not sent: %s", where, type(exc).__name__)
        return ""

    async def send_dm_chart(self, tenant: TenantRef, user_id: str, chart: Chart) -> None:
        """Show ``chart`` in the member's DM with the coach (``ChartPoster``). A member who
        refuses DMs is not asked again for it; a refusal is logged, never raised."""
        try:
            if self.refusals.refused(f"dm:{user_id}"):
                raise DmRefused(user_id)
            await self.send_dm_text(tenant, user_id, "", None, [attachment(chart)])
        except discord.HTTPException as exc:
            log.warning("a chart for a DM was refused: %s %s", exc.status, exc.code)
        except (DmRefused, HeldBack) as exc:
            log.info("a chart for a DM was not sent: %s", type(exc).__name__)

    async def find_sent(
        self, tenant: TenantRef, to: Recipient, body: Content, since: datetime
    ) -> str | None:
        """This bot's message with the same (first part of the) text since ``since``, read
        back from the DM or the channel; ``None`` too when the bot may not read it."""
        if to.user_id is not None:
            where: discord.abc.Messageable = await self._client.create_dm(
                discord.Object(int(to.user_id))
            )
        else:
            assert to.channel_id is not None
            where = self._channel(to.thread_id or to.channel_id)
        first = sanitize.fit(sanitize.render(body))[0]
        me = self._client.user
        # From ``since`` on, inclusive (discord.py's advice for the lower end of a range).
        after = discord.Object(id=discord.utils.time_snowflake(since, high=False) - 1)
        try:
            async for message in where.history(limit=HISTORY_PAGE, after=after):
                if me is not None and message.author.id == me.id and message.content == first:
                    return str(message.id)
        except (discord.Forbidden, discord.NotFound):
            return None  # no Read Message History there, or the thread is not started yet
        return None

    def _channel(self, channel_id: str) -> discord.PartialMessageable:
        return self._client.get_partial_messageable(int(channel_id))

    async def _start_thread(self, channel_id: str, message_id: str) -> None:
        try:
            await self._client.http.start_thread_with_message(
                int(channel_id),
                int(message_id),
                name=self._thread_name,
                auto_archive_duration=THREAD_ARCHIVE_MINUTES,
            )
        except discord.HTTPException as exc:
            if exc.code != THREAD_EXISTS:  # another send started it a moment ago: fine
                raise

    async def _send(
        self,
        channel: discord.abc.Messageable,
        tenant: TenantRef,
        key: str,
        text: str,
        view: discord.ui.View | None = None,
        files: list[discord.File] | None = None,
        pings: discord.AllowedMentions | None = None,
    ) -> str:
        parts = sanitize.fit(text)
        first = ""
        for number, part in enumerate(parts, start=1):
            last = number == len(parts)
            extra: dict[str, Any] = {}
            if pings is not None:  # a deliberate tag; otherwise the client's "no pings"
                extra["allowed_mentions"] = pings
            if last and view is not None:
                extra["view"] = view
            if last and files:
                extra["files"] = files
            await self._pacer.wait(tenant.external_id, key)
            sent = await channel.send(part, **extra)
            first = first or str(sent.id)
        return first
