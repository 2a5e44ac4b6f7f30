"""Benchmark: what 3,000 characters built to make a matcher work hard cost, beside research
notes of the same length, through everything that reads member text, in one run.

    python bench/hostile.py [--repeat 5]

The readers: each platform's escaper (Discord, Slack), the console's, ``bot.text.cap``, the
tokenizer the cue phrases read, the coach's readers that run on the event loop (goal check,
distress in a reflection, a DM said in words), and the analysis of a check-in as
``research-coach analyze`` runs it (``bot.cli.analysis_of``), with the rules alone and with the
embedded model. Each text goes in every field the reader has (a check-in's update, its answer
to "how does this move your goal" and "what failed"). The benign text is research notes from
tests/data; the hostile ones are runs of what backtracking matchers and phrase matchers choke
on (``"1,"*1500``, ``"[]("*1000``, ``"because "*375``, ...).

Each time is the least CPU time of this process over ``--repeat`` runs (the machine is shared:
wall time would measure the other jobs too; the embedded model's threads are counted).
Targets: hostile at most 3x benign and 50 ms.
A ratio of two times under a millisecond says nothing about a stall, so the ratio in the
RESULT line counts a benign time under 1 ms as 1 ms (the table shows the raw ratios too).

Ends with: RESULT ratio=<worst hostile / benign> worst_ms=<slowest hostile reading>
raw_ratio=<the same ratio without the 1 ms floor>
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import bot.analysis as analysis  # noqa: E402
from adapters.console.render import safe  # noqa: E402
from adapters.discord import sanitize as discord_text  # noqa: E402
from adapters.slack import sanitize as slack_text  # noqa: E402
from bot.analysis import Evidence  # noqa: E402
from bot.analysis.phrases import tokenize  # noqa: E402
from bot.cli import analysis_of  # noqa: E402
from bot.coach import dm, goal_check, reflection  # noqa: E402
from bot.events import UserText  # noqa: E402
from bot.text import cap  # noqa: E402

LENGTH = 3000
FLOOR_MS = 1.0
TARGET_RATIO, TARGET_MS = 3.0, 50.0
UNITS = {
    "commas": "1,",
    "masked links": "[](",
    "brackets": "[",
    "parens": "(",
    "angles": "<",
    "mentions": "<@",
    "newlines": "\n",
    "indented dashes": " \n-",
    "marks": "_*`~|",
    "backslashes": "\\",
    "links": "http://.",
    "spaces": "  ",
    "letters": "a",
    "dots": "1.",
    "not": "not ",
    "didn't": "didn't ",
    "reasons": "because ",
    "names": "like Karpathy does, ",
    "crowd": "everyone is on ",
    "stuck": "stuck ",
    "so I": "so I ",
}
GOAL = "beat the baseline on ImageNet; top-1 accuracy"


def hostile() -> dict[str, str]:
    texts = {name: (unit * LENGTH)[:LENGTH] for name, unit in UNITS.items()}
    rng = random.Random(7)
    texts["random unicode"] = "".join(chr(rng.randrange(0x20, 0x3000)) for _ in range(LENGTH))
    return texts


def benign() -> str:
    rows = (ROOT / "tests" / "data" / "realistic_dev.jsonl").read_text(encoding="utf-8")
    notes = " ".join(json.loads(r)["update"] for r in rows.splitlines() if r.strip())
    return notes[:LENGTH]


def check_in(text: str) -> object:
    return analysis_of(Evidence(GOAL, text, moves_goal=text, failed=text))


READERS: dict[str, Callable[[str], object]] = {
    "discord escape": discord_text.escape,
    "discord message": lambda t: discord_text.fit(discord_text.render((UserText(t),))),
    "slack escape": slack_text.escape,
    "slack mrkdwn": lambda t: slack_text.mrkdwn((t,)),
    "console": safe,
    "cap": lambda t: cap(t, 150),
    "tokens": tokenize,
    "goal check": lambda t: (goal_check.vague_capability(t), goal_check.unmeasurable(t)),
    "distress": reflection.distress,
    "dm words": dm.understand,
}


def least_ms(read: Callable[[str], object], text: str, repeat: int) -> float:
    """The least CPU time of this process over ``repeat`` readings of ``text``: the work
    itself (on a machine shared with other jobs, wall time measures them too)."""
    times = []
    for _ in range(repeat):
        started = time.process_time()
        read(text)
        times.append(1000 * (time.process_time() - started))
    return min(times)


def measure(
    name: str, read: Callable[[str], object], plain: str, texts: dict[str, str], repeat: int
) -> tuple[str, float, float, str]:
    """(name, benign ms, worst hostile ms, which hostile text was worst)."""
    read(plain)  # warm: caches, the model's buffers
    usual = least_ms(read, plain, repeat)
    worst, label = max((least_ms(read, text, repeat), label) for label, text in texts.items())
    return name, usual, worst, label


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    plain, texts = benign(), hostile()
    rows = [measure(n, r, plain, texts, args.repeat) for n, r in READERS.items()]
    analysis.configure(enabled=False)
    rows.append(measure("analyze (rules)", check_in, plain, texts, args.repeat))
    analysis.configure(enabled=True)
    if analysis.warm_up().state != "loaded":
        sys.exit(f"the embedded model did not load: {analysis.status()}")
    rows.append(measure("analyze (embedded)", check_in, plain, texts, args.repeat))

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"{LENGTH:,} characters each, least CPU ms of {args.repeat} runs; {len(texts)} hostile")
    print(f"{'reader':20}{'benign ms':>11}{'worst ms':>10}{'ratio':>8}  worst text")
    for name, usual, worst, label in rows:
        print(f"{name:20}{usual:>11.3f}{worst:>10.3f}{worst / usual:>7.1f}x  {label}")
    ratio = max(worst / max(usual, FLOOR_MS) for _, usual, worst, _ in rows)
    raw = max(worst / usual for _, usual, worst, _ in rows)
    worst_ms = max(worst for _, _, worst, _ in rows)
    met = ratio <= TARGET_RATIO and worst_ms <= TARGET_MS
    verdict = "met" if met else "NOT met"
    print(f"targets (at most {TARGET_RATIO:g}x benign, {TARGET_MS:g} ms): {verdict}")
    print(f"RESULT ratio={ratio:.2f} worst_ms={worst_ms:.1f} raw_ratio={raw:.1f}")


if __name__ == "__main__":
    main()
