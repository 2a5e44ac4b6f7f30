"""The one call polling makes: a goal's metric read from the tracker its settings name.

    readings = await read_metric(TrackerConfig("mlflow", url, "fold-cv", "fold_success"),
                                 secret, http)

What is asked and answered, and how it fails: ``bot.trackers.model``.
"""

from __future__ import annotations

import httpx

from bot.trackers import mlflow, wandb
from bot.trackers.model import (
    DEFAULT_TIMEOUT,
    KINDS,
    Reading,
    TrackerConfig,
    TrackerError,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "KINDS",
    "Reading",
    "TrackerConfig",
    "TrackerError",
    "read_metric",
]


async def read_metric(
    config: TrackerConfig,
    secret: str | None,
    http: httpx.AsyncClient,
    *,
    timeouts: httpx.Timeout = DEFAULT_TIMEOUT,
) -> list[Reading]:
    """Each run's latest value of ``config.metric``, from the tracker ``config.kind`` names.

    >>> await read_metric(TrackerConfig("wandb", "https://api.wandb.ai", "lab/cv", "acc"),
    ...                   "wandb-api-key", client)
    [Reading(value=0.45, run_id='3k2j1h0g', step=900, at=datetime(...), run_name='fold-3')]
    """
    if config.kind == "mlflow":
        return await mlflow.read_mlflow(config, secret, http, timeouts=timeouts)
    if config.kind == "wandb":
        return await wandb.read_wandb(config, secret, http, timeouts=timeouts)
    raise ValueError(f"no tracker of kind {config.kind!r}")
