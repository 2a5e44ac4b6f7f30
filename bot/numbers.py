"""A member's numbers (metric values, baselines, targets): read from what they typed, and shown
back exactly, as they typed them where that was kept."""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation


def number(text: str) -> float | None:
    """Parse a metric value; ``None`` when it is not a finite number. A percentage is read as a
    fraction. ``number("0.5") == 0.5``, ``number("90%") == 0.9``."""
    text = text.strip()
    percent = text.endswith("%")
    digits = text[:-1].rstrip() if percent else text
    try:
        value = float(digits)  # "1,5" is refused, not guessed: is it 1.5 or 15?
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    if percent:  # through Decimal: 90 / 100 is 0.9, where 90 * 0.01 is 0.9000000000000001
        try:
            return float(Decimal(digits) / 100)
        except InvalidOperation:
            return None
    return value


def decimals(value: float) -> int:
    """Digits after the point in the shortest exact form of ``value``: ``decimals(0.25) == 2``."""
    text = repr(float(value))
    if "e" in text or "n" in text:  # 1e-05, inf, nan
        return 0
    fraction = text.partition(".")[2]
    return 0 if fraction == "0" else len(fraction)


def shown(value: float | None, typed: str | None = None) -> str:
    """A stored number as the member typed it, when that was kept (``bot.coach.forms.kept``):
    ``shown(0.5, "0.50") == "0.50"``; else exactly and briefly: ``shown(0.5) == "0.5"``,
    ``shown(3.0) == "3"``, ``shown(152375.5) == "152375.5"`` (never rounded to six digits),
    ``shown(None) == "–"``."""
    if value is None:
        return "–"
    if typed and number(typed) == value:  # a text that no longer matches its value is not shown
        return typed
    if "e" in repr(float(value)):
        return f"{value:g}"
    return f"{value:.{decimals(value)}f}"
