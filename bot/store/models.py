"""Tables. Every row carries its tenant, and every repository query is scoped by it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from bot.store.deliveries import DeliveryStatus

# Stable constraint names, so Alembic migrations read the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every backend (SQLite keeps no zone; it reads back naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: pass an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _tenant_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)


def _member_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)


class Tenant(Base):
    __tablename__ = "tenants"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    team_channel: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # The team's rhythm (set by admins with /coach team): defaults for members, the digest.
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    checkin_day: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    checkin_time: Mapped[str] = mapped_column(String(5), default="10:00", server_default="10:00")
    work_days: Mapped[str] = mapped_column(
        String(13), default="0,1,2,3,4", server_default="0,1,2,3,4"
    )
    holidays: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    digest_day: Mapped[int | None] = mapped_column(Integer, default=4, server_default="4")
    digest_time: Mapped[str] = mapped_column(String(5), default="16:00", server_default="16:00")
    # Post the digest in a week nobody published a check-in (by default such a week has none).
    digest_when_empty: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    nudge_every_weeks: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # 0: off
    reminders: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    reminder_after_hours: Mapped[int] = mapped_column(Integer, default=24, server_default="24")
    tag_nonresponders: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # User ids an admin named as team admins too.
    admins: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    next_digest_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    next_nudge_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)


class Member(Base):
    __tablename__ = "members"
    __table_args__ = (
        UniqueConstraint("tenant_id", "user_id"),
        # A Discord DM names no server: the member is found by user id across servers.
        Index("ix_members_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = _tenant_fk()
    user_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(128), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    checkin_day: Mapped[int] = mapped_column(Integer, default=0)  # Monday = 0
    checkin_time: Mapped[str] = mapped_column(String(5), default="10:00")
    mute_until: Mapped[date | None] = mapped_column(Date)
    # The member chose their own day and time; otherwise the team's apply.
    own_schedule: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # Weekly DMs: None means the platform's default (on, except on Discord: opt-in only).
    weekly_dm: Mapped[bool | None] = mapped_column(Boolean)
    next_checkin_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    nudges_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    side_budget_hours: Mapped[float] = mapped_column(Float, default=4.0)
    # Nudge ids of the member's latest reply ("" when it had none): never repeated next time.
    last_nudges: Mapped[str] = mapped_column(String(200), default="")
    # When the platform last refused a DM to this member (Discord error 50007).
    dm_refused_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Their latest turn (a command, form, button or DM): weeks with one are not silent weeks.
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Their check-ins may go to the team's LLM (when one is configured), those written since
    # ``llm_since`` only (they turned it back on then; None: all); when they were told so.
    llm_allowed: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    llm_since: Mapped[datetime | None] = mapped_column(UtcDateTime())
    llm_told_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # The quarterly look at their best five works: on unless they said no; when it falls next
    # (NULL: the tick computes it, from their time zone and check-in time).
    quarterly_review: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    next_quarterly_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)


class Goal(Base):
    __tablename__ = "goals"
    __table_args__ = (UniqueConstraint("member_id", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = _tenant_fk()
    member_id: Mapped[int] = _member_fk()
    ref: Mapped[int] = mapped_column(Integer)  # the member's own goal number: "goal 2"
    capability: Mapped[str] = mapped_column(Text)
    metric_name: Mapped[str] = mapped_column(String(200))
    direction: Mapped[str] = mapped_column(String(4))  # "up" or "down"
    baseline: Mapped[float | None] = mapped_column(Float)
    target: Mapped[float | None] = mapped_column(Float)
    current_best: Mapped[float | None] = mapped_column(Float)
    # Each number as the member typed it (``0.50``), shown instead of the float; NULL when it
    # was written another way (``90%``) or before it was kept: shown from the value then.
    baseline_text: Mapped[str | None] = mapped_column(String(40))
    target_text: Mapped[str | None] = mapped_column(String(40))
    current_best_text: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10), default="active")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Private: how the member imagined the goal failing, written when they set it (shown back
    # at the start of the reflection if they abandon it), and when.
    premortem: Mapped[str | None] = mapped_column(Text)
    premortem_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class CheckIn(Base):
    __tablename__ = "checkins"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = _tenant_fk()
    member_id: Mapped[int] = _member_fk()
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("goals.id", ondelete="SET NULL"))
    did: Mapped[str] = mapped_column(Text)
    moves_goal: Mapped[str] = mapped_column(Text, default="")
    metric_value: Mapped[float | None] = mapped_column(Float)
    metric_value_text: Mapped[str | None] = mapped_column(String(40))  # as typed, like a goal's
    next_experiment: Mapped[str] = mapped_column(Text, default="")
    failed: Mapped[str] = mapped_column(Text, default="")
    channel_id: Mapped[str | None] = mapped_column(String(64))  # where /checkin was typed
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    # The goal alignment read in it (0..1): earlier on-goal updates teach the coach the
    # member's vocabulary. Private, like every score.
    alignment: Mapped[float | None] = mapped_column(Float)


class MetricPoint(Base):
    __tablename__ = "metric_points"
    __table_args__ = (
        UniqueConstraint("goal_id", "reading_key"),
        # A goal's values in time order: its chart reads all of them (a tracker's thousands).
        Index("ix_metric_points_goal_recorded", "goal_id", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = _tenant_fk()
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), index=True)
    checkin_id: Mapped[int | None] = mapped_column(ForeignKey("checkins.id", ondelete="SET NULL"))
    value: Mapped[float] = mapped_column(Float)
    value_text: Mapped[str | None] = mapped_column(String(40))  # as typed, like a goal's
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # Where the value came from: "member" (typed), or a connected source ("mlflow", "wandb",
    # "push"), with the run and step that produced it and a script's note.
    source: Mapped[str] = mapped_column(String(16), default="member", server_default="member")
    run_id: Mapped[str | None] = mapped_column(String(200))
    step: Mapped[int | None] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(Text)
    # "<run>\x1f<step>" for a value a run produced: the same reading is recorded once, however
    # often it is polled or pushed. NULL (typed values, pushes naming no run) never collides.
    reading_key: Mapped[str | None] = mapped_column(String(300))


class GoalSource(Base):
    """Where a goal's number comes from on its own: a tracker the coach polls (MLflow, W&B)
    or a script that pushes values with the goal's token. One per goal."""

    __tablename__ = "goal_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = _tenant_fk()
    member_id: Mapped[int] = _member_fk()
    goal_id: Mapped[int] = mapped_column(
        ForeignKey("goals.id", ondelete="CASCADE"), unique=True, index=True
    )
    kind: Mapped[str] = mapped_column(String(10))  # "mlflow", "wandb" or "push"
    # What to read, without credentials: url, experiment or project, metric, filter, rule.
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The tracker's credential, sealed like the Slack tokens when keys are set. Never
    # logged, never exported.
    secret: Mapped[str | None] = mapped_column(Text)
    # A push token's sha256 (the token itself is shown once and never kept), and its end.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_hint: Mapped[str | None] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # Polling: when next (NULL for pushes), errors in a row, the last one and when the
    # member was told of it, the last good read.
    next_poll_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(String(40))
    error_told_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_ok_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Prediction(Base):
    """What a member expected of an experiment before running it, and how it turned out: a
    number in a range they were some percent sure of, or a yes/no at a probability. Private."""

    __tablename__ = "predictions"
    __table_args__ = (UniqueConstraint("member_id", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = _tenant_fk()
    member_id: Mapped[int] = _member_fk()
    goal_id: Mapped[int | None] = mapped_column(
        ForeignKey("goals.id", ondelete="SET NULL"), index=True
    )
    ref: Mapped[int] = mapped_column(Integer)  # the member's own number for it: "prediction 3"
    experiment: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(8))  # "number" or "yesno"
    # A number: the point and the range, each as typed, and how sure the range holds (0..1);
    # which way the goal's number is better, as it was when predicted.
    point: Mapped[float | None] = mapped_column(Float)
    point_text: Mapped[str | None] = mapped_column(String(40))
    low: Mapped[float | None] = mapped_column(Float)
    low_text: Mapped[str | None] = mapped_column(String(40))
    high: Mapped[float | None] = mapped_column(Float)
    high_text: Mapped[str | None] = mapped_column(String(40))
    direction: Mapped[str | None] = mapped_column(String(4))
    # A yes/no: the answer expected, and for both kinds how sure the member was (0..1).
    answer: Mapped[bool | None] = mapped_column(Boolean)
    confidence: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # How it turned out: the number that arrived (and from where: "member", "mlflow", "wandb",
    # "push"), or whether the yes/no happened; NULL while open.
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    actual: Mapped[float | None] = mapped_column(Float)
    actual_text: Mapped[str | None] = mapped_column(String(40))
    happened: Mapped[bool | None] = mapped_column(Boolean)
    resolved_by: Mapped[str | None] = mapped_column(String(16))


class Reflection(Base):
    __tablename__ = "reflections"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = _tenant_fk()
    member_id: Mapped[int] = _member_fk()
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("goals.id", ondelete="SET NULL"))
    topic: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="open")  # open/stopped/completed
    step: Mapped[int] = mapped_column(Integer, default=0)  # index of the next question
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # The one line the member chose to share with the team, and when: the only part of a
    # reflection a teammate's /ask may find. NULL: nothing of it was shared.
    published_line: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class NotebookEntry(Base):
    __tablename__ = "notebook_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = _tenant_fk()
    member_id: Mapped[int] = _member_fk()
    kind: Mapped[str] = mapped_column(String(8), default="entry")  # entry or review
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)


class BestWork(Base):
    __tablename__ = "best_works"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = _tenant_fk()
    member_id: Mapped[int] = _member_fk()
    title: Mapped[str] = mapped_column(String(300))
    link: Mapped[str] = mapped_column(String(1000), default="")
    why: Mapped[str] = mapped_column(Text, default="")
    rank: Mapped[int] = mapped_column(Integer)  # the member's order; 1 is their best
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class NudgeRecord(Base):
    __tablename__ = "nudge_records"
    __table_args__ = (Index("ix_nudge_records_member_given", "member_id", "given_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = _tenant_fk()
    member_id: Mapped[int] = _member_fk()
    nudge_id: Mapped[str] = mapped_column(String(32))
    trigger: Mapped[str] = mapped_column(Text, default="")
    checkin_id: Mapped[int | None] = mapped_column(ForeignKey("checkins.id", ondelete="SET NULL"))
    batch: Mapped[str] = mapped_column(String(36))  # nudges given in one reply share a batch
    given_at: Mapped[datetime] = mapped_column(UtcDateTime())
    feedback: Mapped[str | None] = mapped_column(String(10))  # helpful / unhelpful


class Draft(Base):
    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("member_id", "form_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = _tenant_fk()
    member_id: Mapped[int] = _member_fk()
    form_id: Mapped[str] = mapped_column(String(32))
    values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ProcessedEvent(Base):
    """A platform delivery already handled: a retried delivery with the same key is dropped."""

    __tablename__ = "processed_events"
    __table_args__ = (UniqueConstraint("tenant_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = _tenant_fk()
    key: Mapped[str] = mapped_column(String(128))
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Delivery(Base):
    """Something the coach sends on its own: one row per (tenant, target, kind, period).

    The unique key, not memory, guarantees "once per period"; pending rows are the outbox.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("tenant_id", "target", "kind", "period"),
        Index("ix_deliveries_outbox", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = _tenant_fk()
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(24))
    target: Mapped[str] = mapped_column(String(64))  # a user id, or a channel id
    period: Mapped[str] = mapped_column(String(32))  # e.g. 2026-W45
    due_at: Mapped[datetime] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(10), default=DeliveryStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # When an outbox first took it to send. Taken again later and still unsent, it may have
    # reached the platform all the same (a crash or a timeout after the platform took it):
    # the outbox then asks the platform before sending it again.
    taken_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # message ts, prompt id…
