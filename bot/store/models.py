"""Tables. Every row carries its tenant, and every repository query is scoped by it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
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


class Member(Base):
    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("tenant_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = _tenant_fk()
    user_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(128), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    checkin_day: Mapped[int] = mapped_column(Integer, default=0)  # Monday = 0
    checkin_time: Mapped[str] = mapped_column(String(5), default="10:00")
    mute_until: Mapped[date | None] = mapped_column(Date)
    nudges_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    side_budget_hours: Mapped[float] = mapped_column(Float, default=4.0)
    # Nudge ids of the member's latest reply ("" when it had none): never repeated next time.
    last_nudges: Mapped[str] = mapped_column(String(200), default="")
    # When the platform last refused a DM to this member (Discord error 50007).
    dm_refused_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


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
    status: Mapped[str] = mapped_column(String(10), default="active")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class CheckIn(Base):
    __tablename__ = "checkins"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = _tenant_fk()
    member_id: Mapped[int] = _member_fk()
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("goals.id", ondelete="SET NULL"))
    did: Mapped[str] = mapped_column(Text)
    moves_goal: Mapped[str] = mapped_column(Text, default="")
    metric_value: Mapped[float | None] = mapped_column(Float)
    next_experiment: Mapped[str] = mapped_column(Text, default="")
    failed: Mapped[str] = mapped_column(Text, default="")
    channel_id: Mapped[str | None] = mapped_column(String(64))  # where /checkin was typed
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)


class MetricPoint(Base):
    __tablename__ = "metric_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = _tenant_fk()
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), index=True)
    checkin_id: Mapped[int | None] = mapped_column(ForeignKey("checkins.id", ondelete="SET NULL"))
    value: Mapped[float] = mapped_column(Float)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())


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
