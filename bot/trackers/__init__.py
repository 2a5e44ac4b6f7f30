"""Tracker clients: a goal's number read from MLflow or Weights & Biases, over httpx.

    readings = await read_metric(TrackerConfig("mlflow", url, "fold-cv", "fold_success"),
                                 secret, http)

See ``bot.trackers.base`` for what is asked and answered, and how it fails.
"""

from bot.trackers.base import (
    DEFAULT_TIMEOUT,
    KINDS,
    Reading,
    TrackerConfig,
    TrackerError,
    read_metric,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "KINDS",
    "Reading",
    "TrackerConfig",
    "TrackerError",
    "read_metric",
]
