"""Render out: the coach's intents as Discord messages, modals, buttons and files.

- ``Reply`` → a private reply (ephemeral in a server); ``DirectMessage`` → a DM, or, when the
  member refuses DMs (50007), a private reply with an "Answer here" button;
- ``ChannelPost`` → a message in the channel or thread, escaped and paced;
- ``OpenForm`` → a modal (or a button that opens it, once the first response is used);
- ``FormRejected`` → a private reply stating each error, with a button that reopens the modal
  pre-filled; ``TryAgainLater`` → the coach's words with a button that brings back what the
  member sent;
- ``FileReady`` → attachments of one private reply; ``HomeView`` → a private summary;
- a ``Chart`` (on a reply, a DM, a home goal card) → a PNG attached to its message.

DMs and channel posts are sent before the replies, so that a reply confirming one that failed
("I've sent you a DM", "Published to the team") is withdrawn and replaced by what happened.
Anything else raises: an intent is never dropped silently.
"""

from __future__ import annotations

import io
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import discord

from adapters.discord import modals, sanitize
from adapters.discord.charts import send_with_charts
from adapters.discord.components import (
    CoachButton,
    PickSelect,
    ReopenButton,
    ReplyHereButton,
    RetryButton,
    inert_view,
)
from adapters.discord.dm_routes import DmRoutes
from adapters.discord.messenger import DiscordMessenger, DmRefused, button_view
from adapters.discord.pending import Pending, Reopen, Retry
from adapters.discord.surfaces import Surface
from adapters.discord.translate import guild_of
from bot.coach.forms import with_values
from bot.events import (
    Actor,
    Button,
    ChannelPost,
    Chart,
    CommandInvoked,
    DirectMessage,
    Event,
    FieldKind,
    FileReady,
    FollowUp,
    Form,
    FormField,
    FormRejected,
    FormSubmitted,
    HomeView,
    Intent,
    OpenForm,
    Reply,
    TryAgainLater,
    UserText,
)
from bot.prompts import Prompts, Value

log = logging.getLogger(__name__)

TOLD_LIMIT = 10_000  # members told in full that their DMs are closed; later steps say less


class CannotRender(TypeError):
    """An intent this adapter does not know how to show."""


@dataclass
class Outcome:
    """What went wrong while sending DMs and posts."""

    dm_refused: bool = False
    post_failed: bool = False


@dataclass
class Services:
    """What rendering needs beyond the surface: sends, memory, the coach's words."""

    messenger: DiscordMessenger
    pending: Pending
    prompts: Prompts
    routes: DmRoutes
    told_dm_refused: OrderedDict[str, None] = field(default_factory=OrderedDict)
    # The coach's slow second answer (an LLM note) for a FollowUp intent; see bot.events.
    follow_up: Callable[[FollowUp], Awaitable[list[Intent]]] | None = None
    # The coach itself, for what the adapter hands back (ChannelPost.failed).
    handle: Callable[[Event], Awaitable[list[Intent]]] | None = None


class Renderer:
    """Shows intents on one surface, for one actor; ``origin`` is the event that caused them.

    >>> await Renderer(surface, actor, services, event).show(intents)
    """

    def __init__(
        self, surface: Surface, actor: Actor, services: Services, origin: Event | None = None
    ) -> None:
        self.surface = surface
        self.actor = actor
        self.services = services
        self.origin = origin
        # Components sent into a DM carry their guild: a DM has none of its own.
        self.guild = guild_of(actor.tenant) if surface.in_dm else None

    async def show(self, intents: list[Intent], *, ask_choice_first: bool = True) -> None:
        """Show every intent, in order, sends that leave the conversation first."""
        if any(isinstance(i, DirectMessage | ChannelPost | FileReady) for i in intents):
            await self.surface.make_room()
        outcome = Outcome()
        for intent in intents:
            if isinstance(intent, DirectMessage):
                await self._direct_message(intent, outcome)
            elif isinstance(intent, ChannelPost):
                await self._post(intent, outcome)
        files = [i for i in intents if isinstance(i, FileReady)]
        for intent in intents:
            match intent:
                case Reply(body=body, buttons=buttons, chart=chart):
                    if not self._withdrawn(intent, outcome):
                        text, view = sanitize.render(body), self._buttons(buttons)
                        await send_with_charts(self.surface.send, text, view, _some(chart))
                case OpenForm(form=form):
                    await self.open_form(form, ask_choice_first=ask_choice_first)
                case FormRejected(form=form, errors=errors):
                    await self._rejected(form, errors)
                case TryAgainLater(body=body):
                    await self._try_again_later(sanitize.render(body))
                case HomeView():
                    home = home_text(intent, self.services.prompts)
                    shown = [g.chart for g in intent.goals if g.chart is not None]
                    await send_with_charts(
                        self.surface.send, home, self._buttons(intent.buttons), shown
                    )
                case DirectMessage() | ChannelPost() | FileReady() | FollowUp():
                    pass  # sent above, or (a follow-up) once everything else is out
                case _:
                    raise CannotRender(f"the Discord adapter cannot show {intent!r}")
        if files:
            await self._files(files)
        await self.surface.finish()
        later = [i for i in intents if isinstance(i, FollowUp)]
        if later and self.services.follow_up is not None:
            for intent in later:  # answered on the same surface, still private
                extra = await self.services.follow_up(intent)
                if extra:
                    await self.show(extra)

    def _buttons(self, buttons: tuple[Button, ...]) -> discord.ui.View | None:
        return button_view(buttons, self.guild)

    def say(self, key: str, **values: Value) -> str:
        """The adapter's own words (prompts/messages.yaml), member words escaped."""
        return sanitize.render(self.services.prompts.say(key, **values))

    # --- sends that leave this conversation ----------------------------------------------------

    async def _direct_message(self, intent: DirectMessage, outcome: Outcome) -> None:
        text = sanitize.render(intent.body)
        tenant = self.actor.tenant
        to_actor = intent.user_id == self.actor.user_id
        charts = _some(intent.chart)
        if to_actor and self.surface.in_dm:
            await send_with_charts(self.surface.send, text, self._buttons(intent.buttons), charts)
            return
        guild = guild_of(tenant)

        async def to_dm(
            text: str, view: discord.ui.View | None, files: list[discord.File] | None
        ) -> None:
            await self.services.messenger.send_dm_text(tenant, intent.user_id, text, view, files)

        try:
            await send_with_charts(to_dm, text, button_view(intent.buttons, guild), charts)
        except DmRefused:
            if not to_actor:
                log.warning("a DM to another member of %s was refused", tenant.external_id)
                return
            outcome.dm_refused = True
            items: list[discord.ui.Item[Any]] = [
                CoachButton.of(b, self.guild) for b in intent.buttons
            ]
            items.append(ReplyHereButton(self.guild, self.say("discord_answer_here")))
            told = self.services.told_dm_refused
            note = self.say(
                "discord_dm_refused_again" if intent.user_id in told else "discord_dm_refused"
            )
            told[intent.user_id] = None
            while len(told) > TOLD_LIMIT:
                told.popitem(last=False)
            # Only when the DM was for this member: their own chart, shown privately here.
            await send_with_charts(
                self.surface.send, f"{note}\n\n{text}", inert_view(*items), charts
            )

    async def _post(self, intent: ChannelPost, outcome: Outcome) -> None:
        try:
            await self.services.messenger.post(
                self.actor.tenant, intent.channel_id, intent.body, intent.thread_id
            )
        except discord.HTTPException as exc:
            log.warning("posting in %s failed: %s %s", intent.channel_id, exc.status, exc.code)
            outcome.post_failed = True
            where = intent.thread_id or intent.channel_id
            await self.surface.send(self.say("discord_post_failed", channel=where))
            if intent.failed is not None and self.services.handle is not None:
                await self.services.handle(intent.failed)  # the core undoes what it marked
            return
        if intent.confirm:
            await self.surface.send(sanitize.render(intent.confirm))

    def _withdrawn(self, reply: Reply, outcome: Outcome) -> bool:
        """Whether ``reply`` is the core's confirmation of a send that failed."""
        say = self.services.prompts.say
        failed = []
        if outcome.dm_refused:
            failed.append(say("reflect_in_dm"))
        return reply.body in failed

    # --- forms ---------------------------------------------------------------------------------

    async def open_form(
        self, form: Form, *, ask_choice_first: bool = True, fixed: dict[str, str] | None = None
    ) -> None:
        """A modal now if the first response is free, else a button that opens it."""
        user = self.actor.user_id
        if not self.surface.can_open_modal:
            token = self.services.pending.keep(Reopen(user, form, self.guild))
            view = inert_view(ReopenButton(token, self.say("discord_open_form_button")))
            title = UserText(form.title)
            await self.surface.send(self.say("discord_open_form", title=title), view)
            return
        pick, fields = modals.layout(form)
        fixed = dict(fixed or {})
        if pick is not None and not ask_choice_first and _valid_choice(pick):
            fixed[pick.name] = pick.initial  # chosen before: keep it, ask the rest
        elif pick is not None:
            token = self.services.pending.keep(Reopen(user, form, self.guild))
            select = PickSelect(token, pick.label, modals.options(pick))
            await self.surface.send(f"**{sanitize.escape(pick.label)}?**", inert_view(select))
            return
        self.services.pending.opened(user, form)
        await self.surface.open_modal(modals.modal(form, fields, fixed, self.guild))

    async def _rejected(self, form: Form, errors: Mapping[str, str]) -> None:
        lines = [f"• {sanitize.escape(errors[f.name])}" for f in form.fields if f.name in errors]
        lines += [f"• {sanitize.escape(e)}" for k, e in errors.items() if k not in _names(form)]
        token = self.services.pending.keep(Reopen(self.actor.user_id, form, self.guild))
        view = inert_view(ReopenButton(token, self.say("discord_fix_button")))
        await self.surface.send("\n".join([self.say("discord_form_errors"), *lines]), view)

    async def _try_again_later(self, text: str) -> None:
        """The coach could not take this now; keep what the member sent for one press."""
        user = self.actor.user_id
        origin = self.origin
        if isinstance(origin, FormSubmitted):
            opened = self.services.pending.form(user, origin.form_id, origin.context)
            bare = self.say("discord_bare_form")
            form, fixed = (opened, {}) if opened is not None else _bare_form(origin, bare)
            # A credential is typed again, never kept here or shown back in the modal.
            secret = {f.name for f in form.fields if f.secret}
            form = with_values(form, {k: v for k, v in origin.values.items() if k not in secret})
            reopen = Reopen(user, form, self.guild, tuple(fixed.items()))
            token = self.services.pending.keep(reopen)
            again = ReopenButton(token, self.say("discord_reopen_button"))
            await self.surface.send(text, inert_view(again))
            return
        if origin is None:
            await self.surface.send(text)
            return
        if isinstance(origin, CommandInvoked) and origin.text:
            sent = self.say("discord_you_sent", command=origin.name, text=UserText(origin.text))
            text += f"\n{sent}"
        token = self.services.pending.keep(Retry(user, origin))
        button = RetryButton(token, self.say("discord_retry_button"))
        await self.surface.send(text, inert_view(button))

    # --- files ---------------------------------------------------------------------------------

    async def _files(self, files: list[FileReady]) -> None:
        attachments = [
            discord.File(io.BytesIO(f.data.encode("utf-8")), filename=f.filename) for f in files
        ]
        captions = "\n".join(f"{f.caption} ({f.filename})" for f in files if f.caption)
        await self.surface.send(captions or self.say("discord_files"), files=attachments)


def _some(chart: Chart | None) -> list[Chart]:
    return [] if chart is None else [chart]


def _names(form: Form) -> set[str]:
    return {f.name for f in form.fields}


def _valid_choice(field: FormField) -> bool:
    return field.initial in {c.value for c in field.choices}


def _bare_form(submitted: FormSubmitted, title: str) -> tuple[Form, dict[str, str]]:
    """A form for a submit whose modal this process did not open (it was opened before a
    restart): one long field per value, so none of the member's words is lost; values beyond
    what a modal holds ride along unchanged."""
    names = list(submitted.values)
    shown, fixed = names[: modals.MODAL_LIMIT], names[modals.MODAL_LIMIT :]
    fields = tuple(
        FormField(n, n.replace("_", " ").capitalize(), FieldKind.LONG, max_length=4000)
        for n in shown
    )
    form = Form(submitted.form_id, title, fields, context=submitted.context)
    return form, {n: submitted.values[n] for n in fixed}


def home_text(view: HomeView, prompts: Prompts) -> str:
    """The member's home as one private message (Discord has no App Home)."""
    e, r = sanitize.escape, sanitize.render
    lines = [r(prompts.say("discord_home_goals"))]
    for goal in view.goals:
        none = r(prompts.say("discord_home_no_values"))
        trend = " → ".join(goal.shown_recent) or none
        lines.append(f"{goal.ref}. {e(goal.capability)} — {e(goal.metric)}: {trend}")
    if not view.goals:
        lines.append(r(prompts.say("discord_home_no_goal")))
    lines.append(r(prompts.say("discord_home_best")))
    lines += [f"{n}. {e(w.title)}" for n, w in enumerate(view.best_works, start=1)]
    if not view.best_works:
        lines.append(r(prompts.say("discord_home_no_work")))
    if view.recent_nudges:
        lines.append(r(prompts.say("discord_home_nudges")))
        lines += [f"• {sanitize.render(said)}" for said in view.recent_nudges]
    return "\n".join(lines)
