"""The process's garbage-collector policy: set by the entry point that runs the scheduler
(``research-coach run``), never by a library module, as it changes the whole process.

The collector's full passes hold the event loop for as long as they walk every object: about
90 ms for what exists once the process is up (modules, settings, prompts: some 100k objects),
and 40-80 ms more in the middle of a fan-out, with thousands of sends in flight: enough for
paced sends to bunch up and be refused (``bench/fanout.py --no-freeze``: worst loop stall 36 ms
and a 43 ms full pass, against 6 ms with this policy). So what exists at start-up is frozen (it
lives as long as the process, and is collected first so no garbage is kept), and full passes
run between scheduler runs instead of whenever they fall due. Young objects are collected as
usual.
"""

from __future__ import annotations

import gc

FULL_ONLY_BETWEEN_RUNS = 1_000_000  # gen-1 passes before a full one falls due by itself


class Collector:
    """``freeze_start_up()`` once the process is built; ``full_pass()`` after each scheduler
    run (``Scheduler(after_run=collector.full_pass)``); ``restore()`` when it stops."""

    def __init__(self) -> None:
        self._thresholds: tuple[int, int, int] | None = None  # the collector's, before

    def freeze_start_up(self) -> None:
        gc.collect()
        gc.freeze()
        self._thresholds = gc.get_threshold()
        young, middle, _ = self._thresholds
        gc.set_threshold(young, middle, FULL_ONLY_BETWEEN_RUNS)

    def full_pass(self) -> None:
        """The full pass, now that nothing is in flight."""
        if self._thresholds is not None:
            gc.collect()

    def restore(self) -> None:
        if self._thresholds is not None:
            gc.set_threshold(*self._thresholds)
            self._thresholds = None
