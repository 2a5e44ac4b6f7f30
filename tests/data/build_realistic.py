"""Expand the realistic series of ``realistic/`` into labelled check-ins for the evaluation.

Each series line is one week of one project (its goal, metric, direction, baseline and target,
the update, the "how does this move your goal" answer, the number, the "what failed" answer and
the labels). Each becomes a check-in with its evidence: the number before (the previous week's,
or the baseline) and after, and the history (the project's earlier updates). Each check-in also
gets a swapped-goal twin: the same update read against another project's goal and history, with
`goal_aligned` false and no numbers.

    python tests/data/build_realistic.py  # realistic_{dev,test,val,more,public,public_dev}.jsonl
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
HISTORY = 4  # earlier updates given with each check-in
SIGNALS = ("goal_aligned", "role_model_mimicry", "idea_driven", "failure")


def _goal(row: dict[str, Any]) -> str:
    if "metric" in row:
        return f"{row['goal'].rstrip('.')}; {row['metric']}"
    return str(row["goal"])  # public rows carry "capability; number" already


def _words(text: str) -> set[str]:
    return {
        w for w in "".join(c if c.isalnum() else " " for c in text.lower()).split() if len(w) > 3
    }


def _partner(names: list[str], projects: dict[str, list[dict[str, Any]]], p: int) -> str:
    """Another project, halfway round the list, whose goal shares few words with this one's
    (two logs of large-model training are the same kind of goal: not a fair negative)."""
    mine = _words(_goal(projects[names[p]][0]))
    for step in range(len(names)):
        other = names[(p + len(names) // 2 + step) % len(names)]
        theirs = _words(_goal(projects[other][0]))
        if other != names[p] and len(mine & theirs) <= 0.05 * len(mine | theirs):
            return other
    raise ValueError(f"no project far enough from {names[p]}")


def expand(rows: list[dict[str, Any]], twins: bool = True) -> list[dict[str, Any]]:
    projects: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        key = row.get("project") or row["id"].rsplit("-", 1)[0]
        projects.setdefault(key, []).append(row)
    names = sorted(projects)
    out: list[dict[str, Any]] = []
    for p, name in enumerate(names):
        series = projects[name]
        before = series[0].get("baseline")
        for week, row in enumerate(series):
            labels = {k: bool(row["labels"][k]) for k in SIGNALS}
            extra = {k: bool(row["labels"].get(k, False)) for k in ("dropped", "away")}
            item: dict[str, Any] = {
                "id": row.get("id") or f"{name}-w{row['week']}",
                "area": row["area"],
                "project": name,
                "goal": _goal(row),
                "update": row["update"],
                "moves_goal": row.get("moves_goal", ""),
                "failed": row.get("failed", ""),
                "history": [r["update"] for r in series[max(0, week - HISTORY) : week]],
                "labels": {**labels, **extra},
            }
            if "direction" in row:
                item["direction"] = row["direction"]
                item["metric_before"] = before
                item["metric_after"] = row.get("metric_value")
                if row.get("metric_value") is not None:
                    before = row["metric_value"]
            out.append(item)
            if not twins:
                continue
            # The swapped twin: another project's goal and history.
            partner = _partner(names, projects, p)
            other = projects[partner]
            twin_week = min(week, len(other) - 1)
            out.append(
                {
                    "id": item["id"] + "-swapped",
                    "area": item["area"],
                    "project": name,
                    "swapped_from": partner,
                    "goal": _goal(other[twin_week]),
                    "update": row["update"],
                    "history": [
                        r["update"] for r in other[max(0, twin_week - HISTORY) : twin_week]
                    ],
                    "labels": {**labels, **extra, "goal_aligned": False},
                }
            )
    return out


def main() -> None:
    # The public dev logs are all large-model training: another of their goals is no fair
    # negative, so they get no twins (they are read for failure, not alignment).
    for source, target, twins in (
        ("series_dev.jsonl", "realistic_dev.jsonl", True),
        ("series_test.jsonl", "realistic_test.jsonl", True),
        ("series_val.jsonl", "realistic_val.jsonl", True),
        ("series_more.jsonl", "realistic_more.jsonl", True),
        ("public_series.jsonl", "realistic_public.jsonl", True),
        ("public_dev_series.jsonl", "realistic_public_dev.jsonl", False),
    ):
        rows = [json.loads(line) for line in (HERE / "realistic" / source).open() if line.strip()]
        lines = [json.dumps(item, ensure_ascii=False) for item in expand(rows, twins)]
        (HERE / target).write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{target}: {len(lines)} check-ins from {len(rows)} updates")


if __name__ == "__main__":
    main()
