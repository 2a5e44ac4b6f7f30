"""Drawing off the event loop: in one worker process, not a thread.

Measured (bench/charts.py: 100 charts, half of them 100,000-point histories; 2 shared cores,
load average 2-3; the garbage-collector policy of ``research-coach run``): a 1 ms timer on the
loop came 3.7-4.4 ms late at p99 and 9.6-11.7 ms at worst (median over batches) with charts
drawn in a worker process; 7.4-10.8 ms at p99 and 11.0-16.6 ms at worst drawn in a thread
(``asyncio.to_thread``), as each wake of the loop waits for the GIL while matplotlib draws. So
charts render in a ``ProcessPoolExecutor`` of one worker: it halves what every event waits,
and keeps matplotlib's memory, and a chart that would crash, out of the bot's process. Its
costs: about 150 MB resident, and its start, 1.3-1.5 s, on the first chart unless
``warm_up()`` ran at start-up. Spawned (a fork of a process running an event loop and threads
is unsafe), kept for the next charts, started again if it dies.

What crosses to the worker is pickled on the parent's side, holding the GIL for the whole
pickle: a 100,000-point history stalled the loop for ~120 ms. So each series is thinned first
(``thin``: the very points the chart would draw), here: about 3 ms of CPU for 100,000 points.

Spawn imports the parent's main script again in the worker: a script that draws charts keeps
its work under ``if __name__ == "__main__":`` (the ``research-coach`` script does; with
``python -m bot`` the worker skips ``bot.__main__``).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from bot.charts.downsample import kept
from bot.charts.goal import thin
from bot.charts.series import GoalSeries, Point, finite

log = logging.getLogger(__name__)
_pool: ProcessPoolExecutor | None = None
_lock = threading.Lock()  # draw may be awaited from several loops' threads (tests, the CLI)


async def draw(fn: Callable[..., bytes], *args: Any) -> bytes:
    """``fn(*args)`` (``render_goal`` or ``render_team``, or any picklable function returning
    bytes) in the chart worker, awaited without blocking the event loop. Where no process can
    be started (a sandbox without /dev/shm, a process limit), in a thread instead.

    >>> png = await draw(render_goal, series)  # doctest: +SKIP
    """
    light = tuple(_thinned(arg) for arg in args)
    loop = asyncio.get_running_loop()
    for tries_left in (1, 0):
        try:
            return await loop.run_in_executor(_worker(), fn, *light)
        except BrokenProcessPool:  # the worker died (killed, out of memory): one new one, once
            _discard()
            if not tries_left:  # a chart that kills its worker is never tried in this process
                raise
        except OSError as error:  # no process could be started at all
            _discard()
            log.warning("charts are drawn in a thread: no worker process (%s)", error.strerror)
            break
    return await asyncio.to_thread(fn, *light)


async def warm_up() -> None:
    """Start the chart worker before the first chart needs it: spawning it and loading
    matplotlib takes 1-3 s, better spent at start-up than by the first member to ask."""
    await draw(_ready)


def _ready() -> bytes:
    """In the worker: load what every chart needs (matplotlib, the font, the chart's words)."""
    from bot.charts import canvas
    from bot.charts.literal import literal

    canvas.words()
    canvas.png(canvas.figure(literal("", 1))[0])
    return b""


def close() -> None:
    """Stop the chart worker, if one was started (at shutdown; a later chart starts another)."""
    pool = _discard()
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


def _worker() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        return _pool


def _discard() -> ProcessPoolExecutor | None:
    global _pool
    with _lock:
        pool, _pool = _pool, None
    return pool


def _thinned(arg: Any) -> Any:
    """A goal's series, or a team's (name, points) pairs, cut to what the chart draws."""
    if isinstance(arg, GoalSeries):
        return thin(arg)
    if isinstance(arg, list | tuple) and all(_member(item) for item in arg):
        return [(name, _points(points)) for name, points in arg]
    return arg


def _member(item: Any) -> bool:
    return isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)


def _points(points: Sequence[Point]) -> list[Point]:
    drawable, values = finite(points)
    return [drawable[i] for i in kept(values)]
