"""Evaluation on a labelled file: alignment AUC and accuracy, precision/recall/F1 per signal
with 95% intervals, and how often good work is accused.

A labelled file has one JSON object a line::

    {"id": "asr-01", "goal": "...; metric", "update": "...",
     "labels": {"goal_aligned": true, "role_model_mimicry": false, "idea_driven": false,
                "failure": false}}

Optional fields are the evidence a check-in carries (``research-coach analyze`` takes the same):
``moves_goal``, ``failed``, ``metric_before``, ``metric_after``, ``direction`` (``up`` or
``down``), ``history`` (earlier updates on the goal, oldest first); ``swapped_from`` marks a
swapped-goal negative (the update of one project read against another's goal): it counts for
alignment only, its signals being its twin's. Optional labels ``dropped`` and ``away`` are read
too. ``research-coach analyze --eval FILE`` prints the analysers side by side, from one run.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.analysis.evidence import Evidence
from bot.analysis.signals import SIGNAL_NAMES, Signals

__all__ = [
    "ACCUSING",
    "LABELS",
    "OPTIONAL_LABELS",
    "Example",
    "Report",
    "Scores",
    "auc",
    "evaluate",
    "format_reports",
    "load_examples",
    "parse_evidence",
    "prf",
    "wilson",
]

LABELS = ("goal_aligned", *SIGNAL_NAMES)
OPTIONAL_LABELS = ("dropped", "away")
ACCUSING = ("role_model_mimicry", "idea_driven")
"""The signals whose nudges accuse (imitation, trend-chasing): the costly ones to get wrong."""


@dataclass(frozen=True)
class Example:
    id: str
    goal: str | None
    update: str
    labels: dict[str, bool]
    moves_goal: str = ""
    failed: str = ""
    evidence: Evidence | None = None  # everything the line carries; None: only goal and update
    swapped: bool = False

    @property
    def full(self) -> Evidence:
        return self.evidence or Evidence(self.goal, self.update, self.moves_goal, self.failed)

    @property
    def text_only(self) -> Evidence:
        return Evidence(self.goal, self.update)


Analyze = Callable[[Example], Signals]


def _number(item: dict[str, Any], key: str) -> float | None:
    value = item.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f'"{key}" must be a finite number or null')
    return float(value)


def parse_evidence(item: dict[str, Any]) -> Evidence:
    """The ``Evidence`` of one input line (``analyze`` and ``--eval`` read the same fields);
    raises ``ValueError`` naming the field that is wrong."""
    if not isinstance(item.get("update"), str):
        raise ValueError('each line needs an object with a string "update"')
    goal = item.get("goal")
    if goal is not None and not isinstance(goal, str):
        raise ValueError('"goal" must be a string')
    texts = {}
    for key in ("moves", "moves_goal", "failed"):
        value = item.get(key, "")
        if not isinstance(value, str):
            raise ValueError(f'"{key}" must be a string')
        texts[key] = value
    history = item.get("history", [])
    if not isinstance(history, list) or not all(isinstance(h, str) for h in history):
        raise ValueError('"history" must be a list of strings (earlier updates, oldest first)')
    direction = item.get("direction", "up")
    if direction not in ("up", "down"):
        raise ValueError('"direction" must be "up" or "down"')
    before = _number(item, "metric_before")
    return Evidence(
        goal or None,
        item["update"],
        moves_goal=texts["moves_goal"] or texts["moves"],
        failed=texts["failed"],
        metric_before=before,
        metric_after=_number(item, "metric_after"),
        direction=direction,
        best_before=_number(item, "best_before") if "best_before" in item else None,
        history=tuple(history),
    )


def load_examples(path: Path) -> list[Example]:
    """Read a labelled file; raises ``ValueError`` naming the line that is wrong."""
    examples: list[Example] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item: Any = json.loads(line)
            labels = item["labels"]
            if not set(LABELS) <= set(labels) <= set(LABELS) | set(OPTIONAL_LABELS):
                raise ValueError(
                    f"labels must be {', '.join(LABELS)} (and optionally "
                    f"{', '.join(OPTIONAL_LABELS)})"
                )
            evidence = parse_evidence(item)
            examples.append(
                Example(
                    id=str(item.get("id", number)),
                    goal=evidence.goal,
                    update=evidence.update,
                    labels={k: bool(v) for k, v in labels.items()},
                    moves_goal=evidence.moves_goal,
                    failed=evidence.failed,
                    evidence=evidence,
                    swapped=bool(item.get("swapped_from")),
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}, line {number}: {exc}") from None
    return examples


def auc(labels: Sequence[bool], scores: Sequence[float]) -> float:
    """Area under the ROC curve: the chance a positive outscores a negative (ties count half).

    >>> auc([True, False, True, False], [0.9, 0.1, 0.4, 0.4])
    0.875
    """
    positives = sorted(s for y, s in zip(labels, scores, strict=True) if y)
    negatives = sorted(s for y, s in zip(labels, scores, strict=True) if not y)
    if not positives or not negatives:
        return float("nan")
    wins = 0.0
    below = ties = 0  # negatives strictly below / equal to the current positive (both sorted)
    for p in positives:
        while below < len(negatives) and negatives[below] < p:
            below += 1
        ties = below
        while ties < len(negatives) and negatives[ties] == p:
            ties += 1
        wins += below + 0.5 * (ties - below)
    return wins / (len(positives) * len(negatives))


def wilson(successes: int, trials: int, z: float = 1.96) -> tuple[float, float]:
    """The 95% Wilson score interval of a proportion.

    >>> [round(x, 3) for x in wilson(9, 10)]
    [0.596, 0.982]
    """
    if trials == 0:
        return (0.0, 1.0)
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = (
        z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    )
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    support: int  # how many examples carry the label
    predicted: int = 0  # how many the analyser flagged
    precision_ci: tuple[float, float] = (0.0, 1.0)
    recall_ci: tuple[float, float] = (0.0, 1.0)


def prf(labels: Iterable[bool], predicted: Iterable[bool]) -> Scores:
    """Precision, recall and F1 of ``predicted`` against ``labels``, with 95% intervals.

    >>> prf([True, True, False, False], [True, False, True, False]).f1
    0.5
    """
    pairs = list(zip(labels, predicted, strict=True))
    tp = sum(y and p for y, p in pairs)
    fp = sum(p and not y for y, p in pairs)
    fn = sum(y and not p for y, p in pairs)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1, tp + fn, tp + fp, wilson(tp, tp + fp), wilson(tp, tp + fn))


@dataclass(frozen=True)
class Report:
    name: str
    examples: int
    alignment_auc: float
    alignment_accuracy: float
    signals: dict[str, Scores]
    errors: tuple[str, ...]  # "id: label expected X" lines, for reading the misses
    accused_on_goal: float = 0.0  # on-goal updates wrongly given an accusing signal
    on_goal: int = 0
    extra: dict[str, Scores] = field(default_factory=dict)  # the optional labels, when present

    def row(self) -> dict[str, float]:
        out = {"alignment_auc": self.alignment_auc, "alignment_accuracy": self.alignment_accuracy}
        for name, scores in self.signals.items():
            out[f"{name}_precision"] = scores.precision
            out[f"{name}_recall"] = scores.recall
            out[f"{name}_f1"] = scores.f1
        out["accused_on_goal"] = self.accused_on_goal
        return out


def evaluate(name: str, examples: Sequence[Example], analyze: Analyze) -> Report:
    """Alignment over every example (swapped-goal negatives included); the signals over the
    original check-ins only (a swapped twin repeats its update)."""
    signals = [analyze(example) for example in examples]
    aligned = [e.labels["goal_aligned"] for e in examples]
    errors: list[str] = []
    for example, got in zip(examples, signals, strict=True):
        for label in LABELS:
            if example.swapped and label != "goal_aligned":
                continue
            value = got.aligned if label == "goal_aligned" else bool(getattr(got, label))
            if value != example.labels[label]:
                errors.append(f"{example.id}: {label} expected {example.labels[label]}")
    own = [(e, s) for e, s in zip(examples, signals, strict=True) if not e.swapped]
    per_signal = {
        label: prf((e.labels[label] for e, _ in own), (bool(getattr(s, label)) for _, s in own))
        for label in SIGNAL_NAMES
    }
    extra: dict[str, Scores] = {}
    if own and all("dropped" in e.labels and "away" in e.labels for e, _ in own):
        extra["dropped"] = prf(
            (e.labels["dropped"] for e, _ in own), (s.failure_scope == "project" for _, s in own)
        )
        extra["away"] = prf((e.labels["away"] for e, _ in own), (s.away for _, s in own))
    on_goal = [(e, s) for e, s in own if e.labels["goal_aligned"]]
    accused = sum(
        any(getattr(s, name) and not e.labels[name] for name in ACCUSING) for e, s in on_goal
    )
    return Report(
        name=name,
        examples=len(examples),
        alignment_auc=auc(aligned, [s.goal_alignment for s in signals]),
        alignment_accuracy=sum(s.aligned == y for s, y in zip(signals, aligned, strict=True))
        / max(1, len(examples)),
        signals=per_signal,
        errors=tuple(errors),
        accused_on_goal=accused / max(1, len(on_goal)),
        on_goal=len(on_goal),
        extra=extra,
    )


def format_reports(reports: Sequence[Report], title: str = "") -> str:
    """A plain table: one row per measure, one column per analyser; 95% intervals beside."""
    names = [r.name for r in reports]
    width = max(22, *(len(n) + 2 for n in names))
    lines = [title] if title else []
    lines.append(f"{'':34}" + "".join(f"{n:>{width}}" for n in names))

    def line(label: str, cells: Iterable[str]) -> None:
        lines.append(f"{label:34}" + "".join(f"{c:>{width}}" for c in cells))

    def with_ci(value: float, ci: tuple[float, float]) -> str:
        return f"{value:.3f} [{ci[0]:.2f}-{ci[1]:.2f}]"

    line("goal alignment AUC", (f"{r.alignment_auc:.3f}" for r in reports))
    line("goal alignment accuracy", (f"{r.alignment_accuracy:.3f}" for r in reports))
    for name in (*SIGNAL_NAMES, *reports[0].extra):
        first = reports[0].signals.get(name) or reports[0].extra[name]
        for measure in ("precision", "recall", "f1"):
            cells = []
            for r in reports:
                s = r.signals.get(name) or r.extra[name]
                value = getattr(s, measure)
                ci = getattr(s, f"{measure}_ci", None)
                cells.append(with_ci(value, ci) if ci else f"{value:.3f}")
            label = f"{name} {measure}" + (f" (n={first.support})" if measure == "f1" else "")
            line(label, cells)
    line(
        f"accused on-goal (n={reports[0].on_goal})",
        (f"{r.accused_on_goal:.3f}" for r in reports),
    )
    lines.append(f"examples: {reports[0].examples}")
    return "\n".join(lines)
