"""Sends are spaced per channel and per workspace, so platforms rarely answer 429."""

from __future__ import annotations

import asyncio

from bot.pacing import Pacer


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


def test_one_channel_gets_one_slot_per_interval() -> None:
    time = FakeTime()
    pacer = Pacer(per_channel=1.0, per_tenant=0.1, clock=time.clock)
    waits = [pacer.reserve("T1", "C1") for _ in range(3)]
    assert waits == [0.0, 1.0, 2.0]


def test_other_channels_only_wait_for_the_workspace_interval() -> None:
    time = FakeTime()
    pacer = Pacer(per_channel=1.0, per_tenant=0.1, clock=time.clock)
    waits = [pacer.reserve("T1", f"C{i}") for i in range(3)]
    assert [round(w, 6) for w in waits] == [0.0, 0.1, 0.2]
    assert pacer.reserve("T2", "C1") == 0.0  # another workspace is not held up


def test_a_bot_wide_interval_spaces_sends_across_every_workspace() -> None:
    time = FakeTime()
    pacer = Pacer(per_channel=1.0, per_tenant=0.1, clock=time.clock, per_bot=0.025)
    waits = [pacer.reserve(f"T{i}", "C1") for i in range(4)]  # four workspaces at once
    assert [round(w, 6) for w in waits] == [0.0, 0.025, 0.05, 0.075]
    assert round(pacer.reserve("T0", "C2"), 6) == 0.1  # a workspace keeps its own interval


def test_time_passing_frees_the_slot() -> None:
    time = FakeTime()
    pacer = Pacer(per_channel=1.0, per_tenant=0.1, clock=time.clock)
    pacer.reserve("T1", "C1")
    time.now += 5
    assert pacer.reserve("T1", "C1") == 0.0


def test_wait_sleeps_the_reserved_delay() -> None:
    time = FakeTime()
    pacer = Pacer(per_channel=1.0, per_tenant=0.0, clock=time.clock, sleep=time.sleep)

    async def two_sends() -> None:
        await pacer.wait("T1", "C1")
        await pacer.wait("T1", "C1")

    asyncio.run(two_sends())
    assert time.slept == [1.0]


def test_a_send_that_left_late_moves_the_sends_booked_behind_it_back() -> None:
    """The event loop stalls past two slots: the second send does not follow the first at
    once (a burst the platform refuses) but one interval (less the pacer's jitter) after it."""
    time = FakeTime()
    stall = [0.3]
    sent: list[float] = []

    async def sleep(seconds: float) -> None:
        wake = time.now + seconds
        await asyncio.sleep(0)  # the other send books its slot meanwhile
        time.now = max(time.now, wake) + stall.pop() if stall else max(time.now, wake)

    pacer = Pacer(per_channel=1.0, per_tenant=0.1, clock=time.clock, sleep=sleep)

    async def send(channel: str) -> None:
        await pacer.wait("T1", channel)
        sent.append(round(time.now, 6))

    async def three_sends() -> None:
        await send("C1")
        await asyncio.gather(send("C2"), send("C3"))  # slots 100.1 and 100.2
        await send("C4")

    asyncio.run(three_sends())
    assert pacer.jitter == 0.025  # a quarter of the workspace's interval
    assert sent == [100.0, 100.4, 100.475, 100.575]
