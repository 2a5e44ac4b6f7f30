"""The labelled check-ins: the rules baseline against the embedded analyser, in one run.

The realistic series (``tests/data/realistic/``: terse, jargon-heavy updates in 100 research
areas, written blind to the detectors, each with a swapped-goal twin) are split by writer: dev
is tuned on, test never is; the public research logs are real updates, never tuned on either.
The issue's targets are asserted on the never-tuned split where they are met, and the ones not
met yet are strict expected failures (they turn into failures the day they are met, so the
assertion gets promoted); the calibration is reproducible from the dev splits alone.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from itertools import combinations
from pathlib import Path

import pytest

import bot.analysis as analysis
from bot.analysis import banks, calibrate
from bot.analysis.evaluate import Report, evaluate, format_reports, load_examples
from bot.analysis.semantic import Calibration, SemanticAnalyzer

DATA = Path(__file__).resolve().parents[1] / "data"
REALISTIC_DEV = DATA / "realistic_dev.jsonl"
REALISTIC_TEST = DATA / "realistic_test.jsonl"
PUBLIC = DATA / "realistic_public.jsonl"
PUBLIC_DEV = DATA / "realistic_public_dev.jsonl"  # real logs read for the failure cues
VALIDATION = DATA / "realistic_val.jsonl"  # writers K, L, M, N: scored blind, read, not fitted
MORE = DATA / "realistic_more.jsonl"  # writers O to T: scored blind, read, not fitted
EARLIER = [DATA / f"checkins_{name}.jsonl" for name in ("dev", "test", "val")]

# The issue's targets on the never-tuned split.
TARGET_AUC = 0.90
TARGET_PRECISION = 0.90  # imitation and trend-chasing, at recall >= TARGET_RECALL
TARGET_RECALL = 0.70
TARGET_FAILURE_F1 = 0.85
MAX_ACCUSED_ON_GOAL = 0.03


def rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def test_the_realistic_sets_are_large_varied_split_and_twinned() -> None:
    dev, test = rows(REALISTIC_DEV), rows(REALISTIC_TEST) + rows(VALIDATION)
    originals = [r for r in dev + test if not r.get("swapped_from")]
    assert len(originals) >= 300
    assert len({r["area"] for r in originals}) >= 30
    for split in (dev, test):
        updates = [r["update"] for r in split if not r.get("swapped_from")]
        twins = [r for r in split if r.get("swapped_from")]
        assert len(twins) == len(updates)  # every update also read against another's goal
        assert all(not t["labels"]["goal_aligned"] for t in twins)  # type: ignore[index]
        counts = Counter(k for r in split for k, v in r["labels"].items() if v)  # type: ignore[attr-defined]
        assert all(counts[label] >= 8 for label in ("role_model_mimicry", "idea_driven"))
        assert counts["failure"] >= 40 and counts["away"] >= 8
    # Split by writer: no project, area or update in both (bar one-word ones like "busy").
    for key in ("project", "area", "update"):
        assert not {r[key] for r in dev if " " in str(r[key])} & {
            r[key] for r in test if " " in str(r[key])
        }, key


@pytest.mark.parametrize(
    ("name", "repositories"), [("public_series.jsonl", 7), ("public_dev_series.jsonl", 4)]
)
def test_the_public_updates_carry_their_source_and_licence(name: str, repositories: int) -> None:
    series = rows(DATA / "realistic" / name)
    assert len(series) >= 60
    assert len({str(r["source"]).split("/blob/")[0] for r in series}) >= repositories
    for row in series:
        assert str(row["source"]).startswith("https://github.com/")
        assert row["license"] in {"MIT", "Apache-2.0"}


def test_the_splits_share_no_check_in() -> None:
    updates = [
        {r["update"] for r in rows(path) if " " in str(r["update"])}  # not "-" or "busy"
        for path in (*EARLIER, REALISTIC_DEV, REALISTIC_TEST, VALIDATION, MORE, PUBLIC, PUBLIC_DEV)
    ]
    assert not any(a & b for a, b in combinations(updates, 2))


@pytest.fixture(scope="module")
def never_tuned(semantic: SemanticAnalyzer) -> dict[str, Report]:
    examples = load_examples(REALISTIC_TEST)
    reports = {
        "rules": evaluate("rules", examples, lambda e: analysis.rules_analyze_evidence(e.full)),
        "embedded, words only": evaluate(
            "embedded, words only", examples, lambda e: semantic.analyze_evidence(e.text_only)
        ),
        "embedded": evaluate("embedded", examples, lambda e: semantic.analyze_evidence(e.full)),
    }
    return reports


def test_report_the_never_tuned_split(
    never_tuned: dict[str, Report], capsys: pytest.CaptureFixture[str]
) -> None:
    with capsys.disabled():
        title = f"{REALISTIC_TEST.name} (never tuned on)"
        print("\n" + format_reports(list(never_tuned.values()), title))
    rules, embedded = never_tuned["rules"], never_tuned["embedded"]
    assert embedded.alignment_auc > rules.alignment_auc


def test_the_issue_targets_are_met_on_the_never_tuned_split(
    never_tuned: dict[str, Report],
) -> None:
    """With everything the coach knows (the number, the member's answers, their history):
    alignment, precision first for the accusing signals, failure, and accusations of good
    work."""
    embedded = never_tuned["embedded"]
    assert embedded.alignment_auc >= TARGET_AUC
    for name in ("role_model_mimicry", "idea_driven"):
        assert embedded.signals[name].precision >= TARGET_PRECISION, embedded.signals[name]
    assert embedded.signals["failure"].f1 >= TARGET_FAILURE_F1, embedded.signals["failure"]
    assert embedded.accused_on_goal <= MAX_ACCUSED_ON_GOAL


def test_the_recall_target_of_imitation_is_met(never_tuned: dict[str, Report]) -> None:
    imitation = never_tuned["embedded"].signals["role_model_mimicry"]
    assert imitation.recall >= TARGET_RECALL, imitation


@pytest.mark.xfail(
    strict=True,
    reason="recall of trend-chasing on writers the system never saw is 0.63 at precision 0.96 "
    "(BENCHMARKS.md); the target is 0.70",
)
def test_the_recall_target_of_trend_chasing_is_met(never_tuned: dict[str, Report]) -> None:
    trend = never_tuned["embedded"].signals["idea_driven"]
    assert trend.recall >= TARGET_RECALL, trend


def test_real_public_updates_are_read_without_accusing_anyone(
    semantic: SemanticAnalyzer, capsys: pytest.CaptureFixture[str]
) -> None:
    """Real research logs: long, dense and mostly about being stuck; with swapped goals. The
    floors are what was measured when they were first scored (BENCHMARKS.md), less a margin:
    they keep a regression from passing unseen."""
    examples = load_examples(PUBLIC)
    report = evaluate("embedded", examples, lambda e: semantic.analyze_evidence(e.full))
    with capsys.disabled():
        print("\n" + format_reports([report], f"{PUBLIC.name} (real, never tuned on)"))
    assert report.alignment_auc >= 0.80
    assert report.signals["failure"].precision >= 0.65
    assert report.signals["failure"].f1 >= 0.58
    assert report.accused_on_goal <= MAX_ACCUSED_ON_GOAL


def test_the_shipped_calibration_is_what_the_dev_splits_give(semantic: SemanticAnalyzer) -> None:
    """Weights and thresholds come from the dev splits only, and can be re-derived from them."""
    vectors = banks.load_bank_vectors(semantic.embedder)
    dev_files = calibrate.configured_dev_splits(DATA.parents[1])  # what the checkout fits on
    examples = [e for path in dev_files for e in load_examples(path)]
    result = calibrate.fit(examples, semantic.embedder, vectors)
    fitted, shipped = result.calibration, Calibration.shipped()
    for got, want in zip(fitted.weights, shipped.weights, strict=True):
        assert math.isclose(got, want, abs_tol=0.05)
    assert math.isclose(fitted.thresholds["failure"], shipped.thresholds["failure"], abs_tol=0.051)
    # The shipped probes are the ones the banks and dev train (the cache holds the bank vectors
    # as float16, so scores move a little).
    probe = vectors.probes["idea_driven"]
    rows_ = semantic.embedder.embed([e.update for e in examples[:200]])
    again = result.probes["idea_driven"]
    assert abs((rows_ @ probe[1:] + probe[0]) - (rows_ @ again[1:] + again[0])).max() < 0.1


def test_real_public_dev_logs_read_failure_as_people_write_it(
    semantic: SemanticAnalyzer, capsys: pytest.CaptureFixture[str]
) -> None:
    """Real training logbooks and record write-ups, read while writing the failure cues (so
    not a measure of what was never seen): "has serious issues", "didn't do well", "no matter
    what we tried", a divergence overcome, "made no difference", "did not find any improvement",
    "got the same problem". The floor is the figure measured (0.878), less a margin."""
    report = evaluate(
        "embedded", load_examples(PUBLIC_DEV), lambda e: semantic.analyze_evidence(e.full)
    )
    with capsys.disabled():
        print("\n" + format_reports([report], f"{PUBLIC_DEV.name} (real, read for failure cues)"))
    assert report.signals["failure"].f1 >= 0.84
    assert report.accused_on_goal <= MAX_ACCUSED_ON_GOAL


def test_two_more_writers_never_fitted_on_keep_precision(
    semantic: SemanticAnalyzer, capsys: pytest.CaptureFixture[str]
) -> None:
    """Writers K, L, M and N (industry teams; academic labs), each scored blind by the system of
    its day, then read for the ways imitation and trend-chasing are said, never fitted on: few
    accusations of on-goal work, nearly every accusation right (BENCHMARKS.md)."""
    report = evaluate(
        "embedded", load_examples(VALIDATION), lambda e: semantic.analyze_evidence(e.full)
    )
    with capsys.disabled():
        title = f"{VALIDATION.name} (writers K, L, M, N, never fitted on)"
        print("\n" + format_reports([report], title))
    assert report.alignment_auc >= TARGET_AUC
    for name in ("role_model_mimicry", "idea_driven"):
        assert report.signals[name].precision >= TARGET_PRECISION, report.signals[name]
    assert report.signals["failure"].f1 >= TARGET_FAILURE_F1
    assert report.accused_on_goal <= MAX_ACCUSED_ON_GOAL


def test_six_more_writers_keep_precision_and_read_fixes_as_fixes(
    semantic: SemanticAnalyzer, capsys: pytest.CaptureFixture[str]
) -> None:
    """Writers O to T (non-profits, government labs and hospitals; frontier-model teams;
    university labs; company research; mixed voices; one-liners), each scored blind once and
    then read, never fitted on. Every accusation right but a few, almost no good work accused,
    and a "what failed" answer that says "fixed" or "nothing broke" is no failure. Floors are
    the figures measured (BENCHMARKS.md), less a margin."""
    report = evaluate("embedded", load_examples(MORE), lambda e: semantic.analyze_evidence(e.full))
    with capsys.disabled():
        print("\n" + format_reports([report], f"{MORE.name} (writers O to T, never fitted on)"))
    for name in ("role_model_mimicry", "idea_driven"):
        assert report.signals[name].precision >= TARGET_PRECISION, report.signals[name]
    assert report.signals["role_model_mimicry"].recall >= 0.75
    assert report.signals["idea_driven"].recall >= 0.55
    assert report.signals["failure"].f1 >= 0.82
    assert report.accused_on_goal <= MAX_ACCUSED_ON_GOAL
