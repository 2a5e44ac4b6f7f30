"""The text sparkline: a history as one line of block characters."""

from __future__ import annotations

import math

from bot.charts import sparkline


def test_a_rising_series_rises_and_a_flat_one_is_flat() -> None:
    assert sparkline([1, 2, 3]) == "▁▅█"
    assert sparkline([0.1, 0.1]) == "▄▄"
    assert sparkline([3, 1, 2]) == "█▁▅"


def test_nothing_drawable_is_an_empty_line() -> None:
    assert sparkline([]) == ""
    assert sparkline([math.nan, math.inf]) == ""
    assert sparkline([1, math.nan, 3]) == "▁█"
