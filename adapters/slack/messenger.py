"""The core's Messenger for Slack: how scheduled work reaches a member or a channel."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.deliver import Outbox
from bot.events import Button, Content, TenantRef


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
