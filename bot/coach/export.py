"""Everything the coach keeps about one member, as JSON and as Markdown."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy.inspection import inspect

from bot.store import TenantScope
from bot.store.models import (
    BestWork,
    CheckIn,
    Draft,
    Goal,
    Member,
    MetricPoint,
    NotebookEntry,
    NudgeRecord,
    Reflection,
)

# Section name → table, in the order a person reads them.
SECTIONS: tuple[tuple[str, type[Any]], ...] = (
    ("goals", Goal),
    ("metric_history", MetricPoint),
    ("checkins", CheckIn),
    ("reflections", Reflection),
    ("notebook", NotebookEntry),
    ("best_works", BestWork),
    ("nudges", NudgeRecord),
    ("drafts", Draft),
)
INTERNAL = {"tenant_id", "member_id"}  # keys that mean nothing outside the database


def _row(obj: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column in inspect(obj).mapper.column_attrs:
        if column.key in INTERNAL:
            continue
        value = getattr(obj, column.key)
        out[column.key] = value.isoformat() if isinstance(value, datetime | date) else value
    return out


async def collect(scope: TenantScope, member: Member) -> dict[str, Any]:
    """The member's data as plain JSON-ready values."""
    data: dict[str, Any] = {"member": _row(member)}
    data["member"]["platform"] = scope.tenant.platform
    data["member"]["team"] = scope.tenant.external_id
    for name, table in SECTIONS:
        data[name] = [_row(row) for row in await scope.rows_of(member, table)]
    return data


def to_json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False)


def to_markdown(data: dict[str, Any]) -> str:
    """A readable copy: one heading per section, one bullet per row."""
    member = data["member"]
    lines = [f"# Research Coach export for {member['display_name'] or member['user_id']}", ""]
    for name, _ in SECTIONS:
        lines += [f"## {name.replace('_', ' ').capitalize()}", ""]
        rows = data[name]
        if not rows:
            lines += ["(none)", ""]
            continue
        for row in rows:
            fields = "; ".join(f"{k}: {v}" for k, v in row.items() if v not in (None, "", {}))
            lines.append(f"- {fields}")
        lines.append("")
    return "\n".join(lines)
