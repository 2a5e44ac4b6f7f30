"""The core's Messenger for Slack: how scheduled work reaches a member or a channel."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import render
from adapters.slack.deliver import Outbox
from bot.events import Button, Content, TenantRef
from bot.ports import Recipient

HISTORY_PAGE = 200  # messages read back per look (a DM rarely holds more in a lease's time)


class SlackMessenger:
    def __init__(
        self, outbox: Outbox, client_for: Callable[[str], Awaitable[AsyncWebClient]]
    ) -> None:
        self.outbox = outbox
        self.client_for = client_for

    async def send_dm(
        self, tenant: TenantRef, user_id: str, body: Content, buttons: tuple[Button, ...] = ()
    ) -> None:
        client = await self.client_for(tenant.external_id)
        await self.outbox.dm(client, tenant.external_id, user_id, body, buttons)

    async def post(
        self, tenant: TenantRef, channel_id: str, body: Content, thread_id: str | None = None
    ) -> str:
        client = await self.client_for(tenant.external_id)
        return await self.outbox.post(client, tenant.external_id, channel_id, body, thread_id)

    async def find_sent(
        self, tenant: TenantRef, to: Recipient, body: Content, since: datetime
    ) -> str | None:
        """Look in the member's DM with the bot (``im:history``) for this bot's message with
        the same text since ``since``; channels cannot be read back (the app does not ask for
        ``channels:history``), so a channel post is never found and is sent again."""
        if to.user_id is None:
            return None
        client = await self.client_for(tenant.external_id)
        channel = await self.outbox.directory.dm_channel(client, tenant.external_id, to.user_id)
        answer = await client.conversations_history(
            channel=channel, oldest=f"{since.timestamp():.6f}", inclusive=True, limit=HISTORY_PAGE
        )
        text = render.message(body)["text"]
        for message in answer.get("messages") or []:
            if message.get("bot_id") and message.get("text") == text:
                return str(message.get("ts", ""))
        return None
