"""Draws the README's example goal chart into docs/chart-example.png.

    python bench/chart_example.py [--out docs/chart-example.png]

A realistic goal: fold success rate from 0.10 to 0.45 over 20 weeks (baseline 0.10, target
0.60), the values a tracker read each week, the weeks a check-in came with one as dots.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.charts import GoalSeries, render_goal  # noqa: E402

VALUES = [0.10, 0.12, 0.11, 0.15, 0.18, 0.17, 0.22, 0.21, 0.26, 0.28,
          0.27, 0.31, 0.34, 0.33, 0.37, 0.39, 0.38, 0.42, 0.45, 0.44]  # fmt: skip
CHECKED_IN = {0, 1, 3, 4, 6, 8, 9, 12, 13, 15, 18, 19}  # weeks with a check-in


def example() -> GoalSeries:
    start = datetime(2026, 7, 6, 10, 0, tzinfo=UTC)
    points = [(start + timedelta(weeks=i), v) for i, v in enumerate(VALUES)]
    return GoalSeries(
        title="Fold any protein under 200 residues",
        metric="fold success rate",
        direction="up",
        points=points,
        checkins=[p for i, p in enumerate(points) if i in CHECKED_IN],
        baseline=0.10,
        target=0.60,
        best=max(VALUES),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "chart-example.png")
    args = parser.parse_args()
    png = render_goal(example())
    args.out.write_bytes(png)
    print(f"wrote {args.out} ({len(png):,} bytes)")


if __name__ == "__main__":
    main()
