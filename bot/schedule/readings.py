"""Recording what a source read, once, and telling the member of a new best.

The poller (``bot.schedule.polling``) and the push endpoint both hand their readings here, in
the tenant's transaction:

    recorded = await take(scope, goal, "mlflow", readings, rule="max", now=now)

Which readings count depends on the source's rule: with "max" or "min" every run's reading not
recorded yet (each run and step is recorded once, whatever the number of polls or restarts;
a tracker's value also with its time of logging, as one logged without a step is at step 0);
with "latest" only the newest one. A batch that brings a new best claims one "new best" DM, for
the best of the batch, unless the member muted the coach or turned nudges off.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from bot.schedule.rows import DeliveryRow, claim
from bot.store import TenantScope
from bot.store.deliveries import DeliveryKind
from bot.store.models import MetricPoint
from bot.store.records.goals import Recorded
from bot.store.records.goals import reading_key as key_of
from bot.store.views import GoalView, MemberView, PredictionView
from bot.trackers import Reading

RULES = frozenset({"max", "min", "latest"})
# Sources whose readings carry the tracker's time of logging, recorded once with it: a value
# logged without a step (step 0 each time) is told from the next by its time.
TRACKERS = frozenset({"mlflow", "wandb"})
MAX_RUN_LABEL = 120  # a run's name, as the DM shows it


def reading_key(reading: Reading, source_kind: str) -> str | None:
    """The key ``record_reading`` files a reading under (``None``: it names no run)."""
    if not reading.run_id:
        return None
    return key_of(reading.run_id, reading.step, _stamp(reading, source_kind))


def _stamp(reading: Reading, source_kind: str) -> datetime | None:
    return reading.at if source_kind in TRACKERS and reading.run_id else None


def _unstamped(reading: Reading) -> str:
    return key_of(reading.run_id, reading.step)


def counted(readings: Sequence[Reading], rule: str) -> list[Reading]:
    """The readings that are the goal's number under ``rule``, oldest first: every one for
    "max" and "min", only the newest (by time, then step) for "latest".

    >>> old = Reading(0.4, "a", 1, datetime(2026, 11, 2, tzinfo=UTC))
    >>> new = Reading(0.3, "b", 1, datetime(2026, 11, 3, tzinfo=UTC))
    >>> [r.run_id for r in counted([new, old], "latest")]
    ['b']
    """
    ordered = sorted(readings, key=_when)
    if rule == "latest":
        return ordered[-1:]
    return ordered


def _when(reading: Reading) -> tuple[float, int]:
    at = reading.at.timestamp() if reading.at is not None else float("-inf")
    return at, reading.step if reading.step is not None else -1


def chosen(readings: Sequence[Reading], rule: str) -> Reading | None:
    """The reading a source's rule names the goal's number: the highest ("max"), the lowest
    ("min") or the newest ("latest"); ``None`` when there is none."""
    if not readings:
        return None
    if rule == "min":
        return min(readings, key=lambda r: r.value)
    if rule == "latest":
        return counted(readings, "latest")[0]
    return max(readings, key=lambda r: r.value)


def run_label(reading: Reading) -> str:
    """How a DM names the run: its name when it has one, else its id."""
    return (reading.run_name or reading.run_id)[:MAX_RUN_LABEL]


async def take(
    scope: TenantScope,
    goal: GoalView,
    source_kind: str,
    readings: Sequence[Reading],
    rule: str,
    now: datetime,
    *,
    note: str | None = None,
    tell_best: bool = True,
) -> list[Recorded]:
    """Record the readings ``rule`` counts that were not recorded before (oldest first, so
    the goal's best moves as it did in the runs); what was recorded. A batch holding a new best
    claims one NEW_BEST delivery for the best of them (``tell_best=False``: none, when another
    message tells the member what was read).

    >>> recorded = await take(scope, goal, "push", [Reading(0.45, "", None, now)], "latest", now)
    """
    fresh = await _not_recorded(scope, goal, counted(readings, rule), source_kind)
    done: list[Recorded] = []
    settled: list[PredictionView] = []
    best: tuple[Recorded, Reading] | None = None
    before: float | None = None
    before_text: str | None = None
    for reading in fresh:
        recorded = await scope.record_reading(
            goal,
            reading.value,
            reading.at or now,
            source=source_kind,
            run_id=reading.run_id or None,
            step=reading.step,
            note=note,
            stamp=_stamp(reading, source_kind),
        )
        if recorded.point is None:
            continue  # recorded meanwhile by another writer
        done.append(recorded)
        point = recorded.point  # it resolves the member's open predictions on the goal
        settled += await scope.resolve_with(
            goal, point.value, point.recorded_at, source=source_kind
        )
        goal = recorded.goal
        if recorded.new_best:
            was = recorded.before
            if best is None and was is not None:
                before, before_text = was.current_best, was.current_best_text
            best = (recorded, reading)
    if best is not None and tell_best:
        await _tell_best(scope, goal, best, before, before_text, now)
    await _tell_settled(scope, goal, [p for p in settled if p.actual is not None], now)
    return done


async def _tell_settled(
    scope: TenantScope, goal: GoalView, settled: Sequence[PredictionView], now: datetime
) -> None:
    """The member's predictions a reading settled, told by DM (held or missed, which way),
    as the answer to a check-in tells them: the member asked to be measured. Not while they
    muted the coach."""
    member = await scope.member_by_id(goal.member_id)
    if not settled or member is None or muted(member, now):
        return
    ids = sorted(p.id for p in settled)
    row = DeliveryRow(
        scope.tid,
        member.id,
        DeliveryKind.PREDICTED,
        member.user_id,
        f"predicted:{ids[0]}",
        now,
        detail={"goal": goal.id, "predictions": ids},
    )
    await claim(scope.session, row)


async def _not_recorded(
    scope: TenantScope, goal: GoalView, readings: Sequence[Reading], source_kind: str
) -> list[Reading]:
    """``readings`` less those the goal already holds: one query for the whole batch, where
    asking ``record_reading`` would cost one per reading on every poll."""
    keys = {key for key in (reading_key(r, source_kind) for r in readings) if key is not None}
    # A tracker's readings recorded before their time was part of the key ("<run>\x1f<step>"):
    # the same value logged at the same time is the reading already recorded.
    before = {_unstamped(r): r for r in readings if _stamp(r, source_kind) is not None}
    held: set[str] = set()
    if keys:
        query = select(MetricPoint.reading_key, MetricPoint.recorded_at).where(
            MetricPoint.tenant_id == scope.tid,
            MetricPoint.goal_id == goal.id,
            MetricPoint.reading_key.in_(keys | set(before)),
        )
        for key, at in await scope.session.execute(query):
            was = before.get(key) if key else None
            if was is not None and was.at == at:
                held.add(key_of(was.run_id, was.step, was.at))
            elif key:
                held.add(key)
    seen: set[str] = set()
    fresh = []
    for reading in readings:
        key = reading_key(reading, source_kind)
        if key is not None and (key in held or key in seen):
            continue
        if key is not None:
            seen.add(key)
        fresh.append(reading)
    return fresh


async def _tell_best(
    scope: TenantScope,
    goal: GoalView,
    best: tuple[Recorded, Reading],
    before: float | None,
    before_text: str | None,
    now: datetime,
) -> None:
    recorded, reading = best
    member = await scope.member_by_id(goal.member_id)
    if member is None or not wants_news(member, now) or recorded.point is None:
        return
    detail = {
        "goal": goal.id,
        "point": recorded.point.id,
        "before": before,
        "before_text": before_text,
        "run": run_label(reading),
    }
    row = DeliveryRow(
        scope.tid,
        member.id,
        DeliveryKind.NEW_BEST,
        member.user_id,
        f"best:{recorded.point.id}",
        now,
        detail=detail,
    )
    await claim(scope.session, row)


def wants_news(member: MemberView, now: datetime) -> bool:
    """Whether the member hears of a new best now: not muted (through their own today) and
    nudges on."""
    return member.nudges_enabled and not muted(member, now)


def muted(member: MemberView, now: datetime) -> bool:
    """Whether the member muted the coach through their own today."""
    return member.mute_until is not None and member.mute_until >= local_today(member, now)


def local_today(member: MemberView, now: datetime) -> date:
    try:
        zone = ZoneInfo(member.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return now.date()
    return now.astimezone(zone).date()
