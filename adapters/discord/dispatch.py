"""Answering Discord: each interaction and DM is translated in, acknowledged in time, handed to
the coach, and its intents rendered out.

The ack path. Discord wants a first response within 3 s, and a modal can only be that first
response. So a command or a button asks the coach at once and waits up to ``ack_budget``
(2 s) for its answer: a modal or a message then goes out as the first response; a slower
answer gets a deferral ("thinking…") first and follow-ups after, and a form that can no longer
be a modal becomes a button that opens it. Modal submits never open a modal and may run the
analysis, so they are deferred before the coach is asked. A bare ``/checkin`` whose form the
coach already knows (``coach.surface.checkin_form``) opens it at once, then asks the coach,
whose same answer is not shown twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Mapping
from contextlib import asynccontextmanager

import discord

from adapters.discord import modals, sanitize, translate
from adapters.discord.components import CoachButton, inert_view
from adapters.discord.dm_routes import DmRoutes
from adapters.discord.inflight import InFlight
from adapters.discord.messenger import DiscordMessenger
from adapters.discord.observe import Observer
from adapters.discord.pending import Pending, Reopen, Retry
from adapters.discord.render import Renderer, Services
from adapters.discord.surfaces import DmSurface, InteractionSurface, Surface
from bot.ack import ACK_BUDGET, ask_within_budget
from bot.coach import Coach
from bot.coach.forms import with_values
from bot.events import (
    Action,
    Actor,
    AppUninstalled,
    Button,
    ButtonPressed,
    CommandInvoked,
    Event,
    Form,
    FormSubmitted,
    Intent,
    MemberLeft,
    MessageReceived,
    MessageSaved,
    OpenForm,
    Place,
    TenantRef,
    TryAgainLater,
    plain,
)

log = logging.getLogger(__name__)

KNOWN_LIMIT = 100_000  # members known to exist, so "first use" costs one query per member
UNINSTALL_RETRIES = 5
# Buttons that post into the server: a member who left it may no longer do that.
PUBLISHING = {Action.PUBLISH_CHECKIN.value, Action.PUBLISH_LEARNING.value}


class Dispatcher:
    """Every interaction and DM of one client. See the module docstring for the ack path."""

    def __init__(
        self,
        coach: Coach,
        messenger: DiscordMessenger,
        routes: DmRoutes,
        pending: Pending | None = None,
        inflight: InFlight | None = None,
        ack_budget: float = ACK_BUDGET,
        observer: Observer | None = None,
    ) -> None:
        self.coach = coach
        self.routes = routes
        self.pending = pending or Pending()
        self.inflight = inflight or InFlight()
        self.observer = observer or Observer()  # times acks (the client's http_trace reports)
        self.ack_budget = ack_budget
        self.services = Services(
            messenger,
            self.pending,
            coach.prompts,
            routes,
            follow_up=coach.follow_up,
            handle=coach.handle,
        )
        self._known: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._ask_timezone: set[tuple[str, str]] = set()
        coach.forgetting.add(self._forget)

    def _forget(self, tenant: TenantRef, user_id: str) -> None:
        """A member asked to be forgotten: the forms and events kept for them, and what this
        client remembers of them, go. (Their forms are dropped in every server: kept for an
        hour or a day at most, a form is not worth telling apart by server.)"""
        if tenant.platform != translate.PLATFORM:
            return
        self.pending.forget(user_id)
        self.routes.forget_member(user_id, tenant.external_id)
        self.services.told_dm_refused.pop(user_id, None)
        key = (tenant.external_id, user_id)
        self._known.pop(key, None)
        self._ask_timezone.discard(key)

    # --- commands (CommandSink) --------------------------------------------------------------

    async def on_command(
        self,
        interaction: discord.Interaction,
        name: str,
        text: str,
        prefill: Mapping[str, str] | None = None,
    ) -> None:
        """``/name`` with its options as ``text``; ``prefill`` fills the form it opens."""
        async with self._tracked(interaction):
            actor = translate.interaction_actor(interaction, await self._tenant(interaction))
            event = CommandInvoked(actor, translate.place(interaction), name, text)
            known = None
            if name == "checkin" and not text and not prefill:  # the coach may know it already
                known = self.coach.surface.checkin_form(actor.tenant, actor.user_id)
            await self._answer(interaction, actor, event, prefill=prefill, known=known)

    async def on_save(self, interaction: discord.Interaction, message: discord.Message) -> None:
        """Save to notebook on ``message``: the coach's form opens as the first response, a
        modal with its words. Without the message content intent Discord gives most messages
        no words (``content`` is ""): the coach then says so, privately."""
        async with self._tracked(interaction):
            actor = translate.interaction_actor(interaction, await self._tenant(interaction))
            link = translate.message_link(message, interaction.guild_id)
            author = translate.display_name(message.author)
            place = translate.place(interaction)
            event = MessageSaved(actor, place, message.content, link, author)
            await self._answer(interaction, actor, event)

    async def goal_choices(
        self, interaction: discord.Interaction, active_only: bool
    ) -> list[tuple[int, str]]:
        """(number, capability) of the member's goals, for autocomplete (read-only)."""
        tenant = await self._tenant(interaction)
        surface, user_id = self.coach.surface, str(interaction.user.id)
        if active_only:  # from the coach's view of the member when warm
            goals = await surface.open_goals(tenant, user_id)
        else:
            goals = await surface.goals(tenant, user_id)
        return [(g.ref, g.capability) for g in goals]  # none: the command will say why

    async def work_choices(self, interaction: discord.Interaction) -> list[tuple[int, str]]:
        """(position, title) of the member's best works, for autocomplete (read-only)."""
        tenant = await self._tenant(interaction)
        works = await self.coach.surface.works(tenant, str(interaction.user.id))
        return [(w.position, w.title) for w in works]

    # --- components (ComponentHandler) -------------------------------------------------------

    async def on_button(
        self, interaction: discord.Interaction, action: str, value: str, guild: str | None
    ) -> None:
        """A coach button: ``ButtonPressed``; ``guild`` names the tenant of a DM's button."""
        async with self._tracked(interaction):
            actor = translate.interaction_actor(interaction, await self._tenant(interaction, guild))
            if action in PUBLISHING and not await self._still_in_server(interaction, actor):
                left = self.coach.prompts.say("discord_left_server")
                await _quietly(InteractionSurface(interaction).send(sanitize.render(left)))
                return
            event = ButtonPressed(actor, translate.place(interaction), action, value)
            await self._answer(interaction, actor, event)

    async def _still_in_server(self, interaction: discord.Interaction, actor: Actor) -> bool:
        """Whether a member pressing a DM button of a server is still in it (asked of
        Discord: no members intent, so no word when someone leaves); a member who left is
        recorded so, through the coach."""
        guild = translate.guild_of(actor.tenant)
        if interaction.guild_id is not None or guild is None:
            return True  # pressed in the server itself: Discord sent them as its member
        messenger = self.services.messenger
        try:
            if await messenger.is_member(actor.tenant, guild, actor.user_id):
                return True
        except discord.HTTPException as exc:  # cannot tell: the coach decides as before
            log.warning("membership check failed: %s", exc.status)
            return True
        await self.coach.handle(MemberLeft(actor))
        return False

    async def on_reopen(self, interaction: discord.Interaction, token: str) -> None:
        """Open a kept form again, with the member's words in it (no coach call: fast)."""
        async with self._tracked(interaction):
            kept = self.pending.get(token, str(interaction.user.id))
            guild = kept.guild if isinstance(kept, Reopen) else None
            actor = translate.interaction_actor(interaction, await self._tenant(interaction, guild))
            renderer = self._renderer(InteractionSurface(interaction), actor, None)
            if not isinstance(kept, Reopen):
                await renderer.surface.send(self._expired())
                return
            await renderer.open_form(kept.form, ask_choice_first=False, fixed=dict(kept.fixed))

    async def on_retry(self, interaction: discord.Interaction, token: str) -> None:
        """Send the coach again what it could not take before."""
        async with self._tracked(interaction):
            kept = self.pending.get(token, str(interaction.user.id))
            if not isinstance(kept, Retry):
                await InteractionSurface(interaction).send(self._expired())
                return
            if not isinstance(kept.event, AppUninstalled):  # always true: only members retry
                await self._answer(interaction, kept.event.actor, kept.event)

    async def on_pick(self, interaction: discord.Interaction, token: str, value: str) -> None:
        """The choice asked before a modal was made: open the modal with the rest."""
        async with self._tracked(interaction):
            kept = self.pending.get(token, str(interaction.user.id))
            guild = kept.guild if isinstance(kept, Reopen) else None
            actor = translate.interaction_actor(interaction, await self._tenant(interaction, guild))
            renderer = self._renderer(InteractionSurface(interaction), actor, None)
            if not isinstance(kept, Reopen):
                await renderer.surface.send(self._expired())
                return
            pick, _ = modals.layout(kept.form)
            chosen = with_values(kept.form, {pick.name: value}) if pick else kept.form
            await renderer.open_form(chosen, ask_choice_first=False)

    async def on_reply_here(self, interaction: discord.Interaction, guild: str | None) -> None:
        """A member whose DMs are closed answers the coach's question in a modal."""
        async with self._tracked(interaction):
            label = plain(self.coach.prompts.say("discord_your_answer"))
            await interaction.response.send_modal(modals.reply_modal("", guild, label))

    # --- modal submits -----------------------------------------------------------------------

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Every interaction passes here; modal submits are ours to route (by custom id)."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        data = dict(interaction.data or {})
        custom_id = str(data.get("custom_id", ""))
        submitted = modals.parse_custom_id(custom_id)
        is_reply, reply_guild = modals.parse_reply_id(custom_id)
        if submitted is None and not is_reply:
            return  # not one of ours
        async with self._tracked(interaction):
            guild = submitted.guild if submitted is not None else reply_guild
            actor = translate.interaction_actor(interaction, await self._tenant(interaction, guild))
            typed = modals.values(data)
            event: Event
            if submitted is not None:
                values = {**typed, **submitted.fixed}
                event = FormSubmitted(
                    actor,
                    translate.place(interaction),
                    submitted.form_id,
                    values,
                    submitted.context,
                )
            else:
                # The answer to a DM question, given here by a member who refuses DMs.
                text = typed.get(modals.REPLY_FIELD, "")
                event = MessageReceived(actor, Place.dm(), text, str(interaction.id))
            await self._answer(interaction, actor, event, defer_first=True)

    # --- DMs and guilds ------------------------------------------------------------------------

    async def on_message(self, message: discord.Message) -> None:
        """A DM to the coach: a reflection answer, mostly. Server messages are not read."""
        if message.guild is not None or message.author.bot or not message.content.strip():
            return
        async with self.inflight.track(str(message.id)):
            user_id = str(message.author.id)
            tenant = await self.routes.tenant(user_id)
            actor = translate.actor(message.author, tenant)
            event = MessageReceived(actor, Place.dm(), message.content, str(message.id))
            surface = DmSurface(self.services.messenger, tenant, user_id)
            try:
                intents = await self.coach.handle(event)
                await self._renderer(surface, actor, event).show(intents)
            except Exception:
                log.exception("answering a DM failed")
                await _quietly(surface.send(self._sorry()))

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """The coach was removed from a server: delete that server's data."""
        async with self.inflight.track(f"guild-remove:{guild.id}"):
            self.routes.forget_guild(str(guild.id))
            tenant = translate.guild_tenant(guild.id)
            for attempt in range(UNINSTALL_RETRIES):
                intents = await self.coach.handle(AppUninstalled(tenant))
                if not any(isinstance(i, TryAgainLater) for i in intents):
                    return
                log.warning("guild %s left; its data is not deleted yet: retrying", guild.id)
                await asyncio.sleep(2**attempt)
            log.error("guild %s left; deleting its data failed: the database is down", guild.id)

    # --- the ack path --------------------------------------------------------------------------

    async def _answer(
        self,
        interaction: discord.Interaction,
        actor: Actor,
        event: Event,
        *,
        defer_first: bool = False,
        prefill: Mapping[str, str] | None = None,
        known: Form | None = None,
    ) -> None:
        """``known``: the form the coach's answer opens, as its surface knows it already: shown
        at once, before the coach is asked (who then records the turn as always)."""
        surface = InteractionSurface(interaction)
        renderer = self._renderer(surface, actor, event)
        try:
            if defer_first:
                await surface.make_room()
            if known is not None:
                await renderer.open_form(known)
            first_use, intents = await self._ask(surface, actor, event)
            if prefill:
                intents = [_prefilled(i, prefill) for i in intents]
            if known is not None:  # shown already; a different answer still shows
                intents = [i for i in intents if i != OpenForm(known)]
            await renderer.show(intents)
            await self._maybe_ask_timezone(surface, actor, first_use, intents)
        except Exception:
            log.exception("answering %s failed", type(event).__name__)
            await _quietly(surface.send(self._sorry()))

    async def _ask(self, surface: Surface, actor: Actor, event: Event) -> tuple[bool, list[Intent]]:
        """(whether this is the member's first use, the coach's answer); defers first if the
        two take longer than the ack budget."""

        async def both() -> tuple[bool, list[Intent]]:
            first_use = await self._first_use(actor)  # before the coach creates the member
            return first_use, await self.coach.handle(event)

        async def defer() -> None:
            try:
                await surface.make_room()
            except discord.HTTPException as exc:  # the coach's work still completes
                log.warning("deferring failed: %s", exc.status)

        if not surface.can_open_modal:  # answered already, or a DM: no first response is due
            return await both()
        answer, _ = await ask_within_budget(both(), defer, self.ack_budget)
        return answer

    def _renderer(self, surface: Surface, actor: Actor, origin: Event | None) -> Renderer:
        return Renderer(surface, actor, self.services, origin)

    # --- who and where -------------------------------------------------------------------------

    async def _tenant(
        self, interaction: discord.Interaction, guild: str | None = None
    ) -> TenantRef:
        """A server interaction's guild; in a DM, the guild its component names (when the
        member belongs to it), else the guild the member's DMs belong to."""
        user_id = str(interaction.user.id)
        if interaction.guild_id is not None:
            self.routes.remember(user_id, str(interaction.guild_id))
            return translate.guild_tenant(interaction.guild_id)
        if guild:
            # The database unavailable: no, as the coach cannot save anything now, anywhere.
            if await self.routes.is_member(user_id, guild):
                return translate.guild_tenant(guild)
            log.warning("a DM component named a guild its user never used: ignored")
        return await self.routes.tenant(user_id)

    @asynccontextmanager
    async def _tracked(self, interaction: discord.Interaction) -> AsyncIterator[None]:
        with self.observer.interaction(interaction.id):
            async with self.inflight.track(str(interaction.id)):
                yield

    def _expired(self) -> str:
        return sanitize.render(self.coach.prompts.say("form_unknown"))

    def _sorry(self) -> str:
        return sanitize.render(self.coach.prompts.say("discord_sorry"))

    # --- the time zone, which Discord does not tell ---------------------------------------------

    async def _first_use(self, actor: Actor) -> bool:
        """Whether this member has never used the coach in this server (checked once)."""
        key = (actor.tenant.external_id, actor.user_id)
        if translate.guild_of(actor.tenant) is None or key in self._known:
            return False
        new = await self.coach.surface.is_new(actor.tenant, actor.user_id)
        if new is None:  # the database cannot tell: ask another time
            return False
        self._known[key] = None
        while len(self._known) > KNOWN_LIMIT:
            self._known.popitem(last=False)
        return new

    async def _maybe_ask_timezone(
        self, surface: Surface, actor: Actor, first_use: bool, intents: list[Intent]
    ) -> None:
        key = (actor.tenant.external_id, actor.user_id)
        if any(isinstance(i, OpenForm) and i.form.form_id == "settings" for i in intents):
            self._ask_timezone.discard(key)  # they are setting it right now
            return
        if any(isinstance(i, TryAgainLater) for i in intents):
            first_use = False  # nothing was saved: they are still new next time
            self._known.pop(key, None)
        if first_use:
            self._ask_timezone.add(key)
        if key not in self._ask_timezone or not surface.said:
            return  # a modal was the only answer: ask with the next message
        self._ask_timezone.discard(key)
        guild = translate.guild_of(actor.tenant) if surface.in_dm else None
        prompts = self.coach.prompts
        label = sanitize.render(prompts.say("discord_timezone_button"))
        button = CoachButton.of(Button(label, Action.OPEN_SETTINGS), guild)
        await surface.send(sanitize.render(prompts.say("discord_timezone_ask")), inert_view(button))


def _prefilled(intent: Intent, values: Mapping[str, str]) -> Intent:
    """A form opened by a command, pre-filled with the command's options of the same name."""
    if isinstance(intent, OpenForm):
        return OpenForm(with_values(intent.form, values))
    return intent


async def _quietly(sending: Awaitable[None]) -> None:
    """Await a last-resort message; if even that fails, the log already says why."""
    try:
        await sending
    except Exception:
        log.warning("could not tell the member something went wrong")
