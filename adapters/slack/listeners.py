"""The Bolt listeners: each translates one kind of Slack request into a core event, acks in
time, and hands the core's intents to the outbox.

Ack policy: what a member typed is stored before the ack (commands with text, form
submissions), within ``ACK_BUDGET``; anything with nothing to lose is acked first.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import render, translate
from adapters.slack.deliver import Outbox, Reach, responder
from adapters.slack.directory import Directory
from adapters.slack.manifest import SAVE_SHORTCUT
from bot.ack import ACK_BUDGET, ask_within_budget
from bot.coach import Coach
from bot.events import (
    AppUninstalled,
    ButtonPressed,
    CommandInvoked,
    Content,
    Event,
    FormClosed,
    FormRejected,
    FormSubmitted,
    HomeOpened,
    Intent,
    MessageReceived,
    MessageSaved,
    Reply,
    Segment,
    TryAgainLater,
    UserText,
    plain,
)
from bot.prompts import Prompts
from bot.text import cap

log = logging.getLogger(__name__)

COMMANDS = ("checkin", "goal", "reflect", "log", "review", "wins", "predict", "ask", "coach")
ERROR_TEXT = 150  # Slack shows short errors under a modal's input


def keeping_the_ack(listener: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    """``listener``, except that a failure after its ack is logged here, not raised to Bolt.

    Bolt's handler of a listener's error resets the ack's response; when that happens before
    Bolt has read the ack (it looks every 10 ms), the request Slack made gets a 404 after 3 s
    instead of the 200 already given, and the member sees an error for work that was done.
    Failures before the ack still go to Bolt (and its 500).
    """

    @functools.wraps(listener)  # Bolt reads the argument names through ``__wrapped__``
    async def run(**kwargs: Any) -> None:
        try:
            await listener(**kwargs)
        except Exception as error:
            ack = kwargs.get("ack")
            if ack is None or ack.response is None:
                raise
            log.error("Slack listener failed after its ack: %s", error, exc_info=error)

    return run


class Listeners:
    def __init__(
        self,
        coach: Coach,
        outbox: Outbox,
        directory: Directory,
        installations: AsyncInstallationStore | None = None,
    ) -> None:
        self.coach = coach
        self.outbox = outbox
        self.directory = directory
        self.installations = installations

    def register(self, app: AsyncApp) -> None:
        for name in COMMANDS:
            app.command(f"/{name}")(keeping_the_ack(self.on_command))
        app.shortcut(SAVE_SHORTCUT)(keeping_the_ack(self.on_save))
        app.view(render.FORM_CALLBACK)(keeping_the_ack(self.on_submit))
        app.view_closed(render.FORM_CALLBACK)(keeping_the_ack(self.on_close))
        app.action(re.compile("^" + re.escape(render.ACTION_PREFIX)))(
            keeping_the_ack(self.on_button)
        )
        app.event("message")(self.on_message)
        app.event("app_home_opened")(self.on_home)
        app.event("app_uninstalled")(self.on_uninstall)
        app.event("tokens_revoked")(self.on_tokens_revoked)
        app.event("user_change")(self.on_user_change)

    async def _actor_event(
        self, client: AsyncWebClient, body: dict[str, Any], build: Callable[..., Event]
    ) -> tuple[str, str, Event] | None:
        """(team, user, the core event); ``None`` for a payload naming no team or no user,
        which Slack never sends: it is acked and dropped (an exception would answer 500)."""
        try:
            team, user = translate.team_of(body), translate.user_of(body)
        except ValueError as exc:
            log.warning("Slack payload dropped: %s", exc)
            return None
        profile = await self.directory.profile(client, team, user)
        return team, user, build(translate.actor(team, user, profile))

    async def _handle_within_budget(self, event: Event, ack: AsyncAck) -> tuple[list[Intent], bool]:
        """The core's answer, and whether it came before the ack was due (``bot.ack``).

        When the core is slow (a busy database), the ack goes out first and the answer follows;
        the core keeps working: nothing the member sent is dropped.
        """
        # ACK_BUDGET is read at each ask: tests scale Slack's 3 s down.
        return await ask_within_budget(self.coach.handle(event), ack, ACK_BUDGET)

    async def on_command(self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        name = str(body.get("command", "")).lstrip("/")
        text = str(body.get("text", ""))
        channel = body.get("channel_id")
        if not text.strip():
            await ack()  # nothing to lose: answer at once, then think
        found = await self._actor_event(
            client,
            body,
            lambda a: CommandInvoked(a, translate.place(channel), name, text),
        )
        if found is None:
            await ack()
            return
        team, user, event = found
        if text.strip():
            intents, in_time = await self._handle_within_budget(event, ack)
            if in_time:
                await ack()
        else:
            intents = await self.coach.handle(event)
        answer = responder(body.get("response_url"), client)
        reach = Reach(client, team, user, channel, answer, body.get("trigger_id"))
        await self.outbox.deliver(
            [with_what_was_sent(i, name, text, self.coach.prompts) for i in intents], reach
        )

    async def on_save(self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        """The message shortcut, Save to notebook: the message's words open the coach's form as
        a modal (on the shortcut's trigger), or the coach says privately why they cannot."""
        await ack()  # the message stays in Slack: nothing the member typed is at stake
        channel = id_of(body.get("channel"))
        message = body.get("message")
        author = message.get("user") if isinstance(message, dict) else None
        name = ""
        if isinstance(author, str) and author and isinstance(body.get("team"), dict):
            team_id = str(body["team"].get("id") or "")
            name = (await self.directory.profile(client, team_id, author)).name
        text, link = translate.message_text(body), translate.permalink(body)
        found = await self._actor_event(
            client,
            body,
            lambda a: MessageSaved(a, translate.place(channel), text, link, name),
        )
        if found is None:
            return
        await self._answer_where_asked(client, body, channel, *found)

    async def on_submit(
        self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, view: dict[str, Any]
    ) -> None:
        form_id, context, channel, values = render.submitted(view)
        found = await self._actor_event(
            client,
            body,
            lambda a: FormSubmitted(a, translate.place(channel), form_id, values, context),
        )
        if found is None:
            await ack()
            return
        team, user, event = found
        intents, in_time = await self._handle_within_budget(event, ack)
        rest = intents
        if in_time:
            rejected = next((i for i in intents if isinstance(i, FormRejected)), None)
            unavailable = next((i for i in intents if isinstance(i, TryAgainLater)), None)
            if rejected is not None:
                # The modal stays open with everything the member typed, errors under fields.
                await ack(response_action="errors", errors=under_fields(view, rejected.errors))
                rest = [i for i in intents if i is not rejected]
            elif unavailable is not None and view.get("blocks"):
                first = str(view["blocks"][0].get("block_id", ""))
                await ack(
                    response_action="errors",
                    errors={first: cap(plain(unavailable.body), ERROR_TEXT)},
                )
                rest = [i for i in intents if i is not unavailable]
            else:
                await ack()
        else:
            # The modal closed with the ack: if the coach could not take it, or found a
            # problem, the answer must hold what the member typed.
            words = what_was_written(view, values, self.coach.prompts)
            rest = [with_the_form(i, words) for i in intents]
        await self.outbox.deliver(rest, Reach(client, team, user, channel))

    async def on_close(
        self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, view: Any
    ) -> None:
        """A modal closed unsent (Cancel or X; Slack says so for the forms that keep a draft):
        what the member typed is kept, and the coach says privately how to get it back. A modal
        closed with nothing in it has nothing to keep, and nothing is said."""
        shown = view if isinstance(view, dict) else {}
        form_id, context, channel, values = render.submitted(shown)
        if not any(text.strip() for text in values.values()):
            await ack()
            return
        found = await self._actor_event(
            client,
            body,
            lambda a: FormClosed(a, translate.place(channel), form_id, values, context),
        )
        if found is None:
            await ack()
            return
        team, user, event = found
        # Stored before the ack when the coach is quick, like a submission: these are words.
        intents, in_time = await self._handle_within_budget(event, ack)
        if in_time:
            await ack()
        # The modal is gone: if the coach could not keep the draft, the answer holds the words.
        words = what_was_written(shown, values, self.coach.prompts)
        rest = [with_the_form(i, words) for i in intents]
        await self.outbox.deliver(rest, Reach(client, team, user, channel))

    async def on_button(self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()  # a button press carries no text to lose
        pressed = (body.get("actions") or [{}])[0]
        action = str(pressed.get("action_id", "")).split(":")[1:2]
        value = render.button_value(str(pressed.get("value", "")))
        container = body.get("container")
        channel = id_of(body.get("channel")) or id_of(
            container.get("channel_id") if isinstance(container, dict) else None
        )
        found = await self._actor_event(
            client,
            body,
            lambda a: ButtonPressed(a, translate.place(channel), "".join(action), value),
        )
        if found is None:
            return
        await self._answer_where_asked(client, body, channel, *found)

    async def _answer_where_asked(
        self,
        client: AsyncWebClient,
        body: dict[str, Any],
        channel: str | None,
        team: str,
        user: str,
        event: Event,
    ) -> None:
        """The coach's answer to an interaction acked already: privately through its
        response_url, and a form on its trigger."""
        intents = await self.coach.handle(event)
        answer = responder(body.get("response_url"), client)
        reach = Reach(client, team, user, channel, answer, body.get("trigger_id"))
        await self.outbox.deliver(intents, reach)

    async def on_message(
        self, event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        """A member's message in the bot's DM: a reflection answer. Retries have one effect."""
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        channel = id_of(event.get("channel"))
        text = str(event.get("text", ""))
        delivery = str(body.get("event_id", ""))
        found = await self._actor_event(
            client,
            {**body, "user": event.get("user")},
            lambda a: MessageReceived(a, translate.place(channel), text, delivery),
        )
        if found is None:
            return
        team, user, core_event = found
        intents = await self.coach.handle(core_event)
        await self.outbox.deliver(intents, Reach(client, team, user, channel))

    async def on_home(
        self, event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        if event.get("tab", "home") != "home":
            return
        # App Home cannot show a private picture (see adapters/slack/charts.py): no drawing.
        opened = functools.partial(HomeOpened, charts=False)
        found = await self._actor_event(client, {**body, "user": event.get("user")}, opened)
        if found is None:
            return
        team, user, core_event = found
        intents = await self.coach.handle(core_event)
        await self.outbox.deliver(intents, Reach(client, team, user))

    async def on_uninstall(self, body: dict[str, Any]) -> None:
        """The workspace removed the app: its installation and all its data go."""
        team = translate.team_of(body)
        if self.installations is not None:
            await self.installations.async_delete_all(
                enterprise_id=body.get("enterprise_id"), team_id=team
            )
        self.directory.forget_team(team)
        await self.coach.handle(AppUninstalled(translate.tenant(team)))

    async def on_tokens_revoked(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        # Only the bot's own token matters to us; revoked user tokens change nothing.
        tokens = event.get("tokens")
        if isinstance(tokens, dict) and tokens.get("bot"):
            await self.on_uninstall(body)

    async def on_user_change(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        user = event.get("user") or {}
        if isinstance(user, dict) and user.get("id"):
            self.directory.forget(translate.team_of(body), str(user["id"]))


def id_of(value: Any) -> str | None:
    """A Slack object's id: payloads carry ``{"id": "C1"}`` or ``"C1"``; anything else is
    none (``id_of({"id": "C1"}) == id_of("C1") == "C1"``)."""
    found = value.get("id") if isinstance(value, dict) else value
    return found if isinstance(found, str) and found else None


def with_what_was_sent(intent: Intent, name: str, text: str, prompts: Prompts) -> Intent:
    """A command the coach could not take now, answered with the member's own words: Slack
    clears the message box once a command is sent, so the answer is where they are kept."""
    if not isinstance(intent, TryAgainLater) or not text.strip():
        return intent
    sent = prompts.say("slack_you_sent", command=name, text=UserText(text))
    return TryAgainLater((*intent.body, *sent))


def under_fields(view: dict[str, Any], errors: Mapping[str, str]) -> dict[str, str]:
    """Each error under its field; one about a field this modal does not show (a goal to pick,
    when the goal it was opened for was closed meanwhile) under the first field: Slack refuses
    an error for a block it has not got."""
    blocks = [str(b.get("block_id", "")) for b in view.get("blocks") or [] if isinstance(b, dict)]
    shown: dict[str, str] = {}
    for field, text in errors.items():
        block = field if field in blocks or not blocks else blocks[0]
        shown[block] = f"{shown[block]} {text}" if block in shown else text
    return {block: cap(text, ERROR_TEXT) for block, text in shown.items()}


def what_was_written(view: dict[str, Any], values: dict[str, str], prompts: Prompts) -> Content:
    """A closed modal's words, field by field under the labels the member saw."""
    labels = {}
    for block in view.get("blocks") or []:
        label = block.get("label") if isinstance(block, dict) else None
        if isinstance(label, dict):
            labels[block.get("block_id")] = str(label.get("text") or "")
    parts: list[Segment] = []
    secret = render.secret_fields(view)  # a credential is never written into a message
    for field, text in values.items():
        if text.strip() and field not in secret:
            parts += ["\n", UserText(labels.get(field) or field), ": ", UserText(text)]
    return (*prompts.say("slack_what_you_wrote"), *parts) if parts else ()


def with_the_form(intent: Intent, words: Content) -> Intent:
    """A late answer that leaves the form unsaved, with the member's words in it."""
    if not words:
        return intent
    if isinstance(intent, TryAgainLater):
        return TryAgainLater((*intent.body, *words))
    if isinstance(intent, FormRejected):
        problems = "\n".join(f"- {text}" for text in intent.errors.values())
        return Reply((problems, *words))
    return intent
