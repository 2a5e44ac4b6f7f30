"""The core's Messenger for Slack: how scheduled work reaches a member or a channel."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import render
from adapters.slack.deliver import Outbox
from adapters.slack.errors import error_of, retry_after
from bot.events import Button, Chart, Content, TenantRef
from bot.ports import NotKnownYet, Recipient

log = logging.getLogger(__name__)

# Since 2025-05-29 an app outside the Marketplace reads conversations.history about once a
# minute, 15 messages a call: one look asks for no more, from the time the send was leased.
HISTORY_PAGE = 15
# A refused look (429) is waited out when Slack asks for at most this long, this many times:
# rows in doubt after a crash are looked for one a minute rather than spend their attempts.
HISTORY_WAIT = 65.0
HISTORY_TRIES = 3
IN_DOUBT_LIMIT = 10_000  # lookups waiting for their next turn, at most (oldest dropped)


class StillInDoubt(NotKnownYet):
    """Slack could not be asked whether an earlier try of this message got out (a 429, an
    outage): it is not sent now, and the outbox tries the row again later."""


@dataclass
class _Doubt:
    cursor: str | None = None  # where the next look goes on, after a page without it


class SlackMessenger:
    def __init__(
        self, outbox: Outbox, client_for: Callable[[str], Awaitable[AsyncWebClient]]
    ) -> None:
        self.outbox = outbox
        self.client_for = client_for
        # (team, user, text) of a message whose earlier try may be out and could not be
        # looked for: its next send is refused until a look says whether it is there.
        self._in_doubt: dict[tuple[str, str, str], _Doubt] = {}
        self.sleep: Callable[[float], Awaitable[None]] = asyncio.sleep  # tests move a clock
        # One history read at a time per workspace: Slack allows about one a minute.
        self._reading: dict[str, asyncio.Lock] = {}

    async def send_dm(
        self, tenant: TenantRef, user_id: str, body: Content, buttons: tuple[Button, ...] = ()
    ) -> None:
        key = (tenant.external_id, user_id, render.message(body)["text"])
        if key in self._in_doubt:
            raise StillInDoubt("an earlier try may be out; Slack could not be asked yet")
        client = await self.client_for(tenant.external_id)
        await self.outbox.dm(client, tenant.external_id, user_id, body, buttons)

    async def post(
        self, tenant: TenantRef, channel_id: str, body: Content, thread_id: str | None = None
    ) -> str:
        client = await self.client_for(tenant.external_id)
        return await self.outbox.post(client, tenant.external_id, channel_id, body, thread_id)

    async def send_dm_chart(self, tenant: TenantRef, user_id: str, chart: Chart) -> None:
        """Share ``chart`` in the member's DM with the coach (``ChartPoster``). A refusal is
        logged, not raised: the words it belongs to went out already."""
        client = await self.client_for(tenant.external_id)
        await self.outbox.chart_to_dm(client, tenant.external_id, user_id, chart)

    async def post_chart(
        self, tenant: TenantRef, channel_id: str, chart: Chart, thread_id: str | None = None
    ) -> str:
        """Share a published chart (the digest's team chart) in ``channel_id``, in the thread
        ``thread_id`` when given (``ChartPoster``). Returns the file's id: Slack shares a file
        after answering, so the message's ts is not known yet; "" when Slack did not take it
        (logged, not raised: the words went out already)."""
        client = await self.client_for(tenant.external_id)
        return await self.outbox.chart_to_channel(
            client, tenant.external_id, channel_id, chart, thread_id
        )

    async def find_sent(
        self, tenant: TenantRef, to: Recipient, body: Content, since: datetime
    ) -> str | None:
        """Look in the member's DM with the bot (``im:history``) for this bot's message with
        the same text since ``since``, at most ``HISTORY_PAGE`` messages a look. When Slack
        cannot be asked (rate limited, an outage) or the page ends before ``since``, the
        message stays in doubt: ``send_dm`` refuses it (``StillInDoubt``) and the next try
        looks again, going on from where this look stopped; it is never sent twice.

        Channels cannot be read back (the app does not ask for ``channels:history``), so a
        channel post is never found and is sent again."""
        if to.user_id is None:
            return None
        team = tenant.external_id
        text = render.message(body)["text"]
        key = (team, to.user_id, text)
        doubt = self._in_doubt.pop(key, None) or _Doubt()
        client = await self.client_for(team)
        try:
            channel = await self.outbox.directory.dm_channel(client, team, to.user_id)
            async with self._reading.setdefault(team, asyncio.Lock()):
                answer = await self._history(client, channel, since, doubt.cursor)
        except SlackApiError as exc:
            log.warning("could not look for an earlier try in Slack: %s", error_of(exc))
            self._keep_in_doubt(key, doubt)
            return None
        except (ClientError, TimeoutError, OSError) as exc:  # no answer at all: still in doubt
            log.warning("could not look for an earlier try in Slack: %s", type(exc).__name__)
            self._keep_in_doubt(key, doubt)
            return None
        for message in answer.get("messages") or []:
            if message.get("bot_id") and message.get("text") == text:
                return str(message.get("ts", ""))
        metadata = answer.get("response_metadata") or {}
        cursor = metadata.get("next_cursor") if isinstance(metadata, dict) else None
        if answer.get("has_more") and cursor:
            self._keep_in_doubt(key, _Doubt(str(cursor)))  # the rest on the next look
        return None

    async def _history(
        self, client: AsyncWebClient, channel: str, since: datetime, cursor: str | None
    ) -> Any:
        """One page of the DM since ``since``; a 429 asking for a short wait is waited out
        (``HISTORY_TRIES`` times), a longer one raised."""
        reader = _without_waiting(client)
        for tries_left in range(HISTORY_TRIES - 1, -1, -1):
            try:
                return await reader.conversations_history(
                    channel=channel,
                    oldest=f"{since.timestamp():.6f}",
                    inclusive=True,
                    limit=HISTORY_PAGE,
                    cursor=cursor,  # slack_sdk leaves a None argument out
                )
            except SlackApiError as exc:
                wait = retry_after(exc)
                if wait is None or wait > HISTORY_WAIT or not tries_left:
                    raise
                await self.sleep(float(wait))
        raise AssertionError("unreachable")

    def _keep_in_doubt(self, key: tuple[str, str, str], doubt: _Doubt) -> None:
        if len(self._in_doubt) >= IN_DOUBT_LIMIT:
            self._in_doubt.pop(next(iter(self._in_doubt)))
        self._in_doubt[key] = doubt


def _without_waiting(client: AsyncWebClient) -> AsyncWebClient:
    """``client`` without its rate-limit and server-error retries: how long a history read
    waits for Slack is ours to choose (``HISTORY_WAIT``); beyond it the row stays in doubt
    and the outbox's backoff takes over."""
    return AsyncWebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        retry_handlers=[AsyncConnectionErrorRetryHandler(max_retry_count=1)],
    )
