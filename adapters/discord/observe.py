"""What the metrics see of one Discord client: its 429s and how fast interactions are acked.

discord.py sends every request, interaction callbacks included, through one aiohttp session
that takes an ``http_trace``; a 429 is waited out inside discord.py, so the trace is the only
place that sees each one. An interaction's ack is its first response (message, modal or
deferral): the callback request ``POST /interactions/{id}/{token}/callback``, timed from when
the dispatcher took the interaction.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace

import aiohttp

from adapters.discord.refusals import Refusals
from bot import metrics

CALLBACK = re.compile(r"/interactions/(\d+)/[^/]+/callback$")


class Observer:
    """``Client(http_trace=observer.trace())``; ``with observer.interaction(id): ...``."""

    def __init__(self, refusals: Refusals | None = None) -> None:
        self._received: dict[int, float] = {}
        self.refusals = refusals or Refusals()

    def trace(self) -> aiohttp.TraceConfig:
        trace = aiohttp.TraceConfig()
        trace.on_request_end.append(self._ended)
        return trace

    @contextmanager
    def interaction(self, interaction_id: int) -> Iterator[None]:
        """Time the first response to ``interaction_id`` sent within the block."""
        self._received.setdefault(interaction_id, time.perf_counter())
        try:
            yield
        finally:
            self._received.pop(interaction_id, None)

    async def _ended(
        self,
        _session: aiohttp.ClientSession,
        _context: SimpleNamespace,
        params: aiohttp.TraceRequestEndParams,
    ) -> None:
        status = params.response.status
        self.refusals.answered(status)
        if status == 429:
            metrics.RATE_LIMITED.labels("discord").inc()
        found = CALLBACK.search(params.url.path)
        if found is None or status >= 300:
            return
        started = self._received.pop(int(found[1]), None)
        if started is not None:
            metrics.ACK_SECONDS.labels("discord").observe(time.perf_counter() - started)
