"""Evaluation on a labelled file: alignment AUC and accuracy, precision/recall/F1 per signal.

A labelled file has one JSON object a line::

    {"id": "asr-01", "goal": "...; metric", "update": "...",
     "labels": {"goal_aligned": true, "role_model_mimicry": false, "idea_driven": false,
                "failure": false}}

(``moves_goal`` and ``failed`` may be given too.) ``research-coach analyze --eval FILE`` prints
the rules and the embedded analyser side by side, from one run.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.analysis.signals import SIGNAL_NAMES, Signals

__all__ = [
    "LABELS",
    "Example",
    "Report",
    "Scores",
    "auc",
    "evaluate",
    "format_reports",
    "load_examples",
    "prf",
]

LABELS = ("goal_aligned", *SIGNAL_NAMES)


@dataclass(frozen=True)
class Example:
    id: str
    goal: str | None
    update: str
    labels: dict[str, bool]
    moves_goal: str = ""
    failed: str = ""


Analyze = Callable[[Example], Signals]


def load_examples(path: Path) -> list[Example]:
    """Read a labelled file; raises ``ValueError`` naming the line that is wrong."""
    examples: list[Example] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item: Any = json.loads(line)
            labels = item["labels"]
            if not isinstance(item["update"], str) or set(labels) != set(LABELS):
                raise ValueError(f"labels must be exactly {', '.join(LABELS)}")
            examples.append(
                Example(
                    id=str(item.get("id", number)),
                    goal=item.get("goal") or None,
                    update=item["update"],
                    labels={k: bool(labels[k]) for k in LABELS},
                    moves_goal=str(item.get("moves_goal", "")),
                    failed=str(item.get("failed", "")),
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
    positives = [s for y, s in zip(labels, scores, strict=True) if y]
    negatives = [s for y, s in zip(labels, scores, strict=True) if not y]
    if not positives or not negatives:
        return float("nan")
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    support: int  # how many examples carry the label


def prf(labels: Iterable[bool], predicted: Iterable[bool]) -> Scores:
    """Precision, recall and F1 of ``predicted`` against ``labels``.

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
    return Scores(precision, recall, f1, tp + fn)


@dataclass(frozen=True)
class Report:
    name: str
    examples: int
    alignment_auc: float
    alignment_accuracy: float
    signals: dict[str, Scores]
    errors: tuple[str, ...]  # "id: label expected X" lines, for reading the misses

    def row(self) -> dict[str, float]:
        out = {"alignment_auc": self.alignment_auc, "alignment_accuracy": self.alignment_accuracy}
        for name, scores in self.signals.items():
            out[f"{name}_precision"] = scores.precision
            out[f"{name}_recall"] = scores.recall
            out[f"{name}_f1"] = scores.f1
        return out


def evaluate(name: str, examples: Sequence[Example], analyze: Analyze) -> Report:
    signals = [analyze(example) for example in examples]
    aligned = [e.labels["goal_aligned"] for e in examples]
    errors: list[str] = []
    for example, got in zip(examples, signals, strict=True):
        for label in LABELS:
            value = got.aligned if label == "goal_aligned" else bool(getattr(got, label))
            if value != example.labels[label]:
                errors.append(f"{example.id}: {label} expected {example.labels[label]}")
    per_signal = {
        label: prf((e.labels[label] for e in examples), (bool(getattr(s, label)) for s in signals))
        for label in SIGNAL_NAMES
    }
    return Report(
        name=name,
        examples=len(examples),
        alignment_auc=auc(aligned, [s.goal_alignment for s in signals]),
        alignment_accuracy=sum(s.aligned == y for s, y in zip(signals, aligned, strict=True))
        / max(1, len(examples)),
        signals=per_signal,
        errors=tuple(errors),
    )


def format_reports(reports: Sequence[Report], title: str = "") -> str:
    """A plain table: one row per measure, one column per analyser."""
    names = [r.name for r in reports]
    width = max(12, *(len(n) for n in names))
    lines = [title] if title else []
    lines.append(f"{'':34}" + "".join(f"{n:>{width}}" for n in names))

    def line(label: str, values: Iterable[float], digits: int = 3) -> None:
        lines.append(f"{label:34}" + "".join(f"{v:>{width}.{digits}f}" for v in values))

    line("goal alignment AUC", (r.alignment_auc for r in reports))
    line("goal alignment accuracy", (r.alignment_accuracy for r in reports))
    for name in SIGNAL_NAMES:
        support = reports[0].signals[name].support
        for measure in ("precision", "recall", "f1"):
            line(
                f"{name} {measure}" + (f" (n={support})" if measure == "f1" else ""),
                (getattr(r.signals[name], measure) for r in reports),
            )
    lines.append(f"examples: {reports[0].examples}")
    return "\n".join(lines)
