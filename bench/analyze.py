"""Benchmark: what reading a check-in costs, embedded model against the rules, in one run.

    /work/venv/bin/python bench/analyze.py [--passes 3]

Each analyser runs in a fresh child process (so cold start and peak RSS are its own):

- cold start: from importing ``bot.analysis`` to the first check-in read (model file checked
  against its sha256, ONNX session built, example-bank vectors loaded, first inference);
- per check-in: wall time of ``analyze(goal, update)`` over the 293 labelled check-ins of
  tests/data, ``--passes`` times (a goal's vector is cached after its first check-in, as it is
  for a member who checks in weekly);
- peak RSS of the child (``ru_maxrss``);
- CPU time per check-in (``time.thread_time``): on a machine shared with other jobs it moves far
  less than the wall time, so it tells a slower analyser from a busier machine;
- the floor: one forward pass of the same model over the same update, timed in the same
  process right after it, so ``cost/floor`` is what reading costs beyond the least any
  embedding reader pays (reported over all check-ins and over the longest quarter);
- hostile input: 3,000-character texts built to make a backtracking matcher work hard
  (``"1,"*1500``, ``"because "*400``, ...), timed against a plain update of the same length.

The workload is the labelled check-ins of tests/data with their evidence (number, answers,
history): the earlier written ones and the realistic series (terse, jargon-heavy; the public
research logs among them run long).

It prints a table, the embedded/rules ratios, and ends with the line
``RESULT median_ms=<n> p99_ms=<n> cold_start_s=<n> rss_mb=<n> rules_median_ms=<n>
floor_ratio=<n> floor_ratio_long=<n> hostile_ms=<n>`` (the first four for the embedded
default).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = [
    ROOT / "tests" / "data" / name
    for name in (
        "checkins_dev.jsonl",
        "checkins_test.jsonl",
        "realistic_dev.jsonl",
        "realistic_test.jsonl",
        "realistic_public.jsonl",
    )
]
HOSTILE = {
    "digits": "1," * 1500,
    "because": "because " * 400,
    "crowd": "everyone is on " * 200,
    "negations": "not no never " * 230,
    "names": "like Karpathy does, " * 150,
}


def workload() -> list[dict[str, Any]]:
    """Every labelled line that reads as a check-in of its own (swapped twins repeat one)."""
    items: list[dict[str, Any]] = []
    for path in DATA:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                if not row.get("swapped_from"):
                    items.append(row)
    return items


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def child(mode: str, passes: int) -> dict[str, Any]:
    """Run in a fresh process: cold start, then every check-in ``passes`` times."""
    rows = workload()
    started = time.perf_counter()
    import bot.analysis as analysis
    from bot.analysis.evaluate import parse_evidence

    analysis.configure(enabled=mode == "embedded")
    items = [parse_evidence(row) for row in rows]
    signals = analysis.analyze_evidence(items[0])
    cold = time.perf_counter() - started
    assert signals.analyzer == ("semantic" if mode == "embedded" else "rules"), analysis.status()
    reader = analysis.semantic_analyzer()
    timings: list[float] = []
    cpu: list[float] = []
    floors: list[float] = []
    for _ in range(passes):
        for evidence in items:
            t, c = time.perf_counter(), time.thread_time()
            analysis.analyze_evidence(evidence)
            timings.append(time.perf_counter() - t)
            cpu.append(time.thread_time() - c)
            if reader is not None:  # the floor: one forward pass over the same update
                t = time.perf_counter()
                reader.embedder.embed([evidence.update])
                floors.append(time.perf_counter() - t)
    hostile: dict[str, float] = {}
    plain = " ".join(str(row["update"]) for row in rows)[:3000]
    for name, text in {**HOSTILE, "plain": plain}.items():
        t = time.perf_counter()
        analysis.analyze(rows[0]["goal"], text)
        hostile[name] = 1000 * (time.perf_counter() - t)
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result: dict[str, Any] = {
        "mode": mode,
        "cold_start_s": cold,
        "median_ms": 1000 * statistics.median(timings),
        "p99_ms": 1000 * percentile(timings, 99),
        "mean_ms": 1000 * statistics.fmean(timings),
        "cpu_median_ms": 1000 * statistics.median(cpu),
        "rss_mb": rss_kb / 1024,
        "checkins": len(timings),
        "hostile_ms": hostile,
    }
    if floors:
        ratios = [t / f for t, f in zip(timings, floors, strict=True)]
        lengths = [len(e.update) for e in items] * passes
        cut = sorted(lengths)[3 * len(lengths) // 4]
        result["floor_median_ms"] = 1000 * statistics.median(floors)
        result["floor_ratio"] = statistics.median(ratios)
        result["floor_ratio_long"] = statistics.median(
            r for r, n in zip(ratios, lengths, strict=True) if n >= cut
        )
    return result


def run_child(mode: str, passes: int) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--passes", str(passes)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--child", choices=["rules", "embedded"])
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.passes)))
        return

    rules = run_child("rules", args.passes)
    embedded = run_child("embedded", args.passes)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(
        f"check-ins read per analyser: {embedded['checkins']} "
        f"({args.passes} passes over tests/data)"
    )
    print(f"{'':16}{'rules':>12}{'embedded':>12}{'ratio':>10}")
    for key, label, digits in (
        ("median_ms", "median ms", 3),
        ("p99_ms", "p99 ms", 3),
        ("mean_ms", "mean ms", 3),
        ("cpu_median_ms", "CPU median ms", 3),
        ("cold_start_s", "cold start s", 3),
        ("rss_mb", "peak RSS MB", 1),
    ):
        ratio = embedded[key] / rules[key] if rules[key] else float("inf")
        print(f"{label:16}{rules[key]:>12.{digits}f}{embedded[key]:>12.{digits}f}{ratio:>9.1f}x")
    print(
        f"embedded against its floor (one forward pass over the same update, "
        f"median {embedded['floor_median_ms']:.2f} ms): {embedded['floor_ratio']:.2f}x over all, "
        f"{embedded['floor_ratio_long']:.2f}x over the longest quarter"
    )
    print("hostile 3,000-character input, ms (rules / embedded):")
    for name, ms in embedded["hostile_ms"].items():
        print(f"  {name:10}{rules['hostile_ms'][name]:>10.1f}{ms:>10.1f}")
    worst = max(v for k, v in embedded["hostile_ms"].items() if k != "plain")
    print(
        f"RESULT median_ms={embedded['median_ms']:.2f} p99_ms={embedded['p99_ms']:.2f} "
        f"cold_start_s={embedded['cold_start_s']:.2f} rss_mb={embedded['rss_mb']:.0f} "
        f"rules_median_ms={rules['median_ms']:.3f} floor_ratio={embedded['floor_ratio']:.2f} "
        f"floor_ratio_long={embedded['floor_ratio_long']:.2f} hostile_ms={worst:.1f}"
    )


if __name__ == "__main__":
    main()
