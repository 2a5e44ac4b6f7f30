"""Fit the semantic analyser's calibration on the dev split, and refresh the cached vectors.

    python -m bot.analysis.calibrate [DEV_FILE ...] [--write] [--cv]

With no DEV_FILE, the dev splits named by ``[tool.research-coach.calibrate] dev-splits`` in the
``pyproject.toml`` of the current folder (the checkout's names its own labelled dev files). An
installed coach ships no labelled data: there, name the files.

- Goal alignment: an L2-regularised logistic regression on the standardised similarities of
  ``semantic.ALIGNMENT_FEATURES``; its output is the probability ``goal_alignment``.
- Each detector: the lowest threshold on its probe's score (``bot.analysis.probes``) at which
  the similarity detector on its own is right 90% of the time on dev, 75% for idea-driven
  (``fit_detector`` says why on its own, and why this rule). The idea-driven probe learns from
  the dev check-ins too, so both are fitted on held-out scores: each dev check-in scored by a
  probe trained without it (``held_out``).

Only the dev split is ever read here: the test split measures what this chose. ``--write``
rewrites ``bot/analysis/calibration.py`` and ``bot/analysis/data/examples.npz``. ``--cv`` also
prints cross-validated dev numbers (each fold scored by a fit on the other folds): less
optimistic than the dev numbers of the shipped fit, which has seen every dev example.
"""

from __future__ import annotations

import argparse
import json
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.analysis import banks, gated
from bot.analysis.embedder import Embedder, load_embedder
from bot.analysis.evaluate import Example, auc, load_examples, prf
from bot.analysis.probes import Checkins, Weights, train_probes
from bot.analysis.semantic import ALIGNMENT_FEATURES, Calibration, Reading, SemanticAnalyzer
from bot.analysis.signals import SIGNAL_NAMES

__all__ = [
    "L2",
    "configured_dev_splits",
    "cross_validate",
    "fit",
    "fit_alignment",
    "fit_detector",
    "main",
    "provenance",
]

L2 = 3.0  # strong: eight features, ~150 examples (chosen by cross-validation on dev)
# A similarity-only hit asks a question: it should rarely be wrong. Idea-driven asks for less:
# trend-chasing is said in more ways than any bank holds, and on dev 0.6-0.75 gave the best
# cross-validated F1 (0.9 gave 0.64); the others do best at 0.9.
DETECTOR_PRECISION = {"role_model_mimicry": 0.9, "idea_driven": 0.75, "failure": 0.9}
CV_FOLDS = 5
INNER_FOLDS = 5  # held-out probe scores for fitting: each check-in scored by 4/5 of the others
CV_REPEATS = 4
THRESHOLDS = tuple(round(-1.0 + 0.05 * i, 2) for i in range(101))  # probe logits -1 .. 4
SMOOTHING = 5  # thresholds each side (0.25 in logits) averaged when choosing one
CALIBRATION_MODULE = Path(__file__).with_name("calibration.py")

Array = npt.NDArray[np.float64]
Matrix = npt.NDArray[np.float32]
Indices = npt.NDArray[np.intp]


@dataclass(frozen=True)
class Fitted:
    calibration: Calibration
    dev_f1: dict[str, float]
    probes: dict[str, Weights]  # trained on the banks and every dev check-in
    gated: dict[str, Weights] = field(default_factory=dict)  # bot.analysis.gated


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
) -> tuple[float, float]:
    """(threshold, dev precision) of the similarity detector for one signal, on its own.

    The lowest threshold at which similarity-only hits are right ``DETECTOR_PRECISION[name]`` of
    the time on dev (precision averaged over a window of thresholds: with a few dozen positives
    it jumps from one threshold to the next). Chosen by cross-validation on dev over maximising
    F1 or F0.5: it gave the best and the steadiest "rule or similarity" F1 across folds.

    Fitted alone rather than combined with the rule: the cue phrases were extended while reading
    the dev split, so on dev they catch nearly every positive and would leave similarity nothing
    to add, while on unseen text they miss paraphrases.
    """
    precision: list[float] = []
    recall: list[float] = []
    for threshold in THRESHOLDS:
        scores = prf(labels, [r.likeness[name].hit(threshold) is not None for r in readings])
        # No hit at all is no wrong hit.
        precision.append(scores.precision if scores.precision or scores.recall else 1.0)
        recall.append(scores.recall)
    for i, threshold in enumerate(THRESHOLDS):
        window = precision[max(0, i - SMOOTHING) : i + SMOOTHING + 1]
        if float(np.mean(window)) >= DETECTOR_PRECISION[name] and recall[i] > 0:
            return threshold, precision[i]
    return THRESHOLDS[-1], precision[-1]


def by_words(reading: Reading, name: str) -> bool:
    """Whether the cue phrases alone fire signal ``name`` in this reading."""
    words = reading.words
    hit = {
        "failure": words.failure,
        "role_model_mimicry": words.imitation,
        "idea_driven": words.trend,
    }[name]
    return hit is not None


def read_all(
    examples: Sequence[Example], embedder: Embedder, vectors: banks.BankVectors
) -> tuple[list[Reading], Matrix]:
    """Every check-in's reading, and the vector of each whole update (a probe's positive)."""
    analyzer = SemanticAnalyzer(embedder, vectors, _neutral())
    readings = [analyzer.read(e.goal, e.update, e.moves_goal, e.failed) for e in examples]
    return readings, embedder.embed([e.update or " " for e in examples])


def as_checkins(
    readings: Sequence[Reading], updates: Matrix, examples: Sequence[Example], chosen: Indices
) -> Checkins:
    return Checkins(
        updates=[updates[i : i + 1] for i in chosen],
        pieces=[readings[i].vectors for i in chosen],
        labels={name: [examples[i].labels[name] for i in chosen] for name in SIGNAL_NAMES},
    )


def held_out(
    readings: Sequence[Reading],
    updates: Matrix,
    examples: Sequence[Example],
    chosen: Indices,
    vectors: banks.BankVectors,
) -> list[Reading]:
    """The ``chosen`` check-ins, each scored by probes that were trained on the banks and the
    *other* chosen check-ins, never on itself: what thresholds and weights are fitted on."""
    order = np.random.default_rng(1).permutation(chosen)
    scored: dict[int, Reading] = {}
    for fold in np.array_split(order, INNER_FOLDS):
        rest = np.setdiff1d(order, fold)
        probes = train_probes(vectors.vectors, as_checkins(readings, updates, examples, rest))
        scored.update({int(i): readings[i].scored_by(probes) for i in fold})
    return [scored[int(i)] for i in chosen]


def fit_on(
    readings: Sequence[Reading], examples: Sequence[Example]
) -> tuple[Calibration, dict[str, float]]:
    """The calibration fitted on readings (already scored by held-out probes)."""
    features = np.array([r.features for r in readings], dtype=np.float64)
    aligned = np.array([e.labels["goal_aligned"] for e in examples], dtype=np.float64)
    mean, scale, weights, bias = fit_alignment(features, aligned)
    thresholds: dict[str, float] = {}
    dev_f1: dict[str, float] = {}
    for name in SIGNAL_NAMES:
        labels = [e.labels[name] for e in examples]
        thresholds[name], _ = fit_detector(name, readings, labels)
        fired = [
            by_words(r, name) or r.likeness[name].hit(thresholds[name]) is not None
            for r in readings
        ]
        dev_f1[name] = prf(labels, fired).f1
    calibration = Calibration(
        mean=tuple(round(float(v), 6) for v in mean),
        scale=tuple(round(float(v), 6) for v in scale),
        weights=tuple(round(float(v), 6) for v in weights),
        bias=round(bias, 6),
        thresholds=thresholds,
    )
    return calibration, dev_f1


def fit_chosen(
    readings: Sequence[Reading],
    updates: Matrix,
    examples: Sequence[Example],
    chosen: Indices,
    vectors: banks.BankVectors,
) -> Fitted:
    """Probes trained on the banks and the ``chosen`` check-ins; thresholds and alignment
    weights fitted on held-out probe scores (``dev_f1`` is measured on those too)."""
    calibration, dev_f1 = fit_on(
        held_out(readings, updates, examples, chosen, vectors), [examples[i] for i in chosen]
    )
    probes = train_probes(vectors.vectors, as_checkins(readings, updates, examples, chosen))
    return Fitted(calibration, dev_f1, probes)


def fit(examples: Sequence[Example], embedder: Embedder, vectors: banks.BankVectors) -> Fitted:
    """The calibration and probes of all of dev, and the check-in probes of the accusing
    signals (``bot.analysis.gated``, on the check-ins themselves, not their swapped twins)."""
    readings, updates = read_all(examples, embedder, vectors)
    fitted = fit_chosen(readings, updates, examples, np.arange(len(examples)), vectors)
    own = [(e, r) for e, r in zip(examples, readings, strict=True) if not e.swapped]
    trained = {
        name: gated.train(
            name,
            [r.likeness[name].pieces for _, r in own],
            [r.vectors for _, r in own],
            [e.labels[name] for e, _ in own],
        )
        for name in gated.GATED_SIGNALS
    }
    return replace(fitted, gated={k: w for k, w in trained.items() if w is not None})


def cross_validate(
    examples: Sequence[Example], embedder: Embedder, vectors: banks.BankVectors
) -> dict[str, float]:
    """Dev alignment AUC and detector F1s, each fold scored by a fit on the other folds (the
    probes included: a fold's check-ins are in none of the training it is scored by)."""
    readings, updates = read_all(examples, embedder, vectors)
    aligned = np.array([e.labels["goal_aligned"] for e in examples], dtype=bool)
    rng = np.random.default_rng(0)
    totals: dict[str, float] = {}
    for _ in range(CV_REPEATS):
        order = rng.permutation(len(examples))
        scores = np.zeros(len(examples))
        fired: dict[str, list[bool]] = {name: [False] * len(examples) for name in SIGNAL_NAMES}
        for fold in np.array_split(order, CV_FOLDS):
            fitted = fit_chosen(readings, updates, examples, np.setdiff1d(order, fold), vectors)
            calibration = fitted.calibration
            for i in fold:
                reading = readings[i].scored_by(fitted.probes)
                scores[i] = calibration.probability(reading.features)
                for name in SIGNAL_NAMES:
                    hit = reading.likeness[name].hit(calibration.thresholds[name])
                    fired[name][i] = by_words(reading, name) or hit is not None
        results = {"alignment_auc": auc(list(aligned), list(scores))}
        for name in SIGNAL_NAMES:
            results[f"{name}_f1"] = prf([e.labels[name] for e in examples], fired[name]).f1
        for key, value in results.items():
            totals[key] = totals.get(key, 0.0) + value / CV_REPEATS
    return totals


def _rounded(values: dict[str, float]) -> dict[str, float]:
    return {k: round(float(v), 3) for k, v in values.items()}


def _neutral() -> Calibration:
    """Thresholds that let every piece compete: readings must not depend on the old fit."""
    n = len(ALIGNMENT_FEATURES)
    return Calibration((0.0,) * n, (1.0,) * n, (0.0,) * n, 0.0, dict.fromkeys(SIGNAL_NAMES, 0.0))


def render(calibration: Calibration, source: str) -> str:
    def numbers(values: Sequence[float]) -> str:
        one_line = "(" + ", ".join(repr(v) for v in values) + ")"
        if len(one_line) <= 72:  # leaves room for the longest name within 100 columns
            return one_line
        return "(\n" + "".join(f"    {v!r},\n" for v in values) + ")"

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
        f"DETECTOR_THRESHOLDS = {mapping(calibration.thresholds)}\n"
    )


def configured_dev_splits(folder: Path) -> list[Path]:
    """The dev splits ``folder/pyproject.toml`` names, resolved against ``folder``; none if it
    names none (an installed coach run outside a checkout).

    Example: ``configured_dev_splits(Path("."))`` in the checkout gives its two dev files.
    """
    project = folder / "pyproject.toml"
    if not project.is_file():
        return []
    config = tomllib.loads(project.read_text(encoding="utf-8"))
    names = config.get("tool", {}).get("research-coach", {}).get("calibrate", {})
    return [folder / name for name in names.get("dev-splits", [])]


def provenance(dev_files: Sequence[Path]) -> str:
    """How the generated module names what it was fitted on: each file relative to the current
    folder when inside it, else by its name.

    Example: ``"tests/data/checkins_dev.jsonl and tests/data/realistic_dev.jsonl"``.
    """

    def shown(path: Path) -> str:
        try:
            return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
        except ValueError:
            return path.name

    return " and ".join(shown(path) for path in dev_files)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.analysis.calibrate", description=__doc__)
    parser.add_argument("dev_files", nargs="*", type=Path, metavar="DEV_FILE")
    parser.add_argument("--write", action="store_true", help="rewrite calibration and cache")
    parser.add_argument("--cv", action="store_true", help="print cross-validated dev numbers")
    args = parser.parse_args(argv)
    dev_files: list[Path] = args.dev_files or configured_dev_splits(Path.cwd())
    if not dev_files:
        parser.error(
            "name the labelled dev files to fit on: no DEV_FILE was given, and no pyproject.toml "
            "here names [tool.research-coach.calibrate] dev-splits"
        )
    missing = [str(path) for path in dev_files if not path.is_file()]
    if missing:
        parser.error(f"no such dev file: {', '.join(missing)}")

    embedder = load_embedder()
    text = banks.bank_text()
    vectors = banks.compute_vectors(banks.load_examples(text), embedder)
    examples = [e for path in dev_files for e in load_examples(path)]
    fitted = fit(examples, embedder, vectors)
    source = provenance(dev_files)
    print(render(fitted.calibration, source))
    print("dev F1 (rule or similarity, held-out probes):", _rounded(fitted.dev_f1))
    if args.cv:
        folds = f"{CV_REPEATS}x{CV_FOLDS}-fold"
        scores = cross_validate(examples, embedder, vectors)
        print(f"dev, {folds} cross-validated:", _rounded(scores))
    if args.write:
        CALIBRATION_MODULE.write_text(render(fitted.calibration, source), encoding="utf-8")
        trained = banks.BankVectors(vectors.texts, vectors.vectors, fitted.probes, fitted.gated)
        cache = banks.write_cache(banks.cache_key(text), trained)
        print(f"wrote {CALIBRATION_MODULE} and {cache}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
