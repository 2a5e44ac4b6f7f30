"""With an LLM configured, members are told what goes to it, where they look (the help, and
the answer to their first check-in), and each can keep theirs from it; a plain http:// LLM on
another machine is refused unless the operator says that network is theirs."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from adapters.console import ConsoleSession
from bot.coach import Coach
from bot.llm import ChatClient, FollowUps, Judge
from bot.ports import ManualClock
from bot.prompts import load_prompts
from bot.settings import Settings
from bot.store import Database
from tests.conftest import say
from tests.fakes.llm import Answer, FakeLLM

GOAL = ("/goal set", "Transcribe clinic audio", "WER", "2", "20", "10")
TOLD = "This check-in went to it"


def checkin(did: str) -> tuple[str, ...]:
    return ("/checkin", did, "", "", "", "")


@pytest.fixture
async def llm() -> AsyncIterator[FakeLLM]:
    async with FakeLLM() as server:
        server.script(Answer.json({"message": "Try one eval first."}))
        yield server


@pytest.fixture
async def with_llm(
    db: Database, clock: ManualClock, llm: FakeLLM, exports: Path
) -> AsyncIterator[ConsoleSession]:
    """Ada, in a coach whose team configured an LLM (follow-ups and the judge)."""
    follow_ups = FollowUps(ChatClient(llm.base_url, "fake-model", timeout=2), load_prompts())
    judge = Judge(ChatClient(llm.base_url, "fake-model", timeout=2))
    coach = Coach(db, clock, follow_ups=follow_ups, judge=judge)
    yield ConsoleSession(coach, "lab", "Ada", exports)
    await follow_ups.aclose()
    await judge.client.aclose()


def sent(llm: FakeLLM, words: str) -> int:
    """How many requests to the LLM carried ``words``."""
    return sum(words in json.dumps(r.body) for r in llm.requests)


async def test_the_help_and_the_first_check_in_say_what_goes_to_the_llm(
    with_llm: ConsoleSession, llm: FakeLLM
) -> None:
    ada = with_llm
    helped = await say(ada, "/coach")
    assert "set up with an AI model" in helped and "/coach ai off" in helped
    assert "reflections, notebook, drafts and best works never go to it" in helped
    await say(ada, *GOAL)

    first = await say(ada, *checkin("ran the tokenizer ablation on clinic audio"))
    assert TOLD in first and "/coach ai off" in first
    assert "Try one eval first." in await ada.follow_up()
    second = await say(ada, *checkin("distilled the teacher into a small model"))
    assert TOLD not in second  # told once
    assert sent(llm, "tokenizer ablation") >= 2  # judged, and followed up on


async def test_a_member_keeps_their_check_ins_from_the_llm(
    with_llm: ConsoleSession, llm: FakeLLM, clock: ManualClock
) -> None:
    ada = with_llm
    await say(ada, *GOAL)
    assert "no longer go to the AI model" in await say(ada, "/coach ai off")
    assert "you turned it off for yourself" in await say(ada, "/coach help")

    answer = await say(ada, *checkin("pruned the attention heads of the encoder"))
    assert "Publish" in answer and TOLD not in answer
    assert await ada.follow_up() == ""
    assert llm.requests == []  # neither judged nor followed up on by the LLM

    clock.advance(timedelta(days=1))
    assert "may read your check-ins again" in await say(ada, "/coach ai on")
    await say(ada, *checkin("quantized the decoder to int8"))
    assert "Try one eval first." in await ada.follow_up()
    assert sent(llm, "quantized the decoder") >= 1
    assert sent(llm, "pruned the attention heads") == 0  # only check-ins from after


async def test_without_an_llm_nothing_is_said_of_one(ada: ConsoleSession) -> None:
    assert "AI model" not in await say(ada, "/coach")
    await say(ada, *GOAL)
    assert "AI model" not in await say(ada, *checkin("ran the tokenizer ablation"))
    said = await say(ada, "/coach ai off")
    assert "No AI model is set up" in said and "(off)" in said


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://llm.example.org/v1", True),
        ("http://127.0.0.1:8000/v1", True),
        ("http://localhost:8000/v1", True),
        ("http://[::1]:8000/v1", True),
        ("http://llm.example.org/v1", False),
        ("http://10.0.0.7:8000/v1", False),
        ("HTTP://gpu-box:8000/v1?key=sk-abc123", False),
    ],
)
def test_a_plain_http_llm_on_another_machine_is_refused(url: str, allowed: bool) -> None:
    def settings(**extra: object) -> Settings:
        return Settings(_env_file=None, llm_base_url=url, llm_model="m", **extra)  # type: ignore[call-arg]

    if allowed:
        assert settings().llm_base_url == url
        return
    with pytest.raises(ValidationError) as refused:
        settings()
    assert "COACH_LLM_ALLOW_HTTP" in str(refused.value)
    assert "sk-abc123" not in str(refused.value) and "gpu-box" not in str(refused.value)
    assert settings(llm_allow_http=True).llm_base_url == url  # the operator's own network
