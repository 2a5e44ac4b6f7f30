"""Reading a check-in (the embedded model, the rules over 3,000 hostile characters) happens
in a worker thread: while it reads, the event loop goes on serving everyone else."""

from __future__ import annotations

import asyncio
import threading

import pytest

import bot.analysis as analysis
from bot.analysis import Evidence, Signals
from bot.coach import Coach
from bot.events import Reply
from tests.coach.helpers import check_in, member, only, set_goal

HOSTILE = ("1," * 1500, "because " * 375, "[](" * 1000)


async def test_the_loop_keeps_serving_while_a_hostile_check_in_is_read(
    coach: Coach, monkeypatch: pytest.MonkeyPatch
) -> None:
    ada = member()
    await set_goal(coach, ada)
    reading = threading.Event()  # the analysis has started
    served = threading.Event()  # the loop ran another task since
    heard: list[bool] = []
    read = analysis.analyze_evidence

    def read_and_listen(evidence: Evidence) -> Signals:
        reading.set()
        signals = read(evidence)  # the whole hostile text, read for real
        # On the event loop this would wait its five seconds in vain: nothing else can run.
        heard.append(served.wait(timeout=5))
        return signals

    async def heartbeat() -> None:
        while True:
            await asyncio.sleep(0.001)
            if reading.is_set():
                served.set()

    monkeypatch.setattr(analysis, "analyze_evidence", read_and_listen)
    beating = asyncio.create_task(heartbeat())
    try:
        did, moves, failed = HOSTILE
        only(await check_in(coach, ada, did=did, moves_goal=moves, failed=failed), Reply)
    finally:
        beating.cancel()
    assert heard == [True]
