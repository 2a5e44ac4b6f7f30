"""``/coach ai on|off`` on Discord: the member's choice whether the team's LLM reads their
check-ins reaches the coach like every other /coach setting."""

from __future__ import annotations

from tests.adapters.discord.transcript import Researcher


async def test_coach_ai_off_and_on(ada: Researcher) -> None:
    off = await ada.slash("coach ai", state="off")
    assert "No AI model is set up" in off.text and "(off)" in off.text
    assert "(on)" in (await ada.slash("coach ai", state="on")).text
