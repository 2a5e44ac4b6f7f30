"""Charts to draw, and how to read what was drawn: PNG bytes decoded to pixels, and the pixel
row where a value lands."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt
from matplotlib.axes import Axes
from PIL import Image

from bot.charts import GoalSeries

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


def weekly(values: list[float]) -> list[tuple[datetime, float]]:
    return [(START + timedelta(weeks=i), v) for i, v in enumerate(values)]


def fold_goal(**changes: object) -> GoalSeries:
    """A realistic goal: fold success from 0.10 toward 0.60 over 20 weeks, best 0.45."""
    values = [0.10, 0.12, 0.11, 0.15, 0.18, 0.17, 0.22, 0.25, 0.24, 0.28,
              0.30, 0.29, 0.33, 0.36, 0.35, 0.39, 0.41, 0.40, 0.45, 0.43]  # fmt: skip
    points = weekly(values)
    fields: dict[str, object] = {
        "title": "Fold any protein under 200 residues",
        "metric": "fold success rate",
        "direction": "up",
        "points": points,
        "checkins": points[::4],
        "baseline": 0.10,
        "target": 0.60,
        "best": 0.45,
    }
    fields.update(changes)
    return GoalSeries(**fields)  # type: ignore[arg-type]


def pixels(png: bytes) -> npt.NDArray[np.int16]:
    """The PNG decoded to an RGB array (rows from the top), checking it is a real PNG."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(io.BytesIO(png)) as image:
        image.load()
        return np.asarray(image.convert("RGB"), dtype=np.int16)


def colour(hex_colour: str) -> npt.NDArray[np.int16]:
    return np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.int16)


def row_of(ax: Axes, value: float, height: int) -> int:
    """The pixel row (from the top) where ``value`` lands on the y axis."""
    _, y = ax.transData.transform((ax.get_xlim()[0], value))
    return round(height - y)


def share_in_row(
    image: npt.NDArray[np.int16], row: int, hex_colour: str, columns: tuple[int, int]
) -> float:
    """The share of the row's pixels between ``columns`` that are ``hex_colour`` (within a
    little antialiasing), looking one row either side as a line may straddle two."""
    band = image[row - 1 : row + 2, columns[0] : columns[1]]
    near = np.abs(band - colour(hex_colour)).sum(axis=2) <= 40
    return float(near.any(axis=0).mean())
