"""Where a goal's number comes from, in words: the source a goal is connected to (``/goal
show``, ``/goal list``), and the reading a check-in form offers as the number.

    >>> plain(await source_lines(turn, goal))
    '\\nIts number comes from MLflow experiment fold, metric success, read 5 minutes ago.'
"""

from __future__ import annotations

from datetime import datetime

from bot.coach.forms import number, shown
from bot.coach.turn import Turn
from bot.events import Content, UserText
from bot.store.views import GoalView, MetricValue, SourceView

RUN_SHOWN = 16  # characters of a run id in a hint (an MLflow run id has 32)


def ago(turn: Turn, then: datetime) -> str:
    """How long before the turn ``then`` was, in words: ``"2 hours ago"``."""
    seconds = max(0.0, (turn.now - then).total_seconds())
    minutes, hours, days = int(seconds // 60), int(seconds // 3600), int(seconds // 86400)
    if days >= 1:
        return turn.words("ago_day") if days == 1 else turn.words("ago_days", count=days)
    if hours >= 1:
        return turn.words("ago_hour") if hours == 1 else turn.words("ago_hours", count=hours)
    if minutes > 1:
        return turn.words("ago_minutes", count=minutes)
    if minutes == 1:
        return turn.words("ago_minute")
    return turn.words("ago_now")


def source_words(turn: Turn, source: SourceView) -> Content:
    """``MLflow experiment fold, metric success``; ``a script (token …abcd)``."""
    settings = source.settings
    if source.kind == "mlflow":
        return turn.say(
            "source_mlflow",
            experiment=UserText(settings.get("experiment", "")),
            metric=UserText(settings.get("metric", "")),
        )
    if source.kind == "wandb":
        project = f"{settings.get('entity', '')}/{settings.get('project', '')}"
        return turn.say(
            "source_wandb", project=UserText(project), metric=UserText(settings.get("metric", ""))
        )
    return turn.say("source_push", hint=source.token_hint or "")


def list_note(turn: Turn, source: SourceView | None) -> Content:
    """What ``/goal list`` adds to a connected goal's line: `` · from MLflow``."""
    if source is None:
        return ()
    if source.kind == "mlflow":
        return turn.say("source_list_mlflow")
    if source.kind == "wandb":
        return turn.say("source_list_wandb")
    return turn.say("source_list_push")


async def source_lines(turn: Turn, goal: GoalView) -> Content:
    """What ``/goal show`` says of the goal's source: where, when it was last read (or pushed
    to), and the last error in words; nothing when the member gives the number themselves."""
    source = await turn.scope.source(goal)
    if source is None:
        return ()
    said = turn.say("source_show", where=as_one(source_words(turn, source)))
    if source.kind == "push":
        latest = await turn.scope.latest_point(goal)
        pushed = latest is not None and latest.source == "push"
        when = (
            turn.say("source_pushed", ago=ago(turn, latest.recorded_at))
            if pushed and latest is not None
            else turn.say("source_nothing_pushed")
        )
    elif source.last_ok_at is not None:
        when = turn.say("source_read", ago=ago(turn, source.last_ok_at))
    else:
        when = turn.say("source_not_yet")
    failed = (
        turn.say("source_failed", why=as_one(error_words(turn, source.last_error)), ref=goal.ref)
        if source.last_error
        else ()
    )
    return (*said, *when, *failed)


def as_one(body: Content) -> UserText | str:
    """Content placed whole into another message; member words in it stay escaped."""
    if all(isinstance(part, str) for part in body):
        return "".join(str(part) for part in body)
    return UserText("".join(p.text if isinstance(p, UserText) else str(p) for p in body))


def error_words(turn: Turn, kind: str | None) -> Content:
    """Why a tracker could not be read, in words (``bot.trackers.model`` names the kinds)."""
    key = "source_error_other"
    if kind == "unreachable":
        key = "source_error_unreachable"
    elif kind == "slow":
        key = "source_error_slow"
    elif kind == "credentials":
        key = "source_error_credentials"
    elif kind == "unknown_experiment":
        key = "source_error_unknown_experiment"
    elif kind == "unknown_metric":
        key = "source_error_unknown_metric"
    elif kind == "bad_filter":
        key = "source_error_bad_filter"
    return turn.say(key)


async def unconfirmed_reading(turn: Turn, goal: GoalView) -> MetricValue | None:
    """The goal's latest value when a source brought it after the member's last check-in on
    the goal: the number a check-in form offers, so the member need not type it."""
    latest = await turn.scope.latest_point(goal)
    if latest is None or latest.source == "member":
        return None
    last = await turn.scope.goal_checkins(goal, 1)
    if last and last[0].created_at >= latest.recorded_at:
        return None
    return latest


def reading_hint(turn: Turn, reading: MetricValue) -> str:
    """``0.45 from MLflow run 5f3a…, 2 hours ago: change it if your number is another``."""
    run = _run(reading.run_id or "")
    if reading.source == "mlflow":
        where = turn.words("reading_mlflow", run=run)
    elif reading.source == "wandb":
        where = turn.words("reading_wandb", run=run)
    elif run:
        where = turn.words("reading_push", run=run)
    else:
        where = turn.words("reading_push_no_run")
    return turn.words(
        "checkin_form_value_reading",
        value=shown(reading.value, reading.value_text),
        where=where,
        ago=ago(turn, reading.recorded_at),
    )


def _run(run_id: str) -> str:
    return run_id if len(run_id) <= RUN_SHOWN else run_id[: RUN_SHOWN - 1] + "…"


def offered(reading: MetricValue | None, typed: str) -> bool:
    """Whether the number sent with a check-in is the reading its form offered: that value is
    a point of the goal already, and is not recorded twice."""
    if reading is None or not typed.strip():
        return False
    text = typed.strip()
    return number(text) == reading.value or text == shown(reading.value, reading.value_text)
