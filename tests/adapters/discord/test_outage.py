"""When the database is unreachable nothing is saved, and nothing the member typed is lost: the
private answer brings it back with one press."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from bot.coach import Coach
from bot.store import StoreUnavailable
from tests.adapters.discord.test_commands import set_goal
from tests.adapters.discord.transcript import Researcher


def database_down_once(coach: Coach, monkeypatch: pytest.MonkeyPatch) -> None:
    """The next transaction fails as an unreachable database does; later ones work."""
    session = coach.db.session
    calls = {"n": 0}

    @asynccontextmanager
    async def flaky() -> AsyncIterator[Any]:
        calls["n"] += 1
        if calls["n"] == 1:
            raise StoreUnavailable("OperationalError")
        async with session() as real:
            yield real

    monkeypatch.setattr(coach.db, "session", flaky)


async def test_a_form_submitted_during_an_outage_reopens_with_the_members_words(
    ada: Researcher, coach: Coach, monkeypatch: pytest.MonkeyPatch
) -> None:
    await set_goal(ada)
    opened = await ada.slash("checkin")
    database_down_once(coach, monkeypatch)

    failed = await ada.submit(
        opened.modal, did="Three days of careful ablations", metric_value="0.27"
    )
    assert "I can't reach my database right now" in failed.text
    assert failed.ephemeral

    reopened = await ada.press("Open my form again", on=failed)
    values = {
        c["component"]["custom_id"]: c["component"].get("value")
        for c in reopened.modal["components"]
    }
    assert values["did"] == "Three days of careful ablations"
    assert values["metric_value"] == "0.27"
    saved = await ada.submit(reopened.modal)
    assert "Check-in saved for goal 1" in saved.text


async def test_a_command_during_an_outage_can_be_retried(
    ada: Researcher, coach: Coach, monkeypatch: pytest.MonkeyPatch
) -> None:
    await ada.slash("coach help")
    database_down_once(coach, monkeypatch)

    failed = await ada.slash("log", text="Tried label smoothing 0.1")
    assert "I can't reach my database" in failed.text
    assert "You sent: /log Tried label smoothing 0.1" in failed.text
    retried = await ada.press("Try again", on=failed)
    assert "Noted in your notebook." in retried.text
