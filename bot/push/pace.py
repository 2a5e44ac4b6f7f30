"""How fast one push token may record: two token buckets, a short one for bursts and a long one
for the hour, kept in this process's memory (each replica paces what reaches it).

A training loop that pushes each step's value fits well inside them; a script stuck in a loop
is stopped before it fills the member's chart, and told when to try again (``Retry-After``).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass, field

# A burst of 30 values, then 10 a second; at most 600 an hour (one every 6 s on average).
BURST, PER_SECOND = 30.0, 10.0
HOURLY = 600.0
TRACKED = 10_000  # tokens remembered at once; the one heard from longest ago goes first


@dataclass
class Bucket:
    """Up to ``size`` tries, refilled at ``rate`` a second.

    >>> bucket = Bucket(size=2, rate=0.5, level=0.0, at=0.0)
    >>> bucket.refill(now=1.0); bucket.level, bucket.seconds_short()
    (0.5, 1.0)
    """

    size: float
    rate: float
    level: float
    at: float  # when ``level`` was last brought up to date, in seconds

    def refill(self, now: float) -> None:
        self.level = min(self.size, self.level + max(0.0, now - self.at) * self.rate)
        self.at = max(self.at, now)

    def seconds_short(self) -> float:
        """How long until a whole try is there (0 when one is)."""
        return max(0.0, 1.0 - self.level) / self.rate


@dataclass
class Pace:
    """One pair of buckets per token hash.

    >>> pace = Pace()
    >>> pace.wait("hash", now=0.0)  # 0: go ahead; else the whole seconds to wait
    0
    """

    burst: float = BURST
    per_second: float = PER_SECOND
    hourly: float = HOURLY
    tracked: int = TRACKED
    _buckets: OrderedDict[str, tuple[Bucket, Bucket]] = field(default_factory=OrderedDict)

    def wait(self, key: str, now: float) -> int:
        """Count one push for ``key`` at ``now`` (seconds): 0 when it may go ahead, else the
        whole seconds to wait (nothing is counted then)."""
        pair = self._buckets.pop(key, None)
        if pair is None:
            pair = (
                Bucket(self.burst, self.per_second, self.burst, now),
                Bucket(self.hourly, self.hourly / 3600.0, self.hourly, now),
            )
        self._buckets[key] = pair  # the most recent last
        while len(self._buckets) > self.tracked:
            self._buckets.popitem(last=False)
        short, hour = pair
        short.refill(now)
        hour.refill(now)
        if short.level >= 1.0 and hour.level >= 1.0:
            short.level -= 1.0
            hour.level -= 1.0
            return 0
        return max(1, math.ceil(max(short.seconds_short(), hour.seconds_short())))
