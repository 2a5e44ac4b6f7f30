"""What the store hands the coach of a member's records: frozen values, not live rows.

A flow reads a view and changes a record only through a ``TenantScope`` method that says what
changes (``close_goal``, ``mark_published``…), which returns the view as it is now: nothing is
written by assigning to an attribute, and nothing a flow holds changes behind its back.

    >>> goal = await scope.goal(member, 2)
    >>> goal = await scope.add_metric(goal, 0.41, now)  # goal.current_best is 0.41 if better
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, NamedTuple

from bot.events import TenantRef
from bot.store.models import (
    BestWork,
    CheckIn,
    Draft,
    Goal,
    GoalSource,
    Member,
    MetricPoint,
    NotebookEntry,
    NudgeRecord,
    Prediction,
    Reflection,
    Tenant,
)


@dataclass(frozen=True)
class TenantView:
    """One team (a Slack workspace, a Discord server, the console's lab) and its rhythm, as
    its admins set it with ``/coach team``: defaults for members, the digest, channel nudges.
    ``work_days`` is a comma-separated list of weekday numbers (Monday = 0)."""

    id: int
    platform: str
    external_id: str
    team_channel: str | None
    created_at: datetime
    timezone: str
    checkin_day: int
    checkin_time: str
    work_days: str
    holidays: tuple[str, ...]  # YYYY-MM-DD
    digest_day: int | None  # None: no digest
    digest_time: str
    digest_when_empty: bool
    nudge_every_weeks: int  # 0: no channel nudges
    reminders: bool
    reminder_after_hours: int
    tag_nonresponders: bool
    admins: tuple[str, ...]  # user ids an admin named as team admins too
    next_digest_at: datetime | None
    next_nudge_at: datetime | None

    @classmethod
    def of(cls, row: Tenant) -> TenantView:
        return cls(
            id=row.id,
            platform=row.platform,
            external_id=row.external_id,
            team_channel=row.team_channel,
            created_at=row.created_at,
            timezone=row.timezone,
            checkin_day=row.checkin_day,
            checkin_time=row.checkin_time,
            work_days=row.work_days,
            holidays=tuple(row.holidays or ()),
            digest_day=row.digest_day,
            digest_time=row.digest_time,
            digest_when_empty=row.digest_when_empty,
            nudge_every_weeks=row.nudge_every_weeks,
            reminders=row.reminders,
            reminder_after_hours=row.reminder_after_hours,
            tag_nonresponders=row.tag_nonresponders,
            admins=tuple(row.admins or ()),
            next_digest_at=row.next_digest_at,
            next_nudge_at=row.next_nudge_at,
        )


@dataclass(frozen=True)
class MemberView:
    """One member of a tenant, with their settings. ``weekly_dm`` ``None`` is the platform's
    default; ``last_nudges`` the nudge ids of their latest reply, never repeated next."""

    id: int
    user_id: str
    display_name: str
    timezone: str
    checkin_day: int  # Monday = 0
    checkin_time: str
    mute_until: date | None
    own_schedule: bool
    weekly_dm: bool | None
    next_checkin_at: datetime | None
    nudges_enabled: bool
    side_budget_hours: float
    last_nudges: str
    dm_refused_at: datetime | None
    last_seen_at: datetime | None
    llm_allowed: bool
    llm_since: datetime | None
    llm_told_at: datetime | None
    created_at: datetime
    quarterly_review: bool = True  # the quarterly look at their best five works
    next_quarterly_at: datetime | None = None

    @classmethod
    def of(cls, row: Member) -> MemberView:
        return cls(
            id=row.id,
            user_id=row.user_id,
            display_name=row.display_name,
            timezone=row.timezone,
            checkin_day=row.checkin_day,
            checkin_time=row.checkin_time,
            mute_until=row.mute_until,
            own_schedule=row.own_schedule,
            weekly_dm=row.weekly_dm,
            next_checkin_at=row.next_checkin_at,
            nudges_enabled=row.nudges_enabled,
            side_budget_hours=row.side_budget_hours,
            last_nudges=row.last_nudges,
            dm_refused_at=row.dm_refused_at,
            last_seen_at=row.last_seen_at,
            llm_allowed=row.llm_allowed,
            llm_since=row.llm_since,
            llm_told_at=row.llm_told_at,
            created_at=row.created_at,
            quarterly_review=row.quarterly_review,
            next_quarterly_at=row.next_quarterly_at,
        )


@dataclass(frozen=True)
class GoalView:
    """One goal of a member. ``ref`` is the member's own number for it ("goal 2"); each number
    has its text as the member typed it (``"0.50"``), ``None`` when written another way."""

    id: int
    member_id: int
    ref: int
    capability: str
    metric_name: str
    direction: str  # "up" or "down"
    baseline: float | None
    target: float | None
    current_best: float | None
    baseline_text: str | None
    target_text: str | None
    current_best_text: str | None
    status: str  # active, achieved or abandoned
    created_at: datetime
    closed_at: datetime | None
    premortem: str | None = None  # private: how they imagined it failing, when they set it
    premortem_at: datetime | None = None

    @classmethod
    def of(cls, row: Goal) -> GoalView:
        return cls(
            id=row.id,
            member_id=row.member_id,
            ref=row.ref,
            capability=row.capability,
            metric_name=row.metric_name,
            direction=row.direction,
            baseline=row.baseline,
            target=row.target,
            current_best=row.current_best,
            baseline_text=row.baseline_text,
            target_text=row.target_text,
            current_best_text=row.current_best_text,
            status=row.status,
            created_at=row.created_at,
            closed_at=row.closed_at,
            premortem=row.premortem,
            premortem_at=row.premortem_at,
        )


@dataclass(frozen=True)
class CheckInView:
    """One check-in of a member; ``alignment`` (0..1) is the goal alignment read in it."""

    id: int
    member_id: int
    goal_id: int | None
    did: str
    moves_goal: str
    metric_value: float | None
    metric_value_text: str | None
    next_experiment: str
    failed: str
    channel_id: str | None  # where /checkin was typed
    published_at: datetime | None
    created_at: datetime
    alignment: float | None

    @classmethod
    def of(cls, row: CheckIn) -> CheckInView:
        return cls(
            id=row.id,
            member_id=row.member_id,
            goal_id=row.goal_id,
            did=row.did,
            moves_goal=row.moves_goal,
            metric_value=row.metric_value,
            metric_value_text=row.metric_value_text,
            next_experiment=row.next_experiment,
            failed=row.failed,
            channel_id=row.channel_id,
            published_at=row.published_at,
            created_at=row.created_at,
            alignment=row.alignment,
        )


@dataclass(frozen=True)
class MetricValue:
    """One recorded value of a goal's number, with the text it was typed as."""

    id: int
    goal_id: int
    value: float
    value_text: str | None
    recorded_at: datetime
    # Where it came from: "member" (typed), "mlflow", "wandb" or "push"; the run and step
    # that produced it, and a script's note, when a source said so.
    source: str = "member"
    run_id: str | None = None
    step: int | None = None
    note: str | None = None

    @classmethod
    def of(cls, row: MetricPoint) -> MetricValue:
        return cls(
            row.id,
            row.goal_id,
            row.value,
            row.value_text,
            row.recorded_at,
            row.source or "member",
            row.run_id,
            row.step,
            row.note,
        )


class ChartPoint(NamedTuple):
    """One value of a goal as its chart draws it: when, what, as typed, and the check-in it
    came with (``None``: typed with ``/goal update`` or read from a source)."""

    at: datetime
    value: float
    text: str | None
    checkin_id: int | None


@dataclass(frozen=True)
class SourceView:
    """Where one goal's number comes from on its own (see ``models.GoalSource``). ``secret``
    is the credential as stored (sealed when keys are set): open it only to call the tracker."""

    id: int
    member_id: int
    goal_id: int
    kind: str  # "mlflow", "wandb" or "push"
    settings: Mapping[str, str]
    secret: str | None = field(repr=False)
    token_hint: str | None
    created_at: datetime
    next_poll_at: datetime | None
    failures: int
    last_error: str | None
    error_told_at: datetime | None
    last_ok_at: datetime | None

    @classmethod
    def of(cls, row: GoalSource) -> SourceView:
        return cls(
            id=row.id,
            member_id=row.member_id,
            goal_id=row.goal_id,
            kind=row.kind,
            settings=MappingProxyType({k: str(v) for k, v in (row.settings or {}).items()}),
            secret=row.secret,
            token_hint=row.token_hint,
            created_at=row.created_at,
            next_poll_at=row.next_poll_at,
            failures=row.failures or 0,
            last_error=row.last_error,
            error_told_at=row.error_told_at,
            last_ok_at=row.last_ok_at,
        )


@dataclass(frozen=True)
class PredictionView:
    """One prediction of a member (``ref`` is their own number for it). A ``"number"`` one
    expects ``point`` within ``low``..``high``, ``confidence`` (0..1) sure; a ``"yesno"`` one
    expects ``answer``, ``confidence`` sure. Resolved: the number that arrived (``actual``) or
    whether it ``happened``; open while ``resolved_at`` is ``None``."""

    id: int
    member_id: int
    goal_id: int | None
    ref: int
    experiment: str
    kind: str  # "number" or "yesno"
    point: float | None
    point_text: str | None
    low: float | None
    low_text: str | None
    high: float | None
    high_text: str | None
    direction: str | None  # "up" or "down": which way the goal's number is better
    answer: bool | None
    confidence: float
    created_at: datetime
    resolved_at: datetime | None
    actual: float | None
    actual_text: str | None
    happened: bool | None
    resolved_by: str | None  # "member", or the source that brought the number

    @property
    def held(self) -> bool | None:
        """Whether it came true: the number inside the range, the yes/no as expected."""
        if self.kind == "yesno":
            return None if self.happened is None else self.happened == self.answer
        if self.actual is None or self.low is None or self.high is None:
            return None
        return self.low <= self.actual <= self.high

    @property
    def optimism(self) -> float | None:
        """How much better than what arrived the member expected, in the goal's units (below
        zero: worse; pessimistic): ``point - actual`` where higher is better."""
        if self.actual is None or self.point is None:
            return None
        gap = self.point - self.actual
        return -gap if self.direction == "down" else gap

    @property
    def chance_of_yes(self) -> float | None:
        """The probability the member gave the event (a "no, 70%" gives it 0.3)."""
        if self.answer is None:
            return None
        return self.confidence if self.answer else 1.0 - self.confidence

    @classmethod
    def of(cls, row: Prediction) -> PredictionView:
        return cls(
            id=row.id,
            member_id=row.member_id,
            goal_id=row.goal_id,
            ref=row.ref,
            experiment=row.experiment,
            kind=row.kind,
            point=row.point,
            point_text=row.point_text,
            low=row.low,
            low_text=row.low_text,
            high=row.high,
            high_text=row.high_text,
            direction=row.direction,
            answer=row.answer,
            confidence=row.confidence,
            created_at=row.created_at,
            resolved_at=row.resolved_at,
            actual=row.actual,
            actual_text=row.actual_text,
            happened=row.happened,
            resolved_by=row.resolved_by,
        )


@dataclass(frozen=True)
class ReflectionView:
    """One reflection: ``step`` is the index of the next question, ``answers`` maps each
    answered question's key to the member's answer."""

    id: int
    member_id: int
    goal_id: int | None
    topic: str
    status: str  # open, stopped or completed
    step: int
    answers: Mapping[str, Any]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: Reflection) -> ReflectionView:
        return cls(
            id=row.id,
            member_id=row.member_id,
            goal_id=row.goal_id,
            topic=row.topic,
            status=row.status,
            step=row.step,
            answers=dict(row.answers),
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


@dataclass(frozen=True)
class WorkView:
    """One work of a member's portfolio; ``rank`` 1 is their best."""

    id: int
    title: str
    link: str
    why: str
    rank: int
    created_at: datetime

    @classmethod
    def of(cls, row: BestWork) -> WorkView:
        return cls(row.id, row.title, row.link, row.why, row.rank, row.created_at)


@dataclass(frozen=True)
class NoteView:
    """One notebook entry (``kind`` "entry") or kept review (``kind`` "review")."""

    id: int
    kind: str
    text: str
    created_at: datetime

    @classmethod
    def of(cls, row: NotebookEntry) -> NoteView:
        return cls(row.id, row.kind, row.text, row.created_at)


@dataclass(frozen=True)
class NudgeView:
    """One nudge given: the nudges of one reply share ``batch``; ``feedback`` is "helpful",
    "unhelpful" or ``None``."""

    id: int
    nudge_id: str
    trigger: str
    checkin_id: int | None
    batch: str
    given_at: datetime
    feedback: str | None

    @classmethod
    def of(cls, row: NudgeRecord) -> NudgeView:
        return cls(
            id=row.id,
            nudge_id=row.nudge_id,
            trigger=row.trigger,
            checkin_id=row.checkin_id,
            batch=row.batch,
            given_at=row.given_at,
            feedback=row.feedback,
        )


@dataclass(frozen=True)
class DraftView:
    """What a member left of one form: field name → their answer."""

    form_id: str
    values: Mapping[str, Any]
    updated_at: datetime

    @classmethod
    def of(cls, row: Draft) -> DraftView:
        return cls(row.form_id, dict(row.values), row.updated_at)


@dataclass(frozen=True)
class SourceRef:
    """A goal source found across tenants (a push's token, the poller's due list): whose it
    is, so the work on it runs in that tenant's scope."""

    tenant: TenantRef
    user_id: str
    goal_id: int
    source_id: int
    kind: str
