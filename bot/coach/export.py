"""Everything the coach keeps about one member: all of it as JSON, and a Markdown document to
read and keep."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.inspection import inspect

from bot.coach.forecast import percent
from bot.coach.forms import shown as fmt
from bot.events import plain
from bot.prompts import Prompts, load_prompts
from bot.store import TenantScope
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
)
from bot.store.views import MemberView

# Section name → table, in the order a person reads them.
SECTIONS: tuple[tuple[str, type[Any]], ...] = (
    ("goals", Goal),
    ("metric_history", MetricPoint),
    ("connections", GoalSource),
    ("checkins", CheckIn),
    ("reflections", Reflection),
    ("notebook", NotebookEntry),
    ("best_works", BestWork),
    ("predictions", Prediction),
    ("nudges", NudgeRecord),
    ("drafts", Draft),
)
INTERNAL = {"tenant_id", "member_id"}  # keys that mean nothing outside the database
# A tracker's credential, and what finds a push token's goal: never in an export.
WITHHELD = {"secret", "token_hash"}
BEST_FIVE = 5  # the head of the portfolio, as /wins shows it (a career's best five works)
# A reflection's states, each worded as ``export_state_<state>``.
STATES = frozenset({"open", "stopped", "completed"})
# The message ``key``, filled in, as one line of the document.
Words = Callable[..., str]


def _words(prompts: Prompts, key: str, **values: str | int) -> str:
    return plain(prompts.say(key, **values))


def filename(user_id: str, at: datetime, suffix: str) -> str:
    """The name an export of ``user_id`` is offered under: ``research-coach-U1-20261102.md``."""
    return f"research-coach-{user_id}-{at:%Y%m%d}.{suffix}"


def files_of(folder: Path, user_id: str) -> list[Path]:
    """The exports of ``user_id`` saved in ``folder`` (none of another member's, even one
    whose id starts the same way)."""
    name = re.compile(rf"research-coach-{re.escape(user_id)}-\d{{8}}\.(?:json|md)")
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if name.fullmatch(p.name))


def _row(obj: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column in inspect(obj).mapper.column_attrs:
        if column.key in INTERNAL or column.key in WITHHELD:
            continue
        value = getattr(obj, column.key)
        out[column.key] = value.isoformat() if isinstance(value, datetime | date) else value
    return out


async def collect(scope: TenantScope, member: MemberView) -> dict[str, Any]:
    """The member's data as plain JSON-ready values."""
    (row,) = await scope.rows_of(member, Member)  # every column, as stored
    data: dict[str, Any] = {"member": _row(row)}
    data["member"]["platform"] = scope.tenant.platform
    data["member"]["team"] = scope.tenant.external_id
    for name, table in SECTIONS:
        data[name] = [_row(row) for row in await scope.rows_of(member, table)]
    return data


def to_json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False)


def to_markdown(data: dict[str, Any], prompts: Prompts | None = None) -> str:
    """A document to keep, from ``collect``'s data: goals with their numbers, check-ins by
    week, reflections with their questions, the notebook, best works, unsent drafts. Dates are
    the member's local ones; scores and database ids stay in the JSON file.
    """
    prompts = prompts or load_prompts()
    w: Words = partial(_words, prompts)
    member = data["member"]
    zone = _zone(str(member.get("timezone") or "UTC"))
    name = member.get("display_name") or member.get("user_id")
    goals = {g["id"]: g for g in data["goals"]}
    values: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for point in data["metric_history"]:
        values[point["goal_id"]].append(point)
    lines = [w("export_title", name=str(name)), "", w("export_intro"), ""]
    sources = {s["goal_id"]: s for s in data.get("connections", [])}
    lines += _goals(data["goals"], values, sources, zone, w)
    lines += _checkins(data["checkins"], goals, zone, w)
    lines += _reflections(data["reflections"], goals, prompts, zone, w)
    lines += _notebook(data["notebook"], zone, w)
    lines += _works(data["best_works"], w)
    lines += _predictions(data.get("predictions", []), goals, zone, w)
    lines += _drafts(data["drafts"], w)
    return "\n".join(lines).rstrip() + "\n"


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _local(value: Any, zone: ZoneInfo) -> datetime | None:
    if not value:
        return None
    at = datetime.fromisoformat(str(value))
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(zone)


def _day(value: Any, zone: ZoneInfo) -> str:
    at = _local(value, zone)
    return f"{at:%a %d %b %Y}" if at else "–"


def _indented(text: str, pad: str = "  ") -> str:
    """Member text under a bullet: later lines indented, so Markdown keeps them in it."""
    return ("\n" + pad).join(str(text).strip().splitlines())


def _goals(
    rows: list[dict[str, Any]],
    values: dict[int, list[dict[str, Any]]],
    sources: dict[int, dict[str, Any]],
    zone: ZoneInfo,
    w: Words,
) -> list[str]:
    lines = [w("export_goals"), ""]
    if not rows:
        return [*lines, w("export_no_goal"), ""]
    for goal in rows:
        status = "" if goal["status"] == "active" else f" ({goal['status']})"
        better = w("export_lower" if goal["direction"] == "down" else "export_higher")
        lines += [f"### {goal['ref']}. {_indented(goal['capability'], '')}{status}", ""]
        lines.append(w("export_goal_number", metric=goal["metric_name"], better=better))
        numbers = w(
            "export_goal_numbers",
            baseline=fmt(goal["baseline"], goal.get("baseline_text")),
            target=fmt(goal["target"], goal.get("target_text")),
            best=fmt(goal["current_best"], goal.get("current_best_text")),
        )
        lines.append(numbers)
        lines.append(w("export_goal_set", day=_day(goal["created_at"], zone)))
        if goal.get("closed_at"):
            status, day = goal["status"].capitalize(), _day(goal["closed_at"], zone)
            lines.append(w("export_goal_closed", status=status, day=day))
        if goal.get("premortem"):
            day = _day(goal.get("premortem_at") or goal["created_at"], zone)
            text = _indented(goal["premortem"])
            lines.append(w("export_goal_premortem", day=day, text=text))
        if goal["id"] in sources:
            lines.append(_source(sources[goal["id"]], zone, w))
        recorded = values.get(goal["id"], [])
        if recorded:
            lines += ["", w("export_values_head"), "| --- | --- |"]
            lines += [
                f"| {_day(p['recorded_at'], zone)} | {fmt(p['value'], p.get('value_text'))} |"
                for p in recorded
            ]
        lines.append("")
    return lines


def _source(source: dict[str, Any], zone: ZoneInfo, w: Words) -> str:
    """Where the goal's number comes from (its credential and token are never exported)."""
    settings = {key: str(value) for key, value in (source.get("settings") or {}).items()}
    day = _day(source["created_at"], zone)
    url, metric = settings.get("url", ""), settings.get("metric", "")
    if source["kind"] == "mlflow":
        experiment = settings.get("experiment", "")
        return w("export_source_mlflow", url=url, experiment=experiment, metric=metric, day=day)
    if source["kind"] == "wandb":
        project = f"{settings.get('entity', '')}/{settings.get('project', '')}"
        return w("export_source_wandb", url=url, project=project, metric=metric, day=day)
    return w("export_source_push", hint=str(source.get("token_hint") or ""), day=day)


def _checkins(
    rows: list[dict[str, Any]], goals: dict[int, dict[str, Any]], zone: ZoneInfo, w: Words
) -> list[str]:
    lines = [w("export_checkins"), ""]
    if not rows:
        return [*lines, w("export_no_checkin"), ""]
    week = None
    for checkin in rows:
        at = _local(checkin["created_at"], zone)
        assert at is not None
        monday = (at - timedelta(days=at.weekday())).date()
        if monday != week:
            week = monday
            lines += [w("export_week", monday=f"{monday:%d %B %Y}"), ""]
        goal = goals.get(checkin.get("goal_id"))  # type: ignore[arg-type]
        about = w("export_checkin_goal", ref=goal["ref"]) if goal else ""
        lines.append(f"**{at:%A %d %B}**{about}")
        lines.append("")
        fields = [
            (w("export_did"), checkin["did"]),
            (w("export_moves_goal"), checkin["moves_goal"]),
            (
                goal["metric_name"] if goal else w("export_number"),
                _number(checkin["metric_value"], checkin.get("metric_value_text")),
            ),
            (w("export_next"), checkin["next_experiment"]),
            (w("export_failed"), checkin["failed"]),
        ]
        lines += [f"- {label}: {_indented(text)}" for label, text in fields if text]
        if checkin.get("published_at"):
            lines.append(w("export_published", day=_day(checkin["published_at"], zone)))
        lines.append("")
    return lines


def _number(value: float | None, typed: str | None) -> str:
    return "" if value is None else fmt(value, typed)


def _reflections(
    rows: list[dict[str, Any]],
    goals: dict[int, dict[str, Any]],
    prompts: Prompts,
    zone: ZoneInfo,
    w: Words,
) -> list[str]:
    lines = [w("export_reflections"), ""]
    if not rows:
        return [*lines, w("export_no_reflection"), ""]
    questions = {step.key: step.question for step in prompts.reflection.steps}
    for reflection in rows:
        goal = goals.get(reflection.get("goal_id"))  # type: ignore[arg-type]
        topic = (
            reflection["topic"] or (goal["capability"] if goal else "") or w("export_a_reflection")
        )
        status = reflection["status"]
        state = w(f"export_state_{status}") if status in STATES else status
        lines += [f"### {_indented(topic, '')}", ""]
        lines += [f"_{_day(reflection['created_at'], zone)}, {state}._", ""]
        for key, answer in reflection["answers"].items():
            lines += [f"**{questions.get(key, key)}**", "", _indented(str(answer), ""), ""]
        if reflection.get("published_line"):  # the one line teammates can read, and /ask finds
            day = _day(reflection["published_at"], zone)
            lines += [w("export_shared_line", day=day, line=reflection["published_line"]), ""]
    return lines


def _notebook(rows: list[dict[str, Any]], zone: ZoneInfo, w: Words) -> list[str]:
    lines = [w("export_notebook"), ""]
    entries = [r for r in rows if r["kind"] != "review"]
    reviews = [r for r in rows if r["kind"] == "review"]
    if not rows:
        return [*lines, w("export_no_entry"), ""]
    lines += [f"- {_day(e['created_at'], zone)}: {_indented(e['text'])}" for e in entries]
    if entries:
        lines.append("")
    for review in reviews:
        lines += [w("export_review_kept", day=_day(review["created_at"], zone)), ""]
        lines += [str(review["text"]).strip(), ""]
    return lines


def _works(rows: list[dict[str, Any]], w: Words) -> list[str]:
    lines = [w("export_works"), ""]
    if not rows:
        return [*lines, w("export_no_work"), ""]
    for number, work in enumerate(sorted(rows, key=lambda w: w["rank"]), start=1):
        title = f"[{work['title']}]({work['link']})" if work["link"] else work["title"]
        best = w("export_best_five") if number <= BEST_FIVE else ""
        lines.append(f"{number}. {title}{best}")
        if work["why"]:
            lines.append(f"   {_indented(work['why'], '   ')}")
    return [*lines, ""]


def _predictions(
    rows: list[dict[str, Any]], goals: dict[int, dict[str, Any]], zone: ZoneInfo, w: Words
) -> list[str]:
    """What the member expected before each experiment, and how it turned out."""
    if not rows:
        return []
    lines = [w("export_predictions"), ""]
    for p in sorted(rows, key=lambda p: p["ref"]):
        sure = percent(p["confidence"])
        day = _day(p["created_at"], zone)
        if p["kind"] == "yesno":
            answer = w("predict_yes" if p["answer"] else "predict_no")
            line = w("export_prediction_yesno", ref=p["ref"], day=day, answer=answer, sure=sure)
            outcome = w("predict_outcome_yes" if p["happened"] else "predict_outcome_no")
            held = p["happened"] == p["answer"]
        else:
            metric = str(goals.get(p["goal_id"], {}).get("metric_name", "?"))
            point, low, high = (fmt(p[k], p[f"{k}_text"]) for k in ("point", "low", "high"))
            line = w("export_prediction_number", ref=p["ref"], day=day, metric=metric, point=point)
            line += w("export_prediction_range", low=low, high=high, sure=sure)
            outcome = fmt(p["actual"], p["actual_text"])
            held = p["actual"] is not None and p["low"] <= p["actual"] <= p["high"]
        if p["experiment"]:
            line += f": {_indented(p['experiment'])}"
        if p["resolved_at"] is None:
            line += w("export_prediction_open")
        else:
            key = "export_prediction_held" if held else "export_prediction_missed"
            line += w(key, outcome=outcome)
        lines.append(line)
    return [*lines, ""]


def _drafts(rows: list[dict[str, Any]], w: Words) -> list[str]:
    kept = [(d["form_id"], v) for d in rows for v in d["values"].values() if str(v).strip()]
    if not kept:
        return []
    lines = [w("export_drafts"), ""]
    lines += [f"- {form_id}: {_indented(str(text))}" for form_id, text in kept]
    return [*lines, ""]
