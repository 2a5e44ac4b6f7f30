"""The one call polling makes: a goal's metric read from the tracker its settings name.

    readings = await read_metric(TrackerConfig("mlflow", url, "fold-cv", "fold_success"),
                                 secret, http)

What is asked and answered, and how it fails: ``bot.trackers.model``.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta
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
from bot.trackers.wire import guard_address

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
# What a reading may hold to be stored and drawn: a value within ±LARGEST (as a push, past any
# metric and short of what a chart's axis can span), a step that fits a BIGINT, a run id its
# column (String(200)) with no control character (PostgreSQL refuses NUL), a time after
# EARLIEST and at most a day ahead of now.
LARGEST: Final = 1e15
STEPS: Final = range(-(2**63), 2**63)
RUN_ID_LIMIT: Final = 200
EARLIEST: Final = datetime(2000, 1, 1, tzinfo=UTC)
AHEAD: Final = timedelta(days=1)
READERS: Final = {"mlflow": mlflow.read_mlflow, "wandb": wandb.read_wandb}
SERVICES: Final = {"mlflow": "MLflow", "wandb": "W&B"}

log = logging.getLogger(__name__)


async def read_metric(
    config: TrackerConfig,
    secret: str | None,
    http: httpx.AsyncClient,
    *,
    timeouts: httpx.Timeout = DEFAULT_TIMEOUT,
    deadline: float = READ_DEADLINE,
    addresses: str = "private",
) -> list[Reading]:
    """Each run's latest value of ``config.metric``, from the tracker ``config.kind`` names.

    >>> await read_metric(TrackerConfig("wandb", "https://api.wandb.ai", "lab/cv", "acc"),
    ...                   "wandb-api-key", client)
    [Reading(value=0.45, run_id='3k2j1h0g', step=900, at=datetime(...), run_name='fold-3')]

    The whole read (every page) ends within ``deadline`` seconds, or as ``TrackerError`` "slow".
    The tracker's host must resolve to addresses ``addresses`` allows ("public", "private" or
    "any": ``bot.trackers.wire.ADDRESS_POLICIES``), or it is "unreachable".
    An answer that breaks the reader in a way it did not foresee (numbers past any float, JSON
    nested past the parser) is "bad_answer"; readings no store or chart could hold are dropped.
    """
    reader = READERS.get(config.kind)
    if reader is None:
        raise ValueError(f"no tracker of kind {config.kind!r}")
    try:
        async with asyncio.timeout(deadline):
            url = config.url.strip() or (wandb.DEFAULT_URL if config.kind == "wandb" else "")
            await guard_address(url, addresses, SERVICES[config.kind])
            readings = await reader(config, secret, http, timeouts=timeouts)
    except TimeoutError:
        raise TrackerError("slow", f"no whole answer within {deadline:g} s") from None
    except TrackerError:
        raise
    except Exception as exc:  # the type only: a message may quote the answer or the address
        log.warning("%s answer not understood: %s", SERVICES[config.kind], type(exc).__name__)
        raise TrackerError("bad_answer", f"{SERVICES[config.kind]}: an odd answer") from None
    latest = datetime.now(UTC) + AHEAD
    return [kept for kept in (_kept(reading, latest) for reading in readings) if kept]


def _kept(reading: Reading, latest: datetime) -> Reading | None:
    """``reading`` as the store can hold it, or None when it cannot be held."""
    if abs(reading.value) > LARGEST:
        return None
    if reading.step is not None and reading.step not in STEPS:
        return None
    if reading.at is not None and not EARLIEST <= reading.at <= latest:
        return None
    run_id = "".join(c for c in reading.run_id if c.isprintable())[:RUN_ID_LIMIT].strip()
    if not run_id:
        return None
    return reading if run_id == reading.run_id else replace(reading, run_id=run_id)
