"""Fit the semantic analyser's calibration on the dev split, and refresh the cached vectors.

    python -m bot.analysis.calibrate [DEV_FILE] [--write]

- Goal alignment: an L2-regularised logistic regression on the standardised similarities of
  ``semantic.ALIGNMENT_FEATURES``; its output is the probability ``goal_alignment``.
- Each detector: the floor and margin (see ``semantic.Calibration``) that maximise the dev F1 of
  "rule hit or similarity hit"; among equal F1s the stricter thresholds win (precision first).

Only the dev split is ever read here: the test split measures what this chose. ``--write``
rewrites ``bot/analysis/calibration.py`` and ``bot/analysis/data/examples.npz``.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.analysis import banks
from bot.analysis.embedder import Embedder, load_embedder
from bot.analysis.evaluate import Example, load_examples, prf
from bot.analysis.semantic import ALIGNMENT_FEATURES, Calibration, Reading, SemanticAnalyzer
from bot.analysis.signals import SIGNAL_NAMES

__all__ = ["DEV_FILE", "L2", "fit", "fit_alignment", "fit_detector", "main"]

DEV_FILE = Path(__file__).resolve().parents[2] / "tests" / "data" / "checkins_dev.jsonl"
L2 = 10.0  # strong: six features, ~150 examples
FLOORS = tuple(round(0.30 + 0.02 * i, 2) for i in range(31))  # 0.30 .. 0.90
MARGINS = tuple(round(-0.10 + 0.02 * i, 2) for i in range(26))  # -0.10 .. 0.40
CALIBRATION_MODULE = Path(__file__).with_name("calibration.py")

Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Fitted:
    calibration: Calibration
    dev_f1: dict[str, float]


def fit_alignment(features: Array, labels: Array) -> tuple[Array, Array, Array, float]:
    """(mean, scale, weights, bias) of a logistic regression fitted by Newton's method."""
    mean = features.mean(axis=0)
    scale = features.std(axis=0) + 1e-9
    z = (features - mean) / scale
    design = np.c_[np.ones(len(labels)), z]
    penalty = L2 * np.diag(np.r_[0.0, np.ones(z.shape[1])])
    w = np.zeros(design.shape[1])
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-design @ w))
        gradient = design.T @ (p - labels) + penalty @ w
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + penalty
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-10:
            break
    return mean, scale, w[1:], float(w[0])


def fit_detector(
    name: str, readings: Sequence[Reading], labels: Sequence[bool]
) -> tuple[float, float, float]:
    """(floor, margin, dev F1) for one detector, combined with its rule as the coach does."""
    by_rule = [bool(getattr(r.rules, name)) for r in readings]
    best: tuple[float, float, float] | None = None
    for floor in FLOORS:
        for margin in MARGINS:
            predicted = [
                rule or r.closeness[name].hit(floor, margin) is not None
                for rule, r in zip(by_rule, readings, strict=True)
            ]
            f1 = round(prf(labels, predicted).f1, 6)
            # Strictest thresholds among the best F1: iterate ascending, keep on ties.
            if best is None or f1 >= best[2]:
                best = (floor, margin, f1)
    assert best is not None
    return best


def fit(examples: Sequence[Example], embedder: Embedder, vectors: banks.BankVectors) -> Fitted:
    analyzer = SemanticAnalyzer(embedder, vectors, _neutral())
    readings = [analyzer.read(e.goal, e.update, e.moves_goal, e.failed) for e in examples]
    features = np.array([r.features for r in readings], dtype=np.float64)
    aligned = np.array([e.labels["goal_aligned"] for e in examples], dtype=np.float64)
    mean, scale, weights, bias = fit_alignment(features, aligned)
    floors: dict[str, float] = {}
    margins: dict[str, float] = {}
    dev_f1: dict[str, float] = {}
    for name in SIGNAL_NAMES:
        labels = [e.labels[name] for e in examples]
        floors[name], margins[name], dev_f1[name] = fit_detector(name, readings, labels)
    calibration = Calibration(
        mean=tuple(round(float(v), 6) for v in mean),
        scale=tuple(round(float(v), 6) for v in scale),
        weights=tuple(round(float(v), 6) for v in weights),
        bias=round(bias, 6),
        floors=floors,
        margins=margins,
    )
    return Fitted(calibration, dev_f1)


def _neutral() -> Calibration:
    """Thresholds that let every piece compete: readings must not depend on the old fit."""
    n = len(ALIGNMENT_FEATURES)
    zeros = dict.fromkeys(SIGNAL_NAMES, -1.0)
    return Calibration((0.0,) * n, (1.0,) * n, (0.0,) * n, 0.0, zeros, zeros)


def render(calibration: Calibration, source: str) -> str:
    def numbers(values: Sequence[float]) -> str:
        return "(" + ", ".join(repr(v) for v in values) + ")"

    def mapping(values: dict[str, float]) -> str:
        inner = ", ".join(f"{json.dumps(k)}: {v!r}" for k, v in values.items())
        return "{" + inner + "}"

    return (
        '"""Generated by ``python -m bot.analysis.calibrate --write``: do not edit by hand.\n\n'
        f"Fitted on {source} only.\nAlignment features: {', '.join(ALIGNMENT_FEATURES)}.\n"
        '"""\n\n'
        f"ALIGNMENT_MEAN = {numbers(calibration.mean)}\n"
        f"ALIGNMENT_SCALE = {numbers(calibration.scale)}\n"
        f"ALIGNMENT_WEIGHTS = {numbers(calibration.weights)}\n"
        f"ALIGNMENT_BIAS = {calibration.bias!r}\n"
        f"DETECTOR_FLOORS = {mapping(calibration.floors)}\n"
        f"DETECTOR_MARGINS = {mapping(calibration.margins)}\n"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.analysis.calibrate", description=__doc__)
    parser.add_argument("dev_file", nargs="?", type=Path, default=DEV_FILE)
    parser.add_argument("--write", action="store_true", help="rewrite calibration and cache")
    args = parser.parse_args(argv)

    embedder = load_embedder()
    text = banks.bank_text()
    vectors = banks.compute_vectors(banks.load_examples(text), embedder)
    fitted = fit(load_examples(args.dev_file), embedder, vectors)
    source = "tests/data/" + args.dev_file.name
    print(render(fitted.calibration, source))
    print("dev F1 (rule or similarity):", {k: round(v, 3) for k, v in fitted.dev_f1.items()})
    if args.write:
        CALIBRATION_MODULE.write_text(render(fitted.calibration, source), encoding="utf-8")
        cache = banks.write_cache(banks.cache_key(text), vectors)
        print(f"wrote {CALIBRATION_MODULE} and {cache}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
