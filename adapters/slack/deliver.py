"""Render out, the calls: each intent becomes the Slack API call that shows it to the right
people — ephemeral for private replies, the bot's DM, a channel post (paced), a modal, App Home.
An intent with no Slack rendering raises: nothing is dropped silently."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncServerErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack import charts, render
from adapters.slack.directory import Directory
from adapters.slack.errors import error_of
from bot.events import (
    Button,
    ChannelPost,
    Chart,
    Content,
    DirectMessage,
    Event,
    FileReady,
    FollowUp,
    FormRejected,
    HomeView,
    Intent,
    OpenForm,
    Reply,
    TryAgainLater,
)
from bot.pacing import Pacer
from bot.prompts import Prompts

log = logging.getLogger(__name__)

Respond = Callable[..., Awaitable[Any]]
# A trigger_id opens one modal within 3 s: late, used, or unknown, the form window is gone.
SPENT_TRIGGER = {"expired_trigger_id", "exchanged_trigger_id", "invalid_trigger_id"}
# Answers meaning "an ephemeral message cannot go there": fall back to the bot's DM.
NO_EPHEMERAL = {"channel_not_found", "not_in_channel", "user_not_in_channel", "is_archived"}
# Seconds before each new try of a response_url answered with a 5xx (slack_sdk's webhook client
# waits out 429s by itself, but hands 5xx back as they are).
RESPOND_PAUSES = (0.5, 1.0, 2.0, 4.0)
# The webhook client's own logger. slack_sdk logs each retry, URL included, whenever this
# logger's *own* level is unset or DEBUG, even at INFO; a response_url is a credential (anyone
# holding it may answer in that conversation), so that line must never be written.
WEBHOOK_LOG = logging.getLogger("slack_sdk.webhook.coach_replies")
WEBHOOK_LOG.setLevel(logging.INFO)


class ReplyRefused(Exception):
    """Slack refused a reply through a response_url, retries included."""


class ReplyUrlSpent(ReplyRefused):
    """The response_url is used up (five posts) or expired (30 minutes): Slack answers 404."""


def responder(url: str | None, client: AsyncWebClient) -> Respond | None:
    """Answers through a command's or a button's ``response_url``, retried like the Web API
    calls of ``client`` (its handlers wait out 429s), and 5xx retried with backoff too; raises
    ``ReplyRefused`` when Slack still refuses, so a lost reply is logged, never silent. The
    URL itself is a credential: it appears in no error.

    Example: ``await responder(body["response_url"], client)(text="Noted.")``
    """
    if not url:
        return None
    # The 5xx are retried by the loop below: the Web API's server-error handler would name the
    # URL's last part in its log line, and for a response_url that part is the secret.
    handlers = [h for h in client.retry_handlers if not isinstance(h, AsyncServerErrorRetryHandler)]
    webhook = AsyncWebhookClient(url, retry_handlers=handlers, logger=WEBHOOK_LOG)

    async def respond(**message: Any) -> None:
        for pause in (*RESPOND_PAUSES, None):
            answer = await webhook.send_dict(message)
            if answer.status_code == 200:
                return
            if answer.status_code == 404:
                raise ReplyUrlSpent("Slack no longer takes replies through this response_url")
            if answer.status_code < 500 or pause is None:
                raise ReplyRefused(f"Slack answered HTTP {answer.status_code} to a reply")
            log.warning("Slack answered %s to a reply; trying again", answer.status_code)
            await asyncio.sleep(pause)

    return respond


@dataclass(frozen=True)
class Reach:
    """Where one member acted, and the means Slack gave us to answer them there."""

    client: AsyncWebClient
    team: str
    user: str
    channel: str | None = None
    respond: Respond | None = None  # the response_url of a command or message button
    trigger_id: str | None = None  # lets us open a modal for about 3 s


class Outbox:
    def __init__(
        self,
        directory: Directory,
        pacer: Pacer,
        prompts: Prompts,
        follow_up: Callable[[FollowUp], Awaitable[list[Intent]]] | None = None,
        handle: Callable[[Event], Awaitable[list[Intent]]] | None = None,
    ) -> None:
        self.directory = directory
        self.pacer = pacer
        self.prompts = prompts  # what the adapter says of Slack itself (a spent trigger…)
        self.follow_up = follow_up  # the coach's slow second answer (an LLM note)
        self.handle = handle  # the coach, for what an adapter hands back (a refused post)

    async def deliver(self, intents: Iterable[Intent], reach: Reach) -> None:
        later = []
        for intent in intents:
            if isinstance(intent, FollowUp):
                later.append(intent)  # after everything else, and after the ack
            else:
                await self._one(intent, reach)
        for intent in later:
            if self.follow_up is not None:
                await self.deliver(await self.follow_up(intent), reach)

    async def _one(self, intent: Intent, reach: Reach) -> None:
        match intent:
            case Reply(body=body, buttons=buttons, chart=None):
                await self.private(reach, body, buttons)
            case Reply(body=body, buttons=buttons, chart=Chart() as chart):
                await self.private_with_chart(reach, body, buttons, chart)
            case TryAgainLater(body=body):
                await self.private(reach, body)
            case FormRejected(errors=errors):
                # A modal already closed (a slow answer): say what was wrong instead.
                problems = "\n".join(f"- {text}" for text in errors.values())
                await self.private(reach, (problems,))
            case DirectMessage(user_id=user, body=body, buttons=buttons, chart=chart):
                await self.dm(reach.client, reach.team, user, body, buttons)
                if chart is not None:  # the words are out; a chart that fails is logged
                    await self.chart_to_dm(reach.client, reach.team, user, chart)
            case ChannelPost(channel_id=channel, body=body, thread_id=thread):
                try:
                    await self.post(reach.client, reach.team, channel, body, thread)
                except SlackApiError as exc:
                    log.warning("could not post to a channel: %s", error_of(exc))
                    if intent.failed is not None and self.handle is not None:
                        await self.deliver(await self.handle(intent.failed), reach)
                    else:
                        await self.private(reach, self.prompts.say("slack_cannot_post"))
                    return
                if intent.confirm:
                    await self.private(reach, intent.confirm)
            case HomeView():
                await reach.client.views_publish(
                    user_id=intent.user_id, view=render.home(intent, self.prompts)
                )
            case OpenForm(form=form):
                await self.open_form(reach, form)
            case FileReady(filename=name, data=data, caption=caption):
                channel = await self.directory.dm_channel(reach.client, reach.team, reach.user)
                await reach.client.files_upload_v2(
                    channel=channel, filename=name, content=data, initial_comment=caption
                )
            case _:
                raise TypeError(f"the Slack adapter cannot render {type(intent).__name__}")

    async def private(self, reach: Reach, body: Content, buttons: tuple[Button, ...] = ()) -> None:
        """Only the member sees it: ephemeral where they are, else the bot's DM."""
        message = render.message(body, buttons)
        if reach.respond is not None:
            try:
                await reach.respond(response_type="ephemeral", replace_original=False, **message)
                return
            except ReplyUrlSpent:
                log.info("a response_url was used up; answering through the Web API")
        if reach.channel and not reach.channel.startswith("D"):
            try:
                await reach.client.chat_postEphemeral(
                    channel=reach.channel, user=reach.user, **message
                )
                return
            except SlackApiError as exc:
                if error_of(exc) not in NO_EPHEMERAL:
                    raise
        await self.dm(reach.client, reach.team, reach.user, body, buttons)

    async def private_with_chart(
        self, reach: Reach, body: Content, buttons: tuple[Button, ...], chart: Chart
    ) -> None:
        """A private reply and its chart. An ephemeral message cannot carry a file (see
        ``charts``): the words go where they would, then the chart into the member's DM with
        the coach, and words shown elsewhere say where it is (or that it could not be shown)."""
        elsewhere = bool(reach.channel) and not str(reach.channel).startswith("D")
        note = self.prompts.say("slack_chart_in_dm") if elsewhere else ()
        await self.private(reach, (*body, *note), buttons)
        if not await self.chart_to_dm(reach.client, reach.team, reach.user, chart) and elsewhere:
            try:
                await self.private(reach, self.prompts.say("slack_chart_not_shown"))
            except (SlackApiError, ReplyRefused) as exc:
                log.warning("could not say a chart was not shown: %s", type(exc).__name__)

    async def chart_to_dm(self, client: AsyncWebClient, team: str, user: str, chart: Chart) -> bool:
        """Share ``chart`` in the member's DM with the coach, paced like a message there;
        whether Slack took it (a refusal is logged, never raised: the words went first)."""
        try:
            channel = await self.directory.dm_channel(client, team, user)
            await self.pacer.wait(team, channel)
            await charts.share(client, chart, channel)
        except SlackApiError as exc:  # the DM could not be opened
            log.warning("could not open a DM for a chart: %s", error_of(exc))
            return False
        except charts.ChartNotShown:
            return False
        return True

    async def chart_to_channel(
        self, client: AsyncWebClient, team: str, channel: str, chart: Chart, thread: str | None
    ) -> str:
        """Share published ``chart`` in a team channel (its ``thread``); the file's id, or
        "" when Slack did not take it (logged)."""
        await self.pacer.wait(team, channel)
        try:
            return await charts.share(client, chart, channel, thread)
        except charts.ChartNotShown:
            return ""

    async def dm(
        self,
        client: AsyncWebClient,
        team: str,
        user: str,
        body: Content,
        buttons: tuple[Button, ...] = (),
    ) -> None:
        channel = await self.directory.dm_channel(client, team, user)
        await self.pacer.wait(team, channel)
        await client.chat_postMessage(channel=channel, **render.message(body, buttons))

    async def post(
        self, client: AsyncWebClient, team: str, channel: str, body: Content, thread: str | None
    ) -> str:
        """Post where others read; join a public channel first if the bot is not in it.

        Returns the message ts; raises ``SlackApiError`` when Slack refuses.
        """
        message = render.message(body)
        for attempt in (1, 2):
            await self.pacer.wait(team, channel)
            try:
                answer = await client.chat_postMessage(channel=channel, thread_ts=thread, **message)
                return str(answer.get("ts", ""))
            except SlackApiError as exc:
                if error_of(exc) != "not_in_channel" or attempt == 2:
                    raise
                await client.conversations_join(channel=channel)
        raise AssertionError("unreachable")

    async def open_form(self, reach: Reach, form: Any) -> None:
        if reach.trigger_id is None:
            raise TypeError("a form can only open in answer to a command or a button")
        try:
            await reach.client.views_open(
                trigger_id=reach.trigger_id, view=render.modal(form, reach.channel)
            )
        except SlackApiError as exc:
            if error_of(exc) not in SPENT_TRIGGER:
                raise
            await self.private(reach, self.prompts.say("slack_form_too_slow"))
