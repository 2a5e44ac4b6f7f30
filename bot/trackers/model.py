"""What a tracker is asked, what it answers, and how asking it fails.

    config = TrackerConfig("mlflow", "http://mlflow:5000", "fold-cv", "fold_success")
    readings = await read_metric(config, secret=None, http=client)  # bot.trackers.base

``read_metric`` gives each run's latest value of the metric (one ``Reading`` per run, newest
run first); which of them is the goal's number (``rule``) is decided by whoever records them.
Failures are one ``TrackerError`` whose ``kind`` names what the member can do about it:

    TrackerError
      kind "unreachable"        no connection (refused, DNS, reset), or the server is down (5xx)
      kind "slow"               no answer within the timeout, or told to slow down (429)
      kind "credentials"        the server refused the credentials (401, 403)
      kind "unknown_experiment" no such experiment (MLflow) or project (W&B)
      kind "unknown_metric"     no run carries the metric
      kind "bad_filter"         the tracker refused the run filter
      kind "bad_answer"         the answer is not what the tracker's API documents

Its text names the service and its address, never a credential.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

import httpx

__all__ = [
    "DEFAULT_TIMEOUT",
    "KINDS",
    "Reading",
    "TrackerConfig",
    "TrackerError",
]

KINDS: Final = frozenset(
    {
        "unreachable",
        "slow",
        "credentials",
        "unknown_experiment",
        "unknown_metric",
        "bad_filter",
        "bad_answer",
    }
)

# Short: polling waits on these for every connected goal, and a tracker that takes longer is
# better told "slow" and asked again later.
DEFAULT_TIMEOUT: Final = httpx.Timeout(15.0, connect=5.0)


@dataclass(frozen=True)
class TrackerConfig:
    """Where a goal's number lives. Holds no credential (that is the ``secret``)."""

    kind: str  # "mlflow" | "wandb"
    url: str  # MLflow tracking server; W&B API base (default https://api.wandb.ai)
    experiment: str  # MLflow experiment name (or id); W&B "entity/project"
    metric: str  # metric key
    run_filter: str = ""  # MLflow search filter; W&B filters as JSON (MongoDB-style)
    rule: str = "max"  # "max" | "min" | "latest": which value is the goal's number


@dataclass(frozen=True)
class Reading:
    """One run's latest value of the metric.

    ``at`` is when that value was logged (UTC), ``step`` the step it was logged at.
    """

    value: float
    run_id: str
    step: int | None
    at: datetime | None
    run_name: str = ""


class TrackerError(Exception):
    """A tracker could not be read; ``kind`` says why (see the module's docstring)."""

    def __init__(self, kind: str, detail: str) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown tracker error kind {kind!r}")
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail
