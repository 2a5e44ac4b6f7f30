"""What each scheduled delivery says, composed when it is sent (so it uses today's data)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.events import Action, Button, Content, Mention, Segment, UserText
from bot.numbers import shown
from bot.prompts import PromptError, Prompts, _read_yaml, placeholders, render
from bot.schedule import best_five
from bot.schedule.predicted import told
from bot.schedule.summary import Shared, digest, team_summary
from bot.schedule.team_chart import Drawing, team_chart
from bot.store.deliveries import DeliveryKind as Kind
from bot.store.deliveries import DeliveryStatus as Status
from bot.store.models import (
    CheckIn,
    Delivery,
    Goal,
    GoalSource,
    Member,
    MetricPoint,
    NudgeRecord,
    Prediction,
    Tenant,
)
from bot.store.views import PredictionView

NUDGE_QUIET = timedelta(weeks=8)  # a channel prompt does not come back sooner than this
# Why a goal's source cannot be read (``bot.trackers.TrackerError.kind``): the message saying
# what to check.
SOURCE_TROUBLE = {
    "unreachable": "source_unreachable",
    "slow": "source_slow",
    "credentials": "source_credentials",
    "unknown_experiment": "source_unknown_experiment",
    "unknown_metric": "source_unknown_metric",
    "bad_filter": "source_bad_filter",
    "bad_answer": "source_bad_answer",
}
TRACKER_NAMES = {"mlflow": "MLflow", "wandb": "W&B"}
BRIEF = 10  # characters: a tracker's 0.44999998807907104 is shown as 0.45


def brief(value: float | None, typed: str | None = None) -> str:
    """A number as the member typed it, else exactly when short, else to four significant
    digits: ``brief(0.44999998807907104) == "0.45"``."""
    text = shown(value, typed)
    if value is None or typed or len(text) <= BRIEF:
        return text
    return f"{value:.4g}"


@dataclass(frozen=True)
class Message:
    body: Content
    buttons: tuple[Button, ...] = ()
    channel: str | None = None  # None: a DM to the delivery's target
    thread: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)  # remembered on the delivery
    # A chart to show after the words (the digest's team chart), drawn when it is sent.
    chart: Drawing | None = None


class ChannelNudge(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    text: str = Field(max_length=280)
    idea: str


class ChannelNudges(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    channel_nudges: tuple[ChannelNudge, ...] = Field(min_length=9)


@cache
def channel_nudges() -> tuple[ChannelNudge, ...]:
    """prompts/channel_nudges.yaml, validated: at least nine, so eight weeks never repeat."""
    try:
        loaded = ChannelNudges.model_validate(_read_yaml("channel_nudges.yaml")).channel_nudges
    except ValueError as exc:
        raise PromptError(f"prompts/channel_nudges.yaml: {exc}") from exc
    if len({n.id for n in loaded}) != len(loaded):
        raise PromptError("prompts/channel_nudges.yaml: ids repeat")
    return loaded


class WeeklyWords(BaseModel):
    """prompts/weekly.yaml: the weekly DMs, several wordings each (see that file)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    prompt_goal: tuple[str, ...] = Field(min_length=3)
    prompt: tuple[str, ...] = Field(min_length=3)
    reminder: tuple[str, ...] = Field(min_length=3)
    paused: str


@cache
def weekly_words() -> WeeklyWords:
    """prompts/weekly.yaml, validated: each wording distinct, with only its placeholders."""
    try:
        words = WeeklyWords.model_validate(_read_yaml("weekly.yaml"))
    except ValueError as exc:
        raise PromptError(f"prompts/weekly.yaml: {exc}") from exc
    allowed = {"prompt_goal": {"name", "capability"}}
    for key in ("prompt_goal", "prompt", "reminder"):
        wordings: tuple[str, ...] = getattr(words, key)
        if len(set(wordings)) != len(wordings):
            raise PromptError(f"prompts/weekly.yaml: {key} repeats a wording")
        for text in wordings:
            if placeholders(text) - allowed.get(key, {"name"}):
                raise PromptError(f"prompts/weekly.yaml: unknown placeholder in {text!r}")
    if placeholders(words.paused) - {"name"}:
        raise PromptError("prompts/weekly.yaml: unknown placeholder in paused")
    return words


def worded(wordings: Sequence[str], silent: int) -> str:
    """The wording for a week after ``silent`` weeks without a check-in: the first in an
    ordinary week, another in each quiet one."""
    return wordings[silent % len(wordings)]


class Addressee(NamedTuple):
    """What a prompt says of its member: read as plain columns, not as a whole ``Member``."""

    id: int
    user_id: str
    display_name: str


@dataclass
class Known:
    """Read ahead for a batch of deliveries: their members, and each prompted member's first
    active goal's capability (``None``: no goal)."""

    members: dict[int, Addressee] = field(default_factory=dict)
    goals: dict[int, str | None] = field(default_factory=dict)


class Composer:
    def __init__(self, prompts: Prompts) -> None:
        self.prompts = prompts

    async def prefetch(self, session: AsyncSession, deliveries: Sequence[Delivery]) -> Known:
        """What composing ``deliveries`` reads, in two queries rather than two per message."""
        known = Known()
        member_ids = {d.member_id for d in deliveries if d.member_id is not None}
        if member_ids:
            rows = await session.execute(
                select(Member.id, Member.user_id, Member.display_name).where(
                    Member.id.in_(member_ids)
                )
            )
            known.members = {row[0]: Addressee(*row) for row in rows}
        prompted = {
            d.member_id
            for d in deliveries
            if d.kind in (Kind.CHECKIN, Kind.REMINDER) and d.member_id in known.members
        }
        if prompted:
            known.goals = dict.fromkeys(prompted)
            goals = await session.execute(
                select(Goal.member_id, Goal.capability)
                .where(Goal.member_id.in_(prompted), Goal.status == "active")
                .order_by(Goal.member_id, Goal.ref)
            )
            for member_id, capability in goals:
                if known.goals[member_id] is None:
                    known.goals[member_id] = capability
        return known

    async def message(
        self, session: AsyncSession, delivery: Delivery, known: Known | None = None
    ) -> Message | None:
        """The message for ``delivery``, or ``None`` when there is nothing to send (yet).

        ``known``: what ``prefetch`` read for a batch this delivery belongs to.
        """
        match delivery.kind:
            case Kind.CHECKIN | Kind.REMINDER | Kind.PAUSE:
                return await self._prompt(session, delivery, known or Known())
            case Kind.DIGEST:
                return await self._digest(session, delivery)
            case Kind.DIGEST_ITEM:
                return await self._digest_item(session, delivery)
            case Kind.CHANNEL_NUDGE:
                return await self._channel_nudge(session, delivery)
            case Kind.TAG:
                users = [str(u) for u in delivery.detail.get("users", [])]
                mentions: list[Segment] = []
                for user in users:
                    mentions += [", " if mentions else " ", Mention(user)]
                body = (*self.prompts.say("tag_nonresponders"), *mentions)
                return Message(body, channel=delivery.target)
            case Kind.NOTEBOOK_REVIEW:
                body = self.prompts.say("notebook_review_prompt")
                return Message(body, (Button("Draft my review", Action.DRAFT_REVIEW),))
            case Kind.NUDGE:
                return await self._goal_nudge(session, delivery)
            case Kind.NEW_BEST:
                return await self._new_best(session, delivery)
            case Kind.SOURCE_NEWS:
                return await self._source_news(session, delivery)
            case Kind.PREDICTED:
                return await self._predicted(session, delivery)
            case Kind.QUARTERLY_REVIEW:
                return await self._quarterly(session, delivery)
        raise ValueError(f"unknown delivery kind {delivery.kind!r}")

    async def _prompt(
        self, session: AsyncSession, delivery: Delivery, known: Known
    ) -> Message | None:
        member_id = delivery.member_id
        member: Addressee | Member | None = (
            known.members.get(member_id) if member_id is not None else None
        )
        if member is None and member_id is not None and member_id not in known.members:
            member = await session.get(Member, member_id)
        if member is None:
            return None
        if member.id in known.goals:
            capability = known.goals[member.id]
        else:
            capability = (
                await session.execute(
                    select(Goal.capability)
                    .where(Goal.member_id == member.id, Goal.status == "active")
                    .order_by(Goal.ref)
                    .limit(1)
                )
            ).scalar_one_or_none()
        name = UserText(member.display_name or member.user_id)
        words = weekly_words()
        silent = int(delivery.detail.get("silent", 0) or 0)
        if delivery.kind == Kind.PAUSE:
            body = render(words.paused, name=name)
        elif delivery.kind == Kind.REMINDER:
            body = render(worded(words.reminder, silent), name=name)
        elif capability is not None:
            wording = worded(words.prompt_goal, silent)
            body = render(wording, name=name, capability=UserText(capability))
        else:
            body = render(worded(words.prompt, silent), name=name)
        return Message(body, (Button("Check in", Action.OPEN_CHECKIN),))

    async def _goal_nudge(self, session: AsyncSession, delivery: Delivery) -> Message | None:
        """A nudge the member's history called for: recorded like any other, with feedback."""
        member = await session.get(Member, delivery.member_id) if delivery.member_id else None
        goal = await session.get(Goal, int(delivery.detail.get("goal", 0)))
        nudge_id = str(delivery.detail.get("nudge", ""))
        if member is None or goal is None or goal.status != "active" or not member.nudges_enabled:
            return None
        nudge = self.prompts.nudge(nudge_id)
        given = await session.scalar(
            select(func.count()).where(
                NudgeRecord.member_id == member.id, NudgeRecord.nudge_id == nudge_id
            )
        )
        record = NudgeRecord(
            tenant_id=member.tenant_id,
            member_id=member.id,
            nudge_id=nudge_id,
            trigger=f"history of goal {goal.ref}",
            batch=f"delivery-{delivery.id}",
            given_at=delivery.due_at,
        )
        session.add(record)
        await session.flush()
        member.last_nudges = nudge_id
        wording = nudge.wordings[(given or 0) % len(nudge.wordings)]
        body = (
            *render(wording, goal=UserText(goal.capability), metric=UserText(goal.metric_name)),
            f"\n   Why I ask: {nudge.why}",
        )
        buttons = (
            Button("Helped", Action.NUDGE_HELPFUL, str(record.id)),
            Button("Did not help", Action.NUDGE_UNHELPFUL, str(record.id)),
        )
        return Message(body, buttons)

    async def _new_best(self, session: AsyncSession, delivery: Delivery) -> Message | None:
        """A goal's source brought a new best: "fold success 0.41 → 0.45, a new best, from run
        fold-3; check in?", with a button opening the check-in for that goal."""
        detail = delivery.detail
        goal = await session.get(Goal, int(detail.get("goal", 0)))
        point = await session.get(MetricPoint, int(detail.get("point", 0)))
        member = await session.get(Member, delivery.member_id) if delivery.member_id else None
        if goal is None or point is None or member is None or goal.status != "active":
            return None  # the goal was closed or deleted since, or the member left
        if not member.nudges_enabled:
            return None
        before = detail.get("before")
        body = self.prompts.say(
            "new_best",
            metric=UserText(goal.metric_name),
            before=brief(float(before) if before is not None else None, detail.get("before_text")),
            after=brief(point.value, point.value_text),
            run=UserText(str(detail.get("run", ""))),
        )
        label = self.prompts.messages["button_check_in"]
        return Message(body, (Button(label, Action.OPEN_CHECKIN, str(goal.ref)),))

    async def _predicted(self, session: AsyncSession, delivery: Delivery) -> Message | None:
        """The predictions a value from a tracker or a script settled: held or missed, and
        which way, as a check-in's answer says it."""
        goal = await session.get(Goal, int(delivery.detail.get("goal", 0)))
        if goal is None:
            return None  # the goal (and its predictions) deleted since
        found = [
            await session.get(Prediction, int(i)) for i in delivery.detail.get("predictions", [])
        ]
        settled = [PredictionView.of(p) for p in found if p is not None and p.goal_id == goal.id]
        lines = told(self.prompts, settled)
        if not lines:
            return None
        body = (*self.prompts.say("predicted_by_source", ref=goal.ref), *lines)
        return Message(body)

    async def _source_news(self, session: AsyncSession, delivery: Delivery) -> Message | None:
        """What a goal's source first read, or why it cannot be read and how to fix it; never
        its credential."""
        detail = delivery.detail
        source = await session.get(GoalSource, int(detail.get("source", 0)))
        goal = await session.get(Goal, source.goal_id) if source is not None else None
        if source is None or goal is None:
            return None  # disconnected (or connected anew) since
        settings = source.settings or {}
        what = str(detail.get("what", ""))
        if what == "connected":
            body = self.prompts.say(
                "source_connected",
                ref=goal.ref,
                metric=UserText(goal.metric_name),
                value=brief(float(detail.get("value", 0.0))),
                run=UserText(str(detail.get("run", ""))),
                count=int(detail.get("runs", 0)),
            )
            return Message(body)
        if what not in SOURCE_TROUBLE:
            return None
        experiment = str(settings.get("experiment", "")) or "/".join(
            str(settings.get(k, "")) for k in ("entity", "project")
        )
        body = self._said(
            SOURCE_TROUBLE[what],
            ref=goal.ref,
            tracker=TRACKER_NAMES.get(source.kind, source.kind),
            experiment=UserText(experiment),
            metric=UserText(str(settings.get("metric", ""))),
        )
        return Message(body)

    async def _quarterly(self, session: AsyncSession, delivery: Delivery) -> Message | None:
        """The best five, reviewed (``best_five``), with a button to name next quarter's bet;
        ``None`` when the member turned it off or has no best works since it was claimed."""
        member = await session.get(Member, delivery.member_id) if delivery.member_id else None
        if member is None or not member.quarterly_review:
            return None
        body = await best_five.review(self.prompts, session, member, delivery.period)
        if body is None:
            return None
        label = self.prompts.messages["button_quarterly_bet"]
        return Message(body, (Button(label, Action.QUARTERLY_BET, delivery.period),))

    def _said(self, key: str, **values: Any) -> Content:
        return self.prompts.say(key, **values)

    async def _digest(self, session: AsyncSession, delivery: Delivery) -> Message | None:
        """The week's digest: each published check-in's number against its baseline and target,
        and who moved their number; ``None`` (not posted) when nobody published, unless the
        team asked for the empty one. The check-ins themselves follow in its thread."""
        shared = await published(session, delivery.tenant_id, delivery.period)
        week = week_of(delivery.period)
        if not shared:
            tenant = await session.get(Tenant, delivery.tenant_id)
            if tenant is None or not tenant.digest_when_empty:
                return None  # nothing to read: a later check-in is posted on its own
            return Message(self.prompts.say("digest_empty", week=week), channel=delivery.target)
        chart = await team_chart(self.prompts, session, delivery, shared, week)
        return Message(digest(self.prompts, week, shared), channel=delivery.target, chart=chart)

    async def _digest_item(self, session: AsyncSession, delivery: Delivery) -> Message | None:
        parent = (
            await session.execute(
                select(Delivery).where(
                    Delivery.tenant_id == delivery.tenant_id,
                    Delivery.kind == Kind.DIGEST,
                    Delivery.period == delivery.period,
                    Delivery.status.in_((Status.SENT, Status.SKIPPED)),
                )
            )
        ).scalar_one_or_none()
        if parent is None or (parent.status == Status.SENT and not parent.detail.get("ts")):
            return None  # the digest of that period is not out yet: the item waits for it
        checkin = await session.get(CheckIn, int(delivery.detail["checkin_id"]))
        member = await session.get(Member, delivery.member_id) if delivery.member_id else None
        if checkin is None or member is None or checkin.published_at is None:
            return None
        goal = await session.get(Goal, checkin.goal_id) if checkin.goal_id else None
        body = team_summary(self.prompts, member, checkin, goal)
        if (
            parent.status == Status.SKIPPED
        ):  # no digest that week (nobody had published): on its own
            return Message(body, channel=parent.target)
        return Message(body, channel=parent.target, thread=str(parent.detail["ts"]))

    async def _channel_nudge(self, session: AsyncSession, delivery: Delivery) -> Message:
        catalogue = channel_nudges()
        latest = (
            (
                await session.execute(
                    select(Delivery.detail)
                    .where(
                        Delivery.tenant_id == delivery.tenant_id,
                        Delivery.kind == Kind.CHANNEL_NUDGE,
                        Delivery.target == delivery.target,
                        Delivery.status == Status.SENT,
                    )
                    .order_by(Delivery.due_at.desc(), Delivery.id.desc())
                    .limit(len(catalogue))
                )
            )
            .scalars()
            .all()
        )
        # The prompt heard here least recently (never heard: the first such in the catalogue).
        # This walks through all of them in turn, so with nine or more in the catalogue none
        # comes back within eight weeks (NUDGE_QUIET) at a weekly cadence.
        heard: dict[object, int] = {}
        for ago, detail in enumerate(latest):
            heard.setdefault(detail.get("prompt"), ago)
        chosen = max(
            catalogue, key=lambda n: (heard.get(n.id, len(catalogue)), -catalogue.index(n))
        )
        return Message((chosen.text,), channel=delivery.target, detail={"prompt": chosen.id})


async def published(session: AsyncSession, tenant_id: int, period: str) -> list[Shared]:
    """The check-ins published for the team's digest of ``period`` (still published), oldest
    first, each with its goal and the value it is compared with."""
    items = (
        await session.execute(
            select(CheckIn, Member)
            .join(
                Delivery,
                (Delivery.detail["checkin_id"].as_integer() == CheckIn.id)
                & (Delivery.tenant_id == tenant_id)
                & (Delivery.kind == Kind.DIGEST_ITEM)
                & (Delivery.period == period),
            )
            .join(Member, Member.id == CheckIn.member_id)
            .where(CheckIn.tenant_id == tenant_id, CheckIn.published_at.is_not(None))
            .order_by(CheckIn.created_at, CheckIn.id)
        )
    ).all()
    shared = []
    for checkin, member in items:
        goal = await session.get(Goal, checkin.goal_id) if checkin.goal_id else None
        before: float | None = None
        before_text: str | None = None
        if goal is not None and checkin.metric_value is not None:
            # Compared with what the team could already see: the goal's last published value,
            # else its baseline; never a number from a check-in that stayed private.
            published = (
                await session.execute(
                    select(CheckIn.metric_value, CheckIn.metric_value_text)
                    .where(
                        CheckIn.goal_id == goal.id,
                        CheckIn.published_at.is_not(None),
                        CheckIn.metric_value.is_not(None),
                        CheckIn.created_at < checkin.created_at,
                    )
                    .order_by(CheckIn.created_at.desc(), CheckIn.id.desc())
                    .limit(1)
                )
            ).first()
            before, before_text = published or (goal.baseline, goal.baseline_text)
        shared.append(Shared(member, checkin, goal, before, before_text))
    return shared


def week_of(period: str) -> str:
    """``week_of("2026-W45") == "2 November 2026"``: the Monday of an ISO week, as people say it."""
    year, _, week = period.partition("-W")
    try:
        monday = date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        return period
    return f"{monday.day} {monday:%B %Y}"


__all__ = ["Composer", "Message", "channel_nudges", "weekly_words"]
