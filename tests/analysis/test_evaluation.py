"""The labelled check-ins: the rules baseline against the embedded analyser on the test split,
in one run; the calibration is reproducible from the dev split alone. The validation split was
written later by four more hands and only ever scored, like the test split."""

from __future__ import annotations

import json
import math
from collections import Counter
from itertools import combinations
from pathlib import Path

import pytest

import bot.analysis as analysis
from bot.analysis import banks, calibrate
from bot.analysis.evaluate import LABELS, Report, evaluate, format_reports, load_examples
from bot.analysis.semantic import Calibration, SemanticAnalyzer

DATA = Path(__file__).resolve().parents[1] / "data"
DEV = DATA / "checkins_dev.jsonl"
TEST = DATA / "checkins_test.jsonl"
VALIDATION = DATA / "checkins_val.jsonl"

# The issue's targets for the embedded default on the test split.
TARGET_AUC = 0.85
TARGET_F1 = 0.75


@pytest.fixture(scope="module")
def reports(semantic: SemanticAnalyzer) -> tuple[Report, Report]:
    examples = load_examples(TEST)
    rules = evaluate("rules", examples, lambda e: analysis.rules_analyze(e.goal, e.update))
    embedded = evaluate("embedded", examples, lambda e: semantic.analyze(e.goal, e.update))
    return rules, embedded


def test_the_labelled_set_is_large_varied_and_split() -> None:
    dev, test, validation = load_examples(DEV), load_examples(TEST), load_examples(VALIDATION)
    assert len(dev) + len(test) >= 200
    updates = [{e.update for e in split} for split in (dev, test, validation)]
    assert not any(a & b for a, b in combinations(updates, 2))  # no check-in in two splits
    for split in (dev, test, validation):
        counts = Counter(label for e in split for label in LABELS if e.labels[label])
        assert all(counts[label] >= 15 for label in LABELS), counts
        assert sum(len([v for v in e.labels.values() if v]) >= 2 for e in split) >= 20
    areas = {json.loads(line)["area"] for line in TEST.read_text().splitlines()}
    assert len(areas) >= 20


def test_report_the_test_split_rules_against_embedded(
    reports: tuple[Report, Report], capsys: pytest.CaptureFixture[str]
) -> None:
    rules, embedded = reports
    with capsys.disabled():
        print("\n" + format_reports([rules, embedded], f"{TEST.name} (test split)"))
    assert embedded.alignment_auc > rules.alignment_auc + 0.05
    assert embedded.alignment_accuracy > rules.alignment_accuracy
    mean_f1 = {r.name: sum(s.f1 for s in r.signals.values()) / 3 for r in (rules, embedded)}
    assert mean_f1["embedded"] > mean_f1["rules"]
    # Recall is what paraphrase costs the rules; the embedded analyser must recover some.
    for name, scores in embedded.signals.items():
        assert scores.recall >= rules.signals[name].recall, name


@pytest.mark.parametrize("split", [TEST, VALIDATION], ids=["test", "validation"])
def test_the_issue_targets_are_met(semantic: SemanticAnalyzer, split: Path) -> None:
    """Alignment AUC >= 0.85 and F1 >= 0.75 for each signal on both splits nothing was fitted
    on (the test split is the issue's measure; validation is 104 check-ins in four other hands)."""
    examples = load_examples(split)
    embedded = evaluate("embedded", examples, lambda e: semantic.analyze(e.goal, e.update))
    assert embedded.alignment_auc >= TARGET_AUC
    for name, scores in embedded.signals.items():
        assert scores.f1 >= TARGET_F1, (name, scores)


def test_the_shipped_calibration_is_what_the_dev_split_gives(semantic: SemanticAnalyzer) -> None:
    """Thresholds come from the dev split only, and can be re-derived from it."""
    vectors = banks.load_bank_vectors(semantic.embedder)
    result = calibrate.fit(load_examples(DEV), semantic.embedder, vectors)
    fitted, shipped = result.calibration, Calibration.shipped()
    for got, want in zip(fitted.weights, shipped.weights, strict=True):
        assert math.isclose(got, want, abs_tol=0.05)
    for name in analysis.SIGNAL_NAMES:
        assert math.isclose(fitted.thresholds[name], shipped.thresholds[name], abs_tol=0.051)
    # The shipped probes are the ones the banks and dev train (the cache holds the bank vectors
    # as float16, so scores move a little).
    probe = vectors.probes["idea_driven"]
    rows = semantic.embedder.embed([e.update for e in load_examples(DEV)])
    again = result.probes["idea_driven"]
    shipped_scores = rows @ probe[1:] + probe[0]
    fitted_scores = rows @ again[1:] + again[0]
    assert abs(shipped_scores - fitted_scores).max() < 0.1
