"""The one call polling makes: a goal's metric read from the tracker its settings name.

    readings = await read_metric(TrackerConfig("mlflow", url, "fold-cv", "fold_success"),
                                 secret, http)

What is asked and answered, and how it fails: ``bot.trackers.model``.
"""

from __future__ import annotations

import asyncio
from typing import Final

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

# httpx's read timeout is per chunk: a server trickling a byte every few seconds would hold a
# read open forever, and polling waits for its reads. This bounds the whole read.
READ_DEADLINE: Final = 60.0


async def read_metric(
    config: TrackerConfig,
    secret: str | None,
    http: httpx.AsyncClient,
    *,
    timeouts: httpx.Timeout = DEFAULT_TIMEOUT,
    deadline: float = READ_DEADLINE,
) -> list[Reading]:
    """Each run's latest value of ``config.metric``, from the tracker ``config.kind`` names.

    >>> await read_metric(TrackerConfig("wandb", "https://api.wandb.ai", "lab/cv", "acc"),
    ...                   "wandb-api-key", client)
    [Reading(value=0.45, run_id='3k2j1h0g', step=900, at=datetime(...), run_name='fold-3')]

    The whole read (every page) ends within ``deadline`` seconds, or as ``TrackerError`` "slow".
    """
    try:
        async with asyncio.timeout(deadline):
            return await _read(config, secret, http, timeouts)
    except TimeoutError:
        raise TrackerError("slow", f"no whole answer within {deadline:g} s") from None


async def _read(
    config: TrackerConfig, secret: str | None, http: httpx.AsyncClient, timeouts: httpx.Timeout
) -> list[Reading]:
    if config.kind == "mlflow":
        return await mlflow.read_mlflow(config, secret, http, timeouts=timeouts)
    if config.kind == "wandb":
        return await wandb.read_wandb(config, secret, http, timeouts=timeouts)
    raise ValueError(f"no tracker of kind {config.kind!r}")
