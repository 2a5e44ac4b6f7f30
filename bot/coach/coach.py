"""``Coach.handle(event) -> list[Intent]``: the one entry point of every adapter."""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace

from bot import analysis, metrics
from bot.analysis import likeness
from bot.coach import (
    ask,
    checkins,
    connect,
    dm,
    edits,
    forms,
    goals,
    history,
    member,
    notebook,
    pictures,
    portfolio,
    predictions,
    premortem,
    quarterly,
    reflection,
    saved,
    team,
)
from bot.coach.advice import feedback
from bot.coach.chart_links import ChartLinks
from bot.coach.forgetting import Forgetting
from bot.coach.home import home
from bot.coach.limits import Limits
from bot.coach.surface import CoachSurface
from bot.coach.turn import Turn
from bot.events import (
    Action,
    Actor,
    AppUninstalled,
    ButtonPressed,
    CommandInvoked,
    DirectMessage,
    DmRefused,
    Event,
    FollowUp,
    Form,
    FormClosed,
    FormSubmitted,
    HomeOpened,
    Intent,
    MemberJoined,
    MemberLeft,
    MessageReceived,
    MessageSaved,
    OpenForm,
    Place,
    Reply,
    TenantRef,
    TryAgainLater,
    UserText,
)
from bot.llm.followup import CheckInContext, FollowUps
from bot.llm.judge import Judge
from bot.ports import Clock, SystemClock
from bot.prompts import Prompts, load_prompts
from bot.schedule.rhythms import next_checkin_at
from bot.store import Database, StoreUnavailable
from bot.store.installations import Tokens

log = logging.getLogger(__name__)


Flow = Callable[[Turn], Awaitable[list[Intent]]]


class Coach:
    """The coach, independent of any platform.

    Example: ``await Coach(db).handle(CommandInvoked(actor, Place.channel("C1"), "goal"))``
    returns a ``Reply`` listing the actor's goals.
    """

    def __init__(
        self,
        db: Database,
        clock: Clock | None = None,
        prompts: Prompts | None = None,
        follow_ups: FollowUps | None = None,
        *,
        judge: Judge | None = None,
        limits: Limits | None = None,
        secrets: Tokens | None = None,
        public_url: str | None = None,
        tracker_addresses: str = "private",
    ) -> None:
        self.db = db
        self.clock = clock or SystemClock()
        self.prompts = prompts or load_prompts()
        # The optional LLM (bot.llm.follow_ups_from(settings)); None: never called.
        self.follow_ups = follow_ups
        # The LLM judge of check-ins (bot.llm.judge_from(settings)); None: the embedded verdict.
        self.judge = judge
        # How much one member can keep (Limits.from_settings(settings)); None: the defaults.
        self.limits = limits or Limits()
        # Seals tracker credentials at /goal connect (the runtime's, from the Fernet keys
        # setting); None: stored as they are. ``public_url``: where scripts push values.
        self.secrets = secrets
        self.public_url = public_url
        self.tracker_addresses = tracker_addresses  # COACH_TRACKER_ADDRESSES
        # Signed links to charts for a home that fetches its images (Slack's App Home in HTTP
        # mode); set by the runtime when it serves them.
        self.chart_links: ChartLinks | None = None
        # One turn at a time per member: two DM answers sent in quick succession arrive as two
        # events handled concurrently, and both would read the same reflection step and save
        # one answer over the other. A lock lives while a turn holds or awaits it.
        self._turns: weakref.WeakValueDictionary[tuple[str, str, str], asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )
        # What keeps a member's words outside the database (adapters add theirs at start).
        self.forgetting = Forgetting()
        self.forgetting.add(lambda _tenant, _user: analysis.forget_texts())
        self.forgetting.add(lambda _tenant, _user: likeness.forget())
        # What adapters may read besides handle(), with its views of recent members.
        self.surface = CoachSurface(db, self.clock)
        self.forgetting.add(self.surface.forget)
        if follow_ups is not None:
            self.forgetting.add(follow_ups.forget)

    async def handle(self, event: Event) -> list[Intent]:
        # Charts are drawn once the turn is over: a drawing holds no transaction, no lock.
        return await pictures.develop(await self._answer(event))

    async def _answer(self, event: Event) -> list[Intent]:
        if isinstance(event, CommandInvoked):
            metrics.command_handled(event.actor.tenant.platform, event.name)
        if isinstance(event, AppUninstalled):
            self.surface.uninstalled(event.tenant)
        elif isinstance(event, DmRefused | MemberLeft):
            pass  # no goal or draft changes
        elif _opens_checkin(event):
            stamp = self.surface.views.stamp()
            intents = await self._handle(event)
            if len(intents) == 1 and isinstance(intents[0], OpenForm):
                actor = event.actor
                self.surface.opened_checkin(actor.tenant, actor.user_id, stamp, intents[0].form)
            return intents
        else:
            try:
                return await self._handle(event)
            finally:  # whatever the turn wrote is in the store now, or rolled back
                self.surface.changed(event.actor.tenant, event.actor.user_id)
        return await self._handle(event)

    async def _handle(self, event: Event) -> list[Intent]:
        try:
            if isinstance(event, AppUninstalled):
                return await self._uninstall(event)
            if isinstance(event, MemberLeft):
                return await self._member_left(event)
            if isinstance(event, DmRefused):
                return await self._dm_refused(event)
            if (
                self.follow_ups is not None
                and isinstance(event, FormSubmitted)
                and event.form_id == "checkin"
            ):
                return await self._checkin_with_follow_up(event, self.follow_ups)
            intents = await self._as_member(event.actor, _place(event), _flow(event))
            if isinstance(event, ButtonPressed) and event.action == Action.FORGET_CONFIRM:
                await self._forgotten(event.actor)  # the rows are gone: now memory and disk
            return intents
        except StoreUnavailable:
            # Nothing was written; the adapter keeps what the member sent for a retry.
            return [TryAgainLater(self.prompts.say("store_unavailable"))]

    async def _checkin_with_follow_up(
        self, event: FormSubmitted, follow_ups: FollowUps
    ) -> list[Intent]:
        """The template answer now, plus a ``FollowUp`` the adapter redeems after delivering."""
        saved: list[CheckInContext] = []

        async def flow(turn: Turn) -> list[Intent]:
            intents, context = await checkins.save(
                turn, dict(event.values), event.context, for_follow_up=True
            )
            if context is not None and turn.member.llm_allowed:
                saved.append(context)
            return await member.told_of_llm(turn, intents)

        intents = await self._as_member(event.actor, event.place, flow)
        if not saved:  # the form was rejected: nothing to follow up
            return intents
        return [*intents, FollowUp(follow_ups.register(saved[0]))]

    async def follow_up(self, intent: FollowUp) -> list[Intent]:
        """What the LLM adds to a check-in, after the adapter delivered the rest (see
        ``bot.events.FollowUp``): a private ``Reply``, or ``[]``. Never raises."""
        if self.follow_ups is None:
            return []
        try:
            return await self.follow_ups.run(intent.token)
        except Exception:  # the member already has the template reply
            log.exception("follow-up failed")
            return []

    async def adopt_team_channel(self, tenant: TenantRef, channel_id: str) -> None:
        """Make ``channel_id`` the team's channel unless it has one: where a platform has one
        obvious team channel (the console's ``#team``), the digest and the channel nudges have
        somewhere to go from the start, with no ``/coach team channel`` first."""
        now = self.clock.now()
        try:
            async with self.db.scope(tenant, now) as scope:
                found = scope.tenant
                if found.team_channel is None:
                    await scope.update_tenant(found, replace(found, team_channel=channel_id))
                if found.next_digest_at is None and found.next_nudge_at is None:
                    await team.reschedule(scope, now)
        except StoreUnavailable:  # the first command says so; a later start tries again
            log.warning(
                "team channel of %s/%s not set: database unavailable",
                tenant.platform,
                tenant.external_id,
            )

    def llm_stats(self) -> dict[str, int]:
        """LLM calls, retries and fallbacks so far, follow-ups and judge together (empty
        without an LLM)."""
        found = [s.stats for s in (self.follow_ups, self.judge) if s is not None]
        merged: dict[str, int] = {}
        for stats in {id(s): s for s in found}.values():  # a shared LLMStats counts once
            for key, value in stats.snapshot().items():
                merged[key] = merged.get(key, 0) + value
        return merged

    def check_answer(self, form: Form, name: str, values: Mapping[str, str]) -> str | None:
        """What is wrong with the answer to field ``name`` of a form filled in step by step
        (``values``: the answers so far), or ``None``: a console refuses a bad answer when it
        is typed. The whole form is checked again when it is submitted.

        >>> coach.check_answer(form, "checkin_time", {"checkin_time": "25:99"})
        "Use 24-hour HH:MM, like 09:30 (you wrote '25:99')."
        """
        return forms.field_error(form, name, values, forms.Checking(self.prompts, self.clock.now()))

    async def _as_member(self, actor: Actor, place: Place, flow: Flow) -> list[Intent]:
        key = (actor.tenant.platform, actor.tenant.external_id, actor.user_id)
        lock = self._turns.get(key)
        if lock is None:
            lock = self._turns[key] = asyncio.Lock()
        async with lock:
            return await self._turn(actor, place, flow)

    async def _turn(self, actor: Actor, place: Place, flow: Flow) -> list[Intent]:
        now = self.clock.now()
        async with self.db.scope(actor.tenant, now) as scope:
            await scope.take_turn(actor.user_id)  # across replicas, as the lock above is within one
            seen = await scope.ensure_member(actor.user_id, actor.display_name, actor.timezone, now)
            # A word from them: this week is not a silent one.
            changed = replace(seen, last_seen_at=now)
            # First sight, a time zone that changed, or back after a pause of the weekly
            # prompts (bot.schedule.claims.SILENT_WEEKS): (re)compute when prompts fall due.
            if seen.next_checkin_at is None:
                changed = replace(changed, next_checkin_at=next_checkin_at(seen, scope.tenant, now))
            row = await scope.update_member(seen, changed)
            if scope.tenant.next_digest_at is None and scope.tenant.next_nudge_at is None:
                await team.reschedule(scope, now)
            llm = self.judge is not None or self.follow_ups is not None
            judge = self.judge if row.llm_allowed else None  # the member said no: not theirs
            turn = Turn(
                actor,
                place,
                now,
                scope,
                row,
                self.prompts,
                judge,
                self.limits,
                llm=llm,
                secrets=self.secrets,
                public_url=self.public_url,
                tracker_addresses=self.tracker_addresses,
                chart_url=self._chart_url(actor),
            )
            return await flow(turn)

    def _chart_url(self, actor: Actor) -> Callable[[int], str] | None:
        links = self.chart_links
        if links is None:
            return None
        return lambda ref: links.url(actor.tenant, actor.user_id, ref)

    async def _forgotten(self, actor: Actor) -> None:
        """After a member's rows are deleted: what other parts keep of them, and the words
        SQLite still holds in its write-ahead log."""
        self.forgetting.run(actor.tenant, actor.user_id)
        await self.db.wipe_journal()

    async def _member_left(self, event: MemberLeft) -> list[Intent]:
        """The member left the server or workspace: no more weekly prompts there. Their rows
        stay theirs (to export or delete); back again, they turn the prompts on again."""
        async with self.db.scope(event.actor.tenant, self.clock.now()) as scope:
            row = await scope.member(event.actor.user_id)
            if row is not None:
                gone = replace(row, weekly_dm=False, next_checkin_at=None)
                # Nor the quarterly review; back again, /coach quarterly on turns it on.
                gone = replace(gone, quarterly_review=False, next_quarterly_at=None)
                await scope.update_member(row, gone)
        return []

    async def _dm_refused(self, event: DmRefused) -> list[Intent]:
        """The platform refused a DM to the member: recorded on them (never creates them)."""
        now = self.clock.now()
        async with self.db.scope(event.actor.tenant, now) as scope:
            row = await scope.member(event.actor.user_id)
            if row is not None:
                await scope.update_member(row, replace(row, dm_refused_at=now))
        return []

    async def _uninstall(self, event: AppUninstalled) -> list[Intent]:
        """The workspace removed the coach: delete everything of that tenant."""
        await self.db.forget_tenant(event.tenant)
        log.info(
            "tenant %s/%s uninstalled: data deleted",
            event.tenant.platform,
            event.tenant.external_id,
        )
        return []


def _place(event: Event) -> Place:
    if isinstance(event, MemberJoined | MemberLeft | DmRefused | HomeOpened | AppUninstalled):
        return Place.dm()  # answered privately; an uninstall has no place
    return event.place


def _opens_checkin(event: Event) -> bool:
    """A bare /checkin: its turn changes no goal and no draft, and opens the form the
    surface keeps for the next one."""
    return (
        isinstance(event, CommandInvoked)
        and event.name.lower().lstrip("/") == "checkin"
        and not event.text.strip()
    )


def _flow(event: Event) -> Flow:
    """The flow that answers ``event``."""
    match event:
        case CommandInvoked(name=name, text=text):
            return lambda turn: command(turn, name, text)
        case FormSubmitted(form_id=form_id, values=values, context=context):
            return lambda turn: form(turn, form_id, dict(values), context)
        case FormClosed(form_id=form_id, values=values):
            return lambda turn: form_closed(turn, form_id, dict(values))
        case ButtonPressed(action=action, value=value):
            return lambda turn: button(turn, action, value)
        case MessageReceived(text=text, delivery_id=delivery_id):
            return lambda turn: message(turn, text, delivery_id)
        case MessageSaved(text=text, link=link, author_name=author):
            return lambda turn: saved.open_form(turn, text, link, author)
        case HomeOpened(charts=charts):
            return lambda turn: home(turn, charts)
        case MemberJoined():
            return welcome
    raise TypeError(f"not an event: {event!r}")


async def command(turn: Turn, name: str, text: str) -> list[Intent]:
    name = name.lower().lstrip("/")
    if len(text) > forms.LONG:
        # Kept whole, so the member can take it from the draft (or an export) and shorten it.
        kind = forms.command_draft(name)
        await turn.scope.save_draft(turn.member, kind, {"text": text}, turn.now)
        return [Reply(turn.say("too_long", length=len(text), limit=forms.LONG))]
    match name:
        case "goal":
            return await goals.handle(turn, text)
        case "checkin" if (weeks := history.subcommand(text, "history")) is not None:
            return await history.checkins(turn, weeks)
        case "checkin" if (rest := history.subcommand(text, "edit")) is not None:
            return await edits.open_latest(turn, rest)
        case "checkin":
            return await checkins.open_form(turn, text)
        case "reflect":
            return await reflection.start(turn, text)
        case "log" if (words := history.subcommand(text, "search")) is not None:
            return await history.search(turn, words)
        case "log":
            return await notebook.log(turn, text)
        case "review":
            return await notebook.review(turn)
        case "wins":
            return await portfolio.handle(turn, text)
        case "coach":
            return await member.handle(turn, text)
        case "predict":
            return await predictions.handle(turn, text)
        case "ask":
            return await ask.handle(turn, text)
    unknown = turn.say("unknown_command", command=UserText(name[:40]))
    return [Reply((*unknown, *member.coach_help(turn)))]


async def form_closed(turn: Turn, form_id: str, values: dict[str, str]) -> list[Intent]:
    """A form left before it was sent: what was answered is kept as a draft, which the form's
    command opens again (any draft the form had keeps what was not answered this time)."""
    answered = {name: value for name, value in values.items() if value.strip()}
    command = forms.reopens(form_id, turn.prompts)
    if not answered or command is None:
        return [Reply(turn.say("form_closed"))]
    draft = await turn.scope.draft(turn.member, form_id)
    kept = {name: str(value) for name, value in (draft.values if draft else {}).items()}
    await turn.scope.save_draft(turn.member, form_id, kept | answered, turn.now)
    return [Reply(turn.say("form_closed_draft", command=command))]


async def form(turn: Turn, form_id: str, values: dict[str, str], context: str) -> list[Intent]:
    match form_id:
        case "goal":
            return await goals.submit(turn, values)
        case "checkin":
            return await member.told_of_llm(turn, await checkins.submit(turn, values, context))
        case edits.FORM:
            return await edits.submit(turn, values, context)
        case "settings":
            return await member.submit_settings(turn, values)
        case "work":
            return await portfolio.submit(turn, values)
        case "review":
            return await notebook.submit(turn, values)
        case "learning":
            return await reflection.publish_line(turn, values, context)
        case "team_rhythm":
            return await team.submit_rhythm(turn, values)
        case "team_digest":
            return await team.submit_digest(turn, values)
        case "predict":
            return await predictions.submit(turn, values, context)
        case premortem.FORM:
            return await premortem.submit(turn, values, context)
        case quarterly.FORM:
            return await quarterly.submit(turn, values, context)
        case saved.FORM:
            return await saved.submit(turn, values, context)
        case "connect_mlflow" | "connect_wandb":
            return await connect.submit(turn, form_id, values, context)
    return [Reply(turn.say("form_unknown"))]


async def button(turn: Turn, action: str, value: str) -> list[Intent]:
    match action:
        case Action.PUBLISH_CHECKIN:
            return await checkins.publish(turn, value)
        case Action.START_REFLECTION:
            return await reflection.start(turn, origin=value)
        case Action.NUDGE_HELPFUL | Action.NUDGE_UNHELPFUL:
            return [await feedback(turn, value, action == Action.NUDGE_HELPFUL)]
        case Action.OPEN_CHECKIN:
            return await checkins.open_form(turn, value)
        case Action.EDIT_CHECKIN:
            return await edits.open_chosen(turn, value)
        case Action.OPEN_SETTINGS:
            return [OpenForm(member.settings_form(turn))]
        case Action.DRAFT_REVIEW:
            return await notebook.review(turn)
        case Action.KEEP_REVIEW:
            return await notebook.keep(turn)
        case Action.EDIT_REVIEW:
            return await notebook.edit(turn)
        case Action.FORGET_CONFIRM:
            return await member.forget(turn)
        case Action.FORGET_CANCEL:
            return [Reply(turn.say("forget_cancelled"))]
        case Action.POST_FAILED if value.startswith(reflection.LESSON):
            return await reflection.post_failed(turn, value)
        case Action.POST_FAILED:
            return await checkins.post_failed(turn, value)
        case Action.PUBLISH_LEARNING:
            return await reflection.offer_line(turn, value)
        case Action.ABANDON_GOAL:
            return await goals.close(turn, value, "abandoned")
        case Action.KEEP_GOAL:
            return await goals.keep(turn, value)
        case Action.PREDICT_NEXT:
            return await predictions.open_for_checkin(turn, value)
        case Action.PREDICTION_HAPPENED | Action.PREDICTION_DID_NOT:
            return await predictions.press(turn, value, action == Action.PREDICTION_HAPPENED)
        case Action.OPEN_PREMORTEM:
            return await premortem.open_form(turn, value)
        case Action.QUARTERLY_BET:
            return await quarterly.open_form(turn, value)
        case Action.CONNECT_MLFLOW:
            return await goals.connect_goal(turn, f"{value} mlflow")
        case Action.CONNECT_WANDB:
            return await goals.connect_goal(turn, f"{value} wandb")
        case Action.CONNECT_SCRIPT:
            return await goals.connect_goal(turn, f"{value} script")
    return [Reply(turn.say("button_unknown"))]


async def message(turn: Turn, text: str, delivery_id: str = "") -> list[Intent]:
    """A DM to the coach: the answer to an open reflection question; else a command said in
    words, a question about the coach, or a line saying what the DM is for (``bot.coach.dm``)."""
    if turn.place.kind != "dm":
        return []  # the coach only listens to DMs; channel chatter is not its business
    if delivery_id and not await turn.scope.first_time(f"message:{delivery_id}", turn.now):
        return []  # the platform retried a delivery we already answered
    answered = await reflection.answer(turn, text)
    if answered is not None:
        return answered
    return await dm.answer(turn, text, command)


async def welcome(turn: Turn) -> list[Intent]:
    return [DirectMessage(turn.actor.user_id, turn.say("welcome"))]
