"""What one drain did, counted: the scheduler adds it to the ``coach_deliveries`` metric."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum


class Outcome(StrEnum):
    """How one try of a delivery ended, as counted in ``coach_deliveries``."""

    SENT = "sent"
    FOUND = "found"  # taken again, and found already on the platform: marked, not resent
    RETRIED = "retried"  # a failed try; due again after its backoff
    IN_DOUBT = "in_doubt"  # the platform could not say yet whether it is out: asked again later
    FAILED = "failed"  # the last failed try: given up
    MISSED = "missed"  # fell due beyond the grace window (counted by the tick)


@dataclass
class DrainReport:
    sent: int = 0
    failed: int = 0
    retried: int = 0
    found: int = 0  # taken again, and found already on the platform: marked, not resent
    waiting: int = 0  # rows this process cannot send (its platform's adapter is not running)
    in_doubt: int = 0  # rows whose earlier try the platform could not confirm yet: asked later
    by_kind: Counter[tuple[str, Outcome]] = field(default_factory=Counter)

    def count(self, kind: str, outcome: Outcome) -> None:
        """One delivery of ``kind`` ended a try with ``outcome`` (sent, found, retried…)."""
        self.by_kind[kind, outcome] += 1
