"""Builders for scheduling tests: a Messenger that records everything it is asked to send, and a
rig that drives the tick and the outbox by hand on a ManualClock (no wall-clock waits)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.coach import Coach
from bot.events import (
    Action,
    Actor,
    Button,
    ButtonPressed,
    Chart,
    CommandInvoked,
    Content,
    FormSubmitted,
    Intent,
    Place,
    Reply,
    TenantRef,
    UserText,
    plain,
)
from bot.ports import ManualClock, Messenger, Recipient
from bot.prompts import load_prompts
from bot.schedule.claims import Ticker
from bot.schedule.outbox import Outbox
from bot.store import Database
from bot.store.models import Delivery, Member, Tenant
from tests.fakes import created

TEAM = TenantRef("slack", "T1")
CHANNEL = "C1"
IN_CHANNEL = Place.channel(CHANNEL)
GRACE = timedelta(hours=6)
ALL_DAYS = "mon, tue, wed, thu, fri, sat, sun"


class SendFailed(Exception):
    """What a platform error looks like to the outbox."""


@dataclass(frozen=True)
class Sent:
    """One message a Messenger was asked to send."""

    kind: str  # "dm" or "post"
    tenant: TenantRef
    target: str  # a user id (dm) or a channel id (post)
    body: Content
    at: datetime  # the clock when it was sent
    buttons: tuple[Button, ...] = ()
    thread: str | None = None
    ts: str = ""

    @property
    def text(self) -> str:
        return plain(self.body)

    @property
    def member_words(self) -> list[str]:
        """The spans an adapter escapes: what members wrote."""
        return [p.text for p in self.body if isinstance(p, UserText)]


@dataclass
class RecordingMessenger:
    """Records every send; ``fail(n)`` makes the next ``n`` sends (to ``target``) raise."""

    clock: ManualClock
    sent: list[Sent] = field(default_factory=list)
    failures: list[str | None] = field(default_factory=list)
    attempts: int = 0
    lookups: int = 0  # find_sent calls: how often the outbox was unsure a send got out

    def __post_init__(self) -> None:
        created.append(self)  # the suite's privacy check reads what it was asked to post

    def fail(self, times: int = 1, target: str | None = None) -> None:
        self.failures += [target] * times

    def _maybe_fail(self, target: str) -> None:
        self.attempts += 1
        for i, wanted in enumerate(self.failures):
            if wanted is None or wanted == target:
                del self.failures[i]
                raise SendFailed(f"platform refused a send to {target}")

    async def send_dm(
        self, tenant: TenantRef, user_id: str, body: Content, buttons: tuple[Button, ...] = ()
    ) -> None:
        self._maybe_fail(user_id)
        self.sent.append(Sent("dm", tenant, user_id, body, self.clock.now(), buttons))

    async def post(
        self, tenant: TenantRef, channel_id: str, body: Content, thread_id: str | None = None
    ) -> str:
        self._maybe_fail(channel_id)
        ts = f"ts-{len(self.sent) + 1}"
        self.sent.append(
            Sent("post", tenant, channel_id, body, self.clock.now(), thread=thread_id, ts=ts)
        )
        return ts

    async def find_sent(
        self, tenant: TenantRef, to: Recipient, body: Content, since: datetime
    ) -> str | None:
        """What a platform that keeps history answers: a send it took, to ``to``, since
        ``since``, with the same text."""
        self.lookups += 1
        where = ("dm", to.user_id, None) if to.user_id else ("post", to.channel_id, to.thread_id)
        for number, sent in enumerate(self.sent, start=1):
            same = (sent.tenant, sent.kind, sent.target, sent.thread) == (tenant, *where)
            if same and sent.text == plain(body) and sent.at >= since:
                return sent.ts or f"dm-{number}"
        return None

    def dms(self, user_id: str | None = None) -> list[Sent]:
        return [s for s in self.sent if s.kind == "dm" and user_id in (None, s.target)]

    def posts(self, channel: str | None = None) -> list[Sent]:
        return [s for s in self.sent if s.kind == "post" and channel in (None, s.target)]

    def prompts_to(self, user_id: str) -> list[Sent]:
        """Weekly check-in prompts (not reminders) sent to ``user_id``, in any wording."""
        return [
            s
            for s in self.dms(user_id)
            if "weekly check-in" in s.text and "still open" not in s.text
        ]

    def reminders_to(self, user_id: str) -> list[Sent]:
        return [s for s in self.dms(user_id) if "still open" in s.text]


@dataclass(frozen=True)
class ShownChart:
    """One chart a ``ChartMessenger`` was asked to show."""

    kind: str  # "post" or "dm"
    target: str  # a channel id (post) or a user id (dm)
    chart: Chart
    at: datetime
    thread: str | None = None


@dataclass
class ChartMessenger(RecordingMessenger):
    """A ``RecordingMessenger`` that shows pictures too (``ChartPoster``), recording each;
    with ``refuse_charts`` the platform refuses every one."""

    charts: list[ShownChart] = field(default_factory=list)
    refuse_charts: bool = False

    async def post_chart(
        self, tenant: TenantRef, channel_id: str, chart: Chart, thread_id: str | None = None
    ) -> str:
        if self.refuse_charts:
            raise SendFailed(f"platform refused a chart in {channel_id}")
        self.charts.append(ShownChart("post", channel_id, chart, self.clock.now(), thread_id))
        return f"chart-{len(self.charts)}"

    async def send_dm_chart(self, tenant: TenantRef, user_id: str, chart: Chart) -> None:
        if self.refuse_charts:
            raise SendFailed(f"platform refused a chart to {user_id}")
        self.charts.append(ShownChart("dm", user_id, chart, self.clock.now()))


class Rig:
    """A coach, a tick and an outbox on one database and one hand-moved clock.

    ``await rig.run(timedelta(days=1), step=timedelta(minutes=10))`` moves the clock a day,
    ticking and draining after every step.
    """

    def __init__(
        self,
        db: Database,
        start: datetime,
        platforms: Iterable[str] = ("slack", "discord", "console"),
        grace: timedelta = GRACE,
        *,
        charts: bool = False,
    ) -> None:
        self.db = db
        self.clock = ManualClock(start)
        self.prompts = load_prompts()
        self.coach = Coach(db, self.clock, self.prompts)
        # ``charts``: a messenger that shows pictures too, as Slack's and Discord's do.
        self.messenger = (ChartMessenger if charts else RecordingMessenger)(self.clock)
        self.platforms = tuple(platforms)
        self.grace = grace
        self.restart()

    def restart(self) -> None:
        """A new process on the same database: nothing kept in memory survives."""
        self.ticker = Ticker(self.db, self.grace)
        self.outbox = Outbox(
            self.db, dict.fromkeys(self.platforms, self.messenger), self.prompts, self.clock
        )

    @property
    def now(self) -> datetime:
        return self.clock.now()

    async def tick(self) -> None:
        await self.ticker.tick(self.now)

    async def drain(self) -> None:
        await self.outbox.drain(self.now)

    async def step(self) -> None:
        await self.tick()
        await self.drain()

    async def run(self, span: timedelta, step: timedelta = timedelta(minutes=30)) -> None:
        await self.run_until(self.now + span, step)

    async def run_until(
        self,
        end: datetime,
        step: timedelta = timedelta(minutes=30),
        also: Iterable[datetime] = (),
    ) -> None:
        """Tick and drain every ``step`` until ``end``, and at each instant of ``also`` too
        (a due instant: what is sent then was sent on time)."""
        extra = sorted(t for t in also if self.now < t < end)
        while self.now < end:
            stop = min([self.now + step, end, *extra[:1]])
            extra = [t for t in extra if t > stop]
            self.clock.advance(stop - self.now)
            await self.step()

    # -- acting as members ------------------------------------------------------------------

    async def command(
        self, actor: Actor, name: str, text: str = "", place: Place = IN_CHANNEL
    ) -> list[Intent]:
        return await self.coach.handle(CommandInvoked(actor, place, name, text))

    async def form(
        self, actor: Actor, form_id: str, values: dict[str, str], context: str = ""
    ) -> list[Intent]:
        return await self.coach.handle(FormSubmitted(actor, IN_CHANNEL, form_id, values, context))

    async def join(self, actor: Actor) -> None:
        """The member's first contact: the coach creates them and schedules their prompt."""
        await self.command(actor, "coach", "help")

    async def own_schedule(self, actor: Actor, day: str, at: str, timezone: str) -> None:
        """The member's own settings form: their zone, day and time."""
        values = {
            "timezone": timezone,
            "checkin_day": day,
            "checkin_time": at,
            "mute_until": "",
            "side_budget_hours": "4",
        }
        said = await self.form(actor, "settings", values)
        assert any(isinstance(i, Reply) and "saved" in plain(i.body).lower() for i in said), said

    async def team_rhythm(
        self,
        admin: Actor,
        *,
        timezone: str = "UTC",
        day: str = "monday",
        at: str = "10:00",
        work_days: str = "mon, tue, wed, thu, fri",
        holidays: str = "",
    ) -> list[Intent]:
        values = {
            "timezone": timezone,
            "checkin_day": day,
            "checkin_time": at,
            "work_days": work_days,
            "holidays": holidays,
        }
        return await self.form(admin, "team_rhythm", values)

    async def team_digest(
        self,
        admin: Actor,
        *,
        day: str = "friday",
        at: str = "16:00",
        nudge_every_weeks: str = "1",
        reminder_after_hours: str = "24",
        tag: str = "no",
        empty: str = "no",
    ) -> list[Intent]:
        values = {
            "digest_day": day,
            "digest_time": at,
            "nudge_every_weeks": nudge_every_weeks,
            "reminder_after_hours": reminder_after_hours,
            "tag_nonresponders": tag,
            "digest_when_empty": empty,
        }
        return await self.form(admin, "team_digest", values)

    async def check_in(self, actor: Actor, did: str, **fields: str) -> int:
        """Submit a check-in; return its id (the value of its Publish button)."""
        values = {
            "did": did,
            "moves_goal": fields.get("moves_goal", ""),
            "metric_value": fields.get("metric_value", ""),
            "next_experiment": fields.get("next_experiment", "Try a smaller learning rate"),
            "failed": fields.get("failed", ""),
        }
        said = await self.form(actor, "checkin", values)
        publish = [
            b.value
            for i in said
            if isinstance(i, Reply)
            for b in i.buttons
            if b.action == Action.PUBLISH_CHECKIN
        ]
        assert len(publish) == 1, said
        return int(publish[0])

    async def publish(self, actor: Actor, checkin_id: int) -> list[Intent]:
        return await self.coach.handle(
            ButtonPressed(actor, IN_CHANNEL, Action.PUBLISH_CHECKIN, str(checkin_id))
        )

    # -- reading the database ---------------------------------------------------------------

    async def deliveries(self, *conditions: Any) -> list[Delivery]:
        async with self.db.session() as session:
            query = select(Delivery).where(*conditions).order_by(Delivery.id)
            return list((await session.execute(query)).scalars().all())

    async def member(self, actor: Actor) -> Member:
        async with self.db.session() as session:
            query = (
                select(Member)
                .join(Tenant, Tenant.id == Member.tenant_id)
                .where(
                    Tenant.platform == actor.tenant.platform,
                    Tenant.external_id == actor.tenant.external_id,
                    Member.user_id == actor.user_id,
                )
            )
            return (await session.execute(query)).scalar_one()

    async def tenant(self, ref: TenantRef = TEAM) -> Tenant:
        async with self.db.session() as session:
            query = select(Tenant).where(
                Tenant.platform == ref.platform, Tenant.external_id == ref.external_id
            )
            return (await session.execute(query)).scalar_one()


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def person(
    user_id: str,
    name: str = "",
    *,
    timezone: str | None = "UTC",
    admin: bool = False,
    tenant: TenantRef = TEAM,
) -> Actor:
    return Actor(tenant, user_id, name or user_id, timezone, admin)


def said(intents: list[Intent]) -> str:
    return "\n".join(plain(i.body) for i in intents if isinstance(i, Reply))


class AnswerLost:
    """A Messenger in a process that dies right after the platform took its ``nth`` message,
    before it heard back: that message is out, and its row is not marked sent.

    ``await lost.hanging.wait()``, then cancel the drain: the process is gone.
    """

    def __init__(self, messenger: Messenger, nth: int = 1) -> None:
        self.messenger = messenger
        self.nth = nth
        self.sends = 0
        self.unanswered: str | None = None
        self.hanging = asyncio.Event()

    async def send_dm(
        self, tenant: TenantRef, user_id: str, body: Content, buttons: tuple[Button, ...] = ()
    ) -> None:
        await self.messenger.send_dm(tenant, user_id, body, buttons)
        self.sends += 1
        if self.sends == self.nth:
            self.unanswered = user_id
            self.hanging.set()
            await asyncio.Event().wait()  # the answer never comes: cancelled with the process

    async def post(
        self, tenant: TenantRef, channel_id: str, body: Content, thread_id: str | None = None
    ) -> str:
        raise AssertionError("no channel posts here")

    async def find_sent(
        self, tenant: TenantRef, to: Recipient, body: Content, since: datetime
    ) -> str | None:
        raise AssertionError("nothing was taken before in this process")
