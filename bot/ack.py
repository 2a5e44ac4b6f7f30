"""Ask, then ack or defer: the one rule both chat platforms need for an interaction.

Slack and Discord give an interaction 3 seconds for its first answer. An adapter asks the coach
at once; when the coach answers within ``ACK_BUDGET`` the answer itself can be the ack (a modal
kept open with its errors, a form opened with the trigger); when it does not, the adapter acks
or defers first ("thinking…") and the answer follows. The coach keeps working either way:
nothing the member sent is dropped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

ACK_BUDGET = 2.0  # seconds: the platforms give 3; the rest is for the ack's own round trip

Answer = TypeVar("Answer")


async def ask_within_budget(
    work: Awaitable[Answer],
    defer: Callable[[], Awaitable[object]],
    budget: float = ACK_BUDGET,
) -> tuple[Answer, bool]:
    """(``work``'s result, whether it came within ``budget`` seconds). Past the budget,
    ``defer`` runs first, then the work is awaited to its end.

    >>> answer, in_time = await ask_within_budget(coach.handle(event), ack)

    Should ``defer`` fail, the work is still awaited to its end before the failure is raised:
    the coach never stops halfway because the platform's line dropped.
    """
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=budget)
    if done:
        return task.result(), True
    try:
        await defer()
    except BaseException:
        await asyncio.shield(task)
        raise
    return await task, False
