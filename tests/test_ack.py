"""Ask, then ack or defer (bot.ack): the shared rule of the Slack and Discord adapters."""

from __future__ import annotations

import asyncio

import pytest

from bot.ack import ask_within_budget


async def test_an_answer_in_time_is_returned_without_deferring() -> None:
    deferred: list[str] = []

    async def defer() -> None:
        deferred.append("ack")

    async def quick() -> str:
        return "the coach's answer"

    assert await ask_within_budget(quick(), defer, budget=60) == ("the coach's answer", True)
    assert deferred == []


async def test_past_the_budget_the_defer_goes_first_and_the_answer_follows() -> None:
    said: list[str] = []
    acked = asyncio.Event()

    async def defer() -> None:
        said.append("ack")
        acked.set()

    async def slow() -> str:
        await acked.wait()  # only the defer lets the coach finish: the order is proven
        said.append("answer")
        return "late answer"

    assert await ask_within_budget(slow(), defer, budget=0) == ("late answer", False)
    assert said == ["ack", "answer"]


async def test_a_failed_defer_still_lets_the_coach_finish() -> None:
    finished: list[str] = []
    release = asyncio.Event()

    async def defer() -> None:
        release.set()
        raise ConnectionError("the platform hung up")

    async def slow() -> None:
        await release.wait()
        await asyncio.sleep(0)
        finished.append("stored")

    with pytest.raises(ConnectionError):
        await ask_within_budget(slow(), defer, budget=0)
    assert finished == ["stored"]


async def test_the_coach_failing_in_time_is_raised_to_the_caller() -> None:
    async def defer() -> None:
        raise AssertionError("nothing to defer")

    async def broken() -> None:
        raise RuntimeError("database down")

    with pytest.raises(RuntimeError, match="database down"):
        await ask_within_budget(broken(), defer, budget=60)
