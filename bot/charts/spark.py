"""A number's recent history as one line of text, for places a picture cannot go."""

from __future__ import annotations

import math
from collections.abc import Sequence

SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float]) -> str:
    """``sparkline([1, 2, 3]) == "▁▅█"``; a flat series is a flat line; NaN and ±inf are
    skipped. ``sparkline([]) == ""``."""
    drawn = [v for v in values if math.isfinite(v)]
    if not drawn:
        return ""
    low, high = min(drawn), max(drawn)
    if high == low:
        return SPARKS[3] * len(drawn)
    steps = len(SPARKS) - 1
    return "".join(SPARKS[round((v - low) / (high - low) * steps)] for v in drawn)
