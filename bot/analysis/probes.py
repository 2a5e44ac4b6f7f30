"""Linear probes: one small classifier per signal, trained on the example banks and the dev split.

A probe is a logistic regression over sentence vectors. For a signal, its positives are the
signal's ``like`` bank (``prompts/examples.yaml``); its negatives are the ``unlike`` bank (near
misses: negations, neutral mentions, failure analysis), the other signals' ``like`` banks, the
off-goal bank and the cohort's ordinary updates. Nearest-example matching asks "which one
example is this closest to"; a probe weighs every example at once and learns which directions
of the sentence space matter for the signal, so it copes better with wording no example used.

The idea-driven probe also learns from the labelled dev check-ins (``LEARNS_FROM_CHECKINS``):
a flagged check-in's whole update is a positive, every sentence and clause of an unflagged one
a negative. Trend-chasing is said in too many ways for a bank of single sentences, and the dev
split holds real check-ins that mention a trend only to set it aside. The threshold is then
chosen on scores the probe gave check-ins it was not trained on (``bot.analysis.calibrate``);
the test split is never seen. Training is deterministic (Newton's method), takes a few
milliseconds per probe, and its weights are cached with the bank vectors
(``bot.analysis.banks``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.analysis.signals import SIGNAL_NAMES

__all__ = [
    "LEARNS_FROM_CHECKINS",
    "NEGATED_PENALTY",
    "PROBE_L2",
    "PROBE_VERSION",
    "Checkins",
    "train_probe",
    "train_probes",
]

PROBE_L2 = 0.3
"""L2 penalty on the weights (not the bias): chosen by cross-validation on the dev split."""

NEGATED_PENALTY = 2.0
"""Subtracted from the score of a piece that says "not", "never", "no": a negated sentence
("I did not copy Karpathy") needs much stronger evidence to fire a signal."""

LEARNS_FROM_CHECKINS = ("idea_driven",)
"""The probes that also learn from labelled dev check-ins (chosen by cross-validation on dev:
the others did as well or better on the banks alone)."""

PROBE_VERSION = f"probe-v2 l2={PROBE_L2} checkins={','.join(LEARNS_FROM_CHECKINS)}"
"""Part of the cache key of the bank vectors: a change here retrains the probes."""

_ITERATIONS = 50

Matrix = npt.NDArray[np.float32]
Weights = npt.NDArray[np.float32]  # bias first, then one weight per dimension


def train_probe(positive: Matrix, negative: Matrix, l2: float = PROBE_L2) -> Weights:
    """Logistic-regression weights (bias first) separating ``positive`` rows from ``negative``.

    The two classes weigh the same in total, however many rows each has.
    """
    rows = np.vstack([positive, negative]).astype(np.float64)
    labels = np.r_[np.ones(len(positive)), np.zeros(len(negative))]
    balance = np.where(labels == 1, len(labels) / (2 * len(positive)), 0.0)
    balance += np.where(labels == 0, len(labels) / (2 * len(negative)), 0.0)
    design = np.c_[np.ones(len(labels)), rows]
    penalty = l2 * np.eye(design.shape[1])
    penalty[0, 0] = 0.0
    w = np.zeros(design.shape[1])
    for _ in range(_ITERATIONS):
        p = 1.0 / (1.0 + np.exp(-design @ w))
        gradient = design.T @ (balance * (p - labels)) + penalty @ w
        hessian = design.T @ (design * (balance * p * (1 - p))[:, None]) + penalty
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    weights: Weights = w.astype(np.float32)
    return weights


@dataclass(frozen=True)
class Checkins:
    """Labelled check-ins as probe training rows: each one's update vector, the vectors of its
    pieces (sentences and clauses), and its labels by signal name."""

    updates: Sequence[Matrix]  # one row each
    pieces: Sequence[Matrix]
    labels: dict[str, Sequence[bool]]

    def rows(self, name: str) -> tuple[list[Matrix], list[Matrix]]:
        """(positive, negative) rows for signal ``name``."""
        flagged = self.labels[name]
        positive = [u for u, yes in zip(self.updates, flagged, strict=True) if yes]
        negative = [p for p, yes in zip(self.pieces, flagged, strict=True) if not yes]
        return positive, negative


def train_probes(
    vectors: dict[str, Matrix], checkins: Checkins | None = None
) -> dict[str, Weights]:
    """One probe per signal from the named bank matrices (``"failure.like"``, ...), plus the
    labelled ``checkins`` for the signals of ``LEARNS_FROM_CHECKINS``."""
    neutral = [vectors["off_goal"], vectors["cohort.updates"]]
    probes: dict[str, Weights] = {}
    for name in SIGNAL_NAMES:
        others = [vectors[f"{other}.like"] for other in SIGNAL_NAMES if other != name]
        positive = [vectors[f"{name}.like"]]
        negative = [vectors[f"{name}.unlike"], *others, *neutral]
        if checkins is not None and name in LEARNS_FROM_CHECKINS:
            more_positive, more_negative = checkins.rows(name)
            positive += more_positive
            negative += more_negative
        probes[name] = train_probe(np.vstack(positive), np.vstack(negative))
    return probes
