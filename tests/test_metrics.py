"""The coach's metrics: the exposition Prometheus reads, and the core's counters — commands,
nudges per id, LLM calls and fallbacks — moved by real flows through the coach.

Metrics live for the whole process, so each test compares values before and after what it does.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot import metrics
from bot.coach import Coach
from bot.coach.nudges import SIMILAR_TRIGGER
from bot.events import FollowUp, Intent
from bot.llm import ChatClient, FollowUps
from bot.ports import ManualClock
from bot.prompts import NUDGE_IDS, load_prompts
from bot.store import Database
from bot.store.models import NudgeRecord
from tests.coach.helpers import check_in, command, member, rows, set_goal
from tests.fakes.llm import Answer, FakeLLM

OUR_METRICS = {
    "coach_commands",
    "coach_ack_seconds",
    "coach_deliveries",
    "coach_rate_limited",
    "coach_llm_calls",
    "coach_llm_retries",
    "coach_llm_fallbacks",
    "coach_nudges",
}


def value(name: str, **labels: str) -> float:
    """The current value of one sample (0 when it was never touched)."""
    return metrics.REGISTRY.get_sample_value(name, labels) or 0.0


def samples(exposition: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a Prometheus text exposition, by (name, labels)."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
    }


def test_the_exposition_is_prometheus_text_with_every_metric() -> None:
    metrics.command_handled("console", "goal")
    body, content_type = metrics.exposition()
    assert content_type.startswith("text/plain; version=")
    families = {f.name for f in text_string_to_metric_families(body.decode())}
    assert families >= OUR_METRICS
    assert "process_cpu_seconds" in families  # the process collector, for the usual dashboards
    found = samples(body.decode())
    key = ("coach_commands_total", frozenset({("platform", "console"), ("command", "goal")}))
    assert found[key] == value("coach_commands_total", platform="console", command="goal") >= 1


def test_openmetrics_is_served_to_a_scraper_that_asks_for_it() -> None:
    body, content_type = metrics.exposition("application/openmetrics-text; version=1.0.0")
    assert content_type.startswith("application/openmetrics-text")
    assert body.rstrip().endswith(b"# EOF")


async def test_commands_are_counted_by_platform_and_name_never_by_what_was_typed(
    coach: Coach,
) -> None:
    ada = member()
    before = value("coach_commands_total", platform="slack", command="review")
    other = value("coach_commands_total", platform="slack", command="other")
    await command(coach, ada, "review")
    await command(coach, ada, "/Review")
    await command(coach, ada, "U0123-typed-by-a-member")
    assert value("coach_commands_total", platform="slack", command="review") == before + 2
    assert value("coach_commands_total", platform="slack", command="other") == other + 1
    body, _ = metrics.exposition()
    assert b"U0123" not in body


async def test_nudges_are_counted_per_nudge_id_as_given(coach: Coach) -> None:
    ada = member()
    kinds = ("nudge", "question")
    ids = list(NUDGE_IDS)
    before = {(n, k): value("coach_nudges_total", nudge=n, form=k) for n in ids for k in kinds}
    await set_goal(coach, ada)  # no baseline yet: a nudge of its own

    await check_in(coach, ada, did="Copied what the big lab did", moves_goal="", failed="it")
    await check_in(coach, ada, did="Read a paper and tried its idea", next_experiment="")

    given = Counter(
        (r.nudge_id, "question" if r.trigger.startswith(SIMILAR_TRIGGER) else "nudge")
        for r in await rows(coach, NudgeRecord)
    )
    assert len(given) >= 3, "these check-ins call for several nudges"
    for key, was in before.items():
        assert value("coach_nudges_total", nudge=key[0], form=key[1]) - was == given[key], key


def follow_up_of(intents: list[Intent]) -> FollowUp:
    assert isinstance(intents[-1], FollowUp), intents
    return intents[-1]


@pytest.fixture
async def llm() -> AsyncIterator[FakeLLM]:
    async with FakeLLM() as fake:
        yield fake


@pytest.fixture
async def coach_llm(db: Database, clock: ManualClock, llm: FakeLLM) -> AsyncIterator[Coach]:
    client = ChatClient(llm.base_url, "fake-model", "sk-test", 2.0)
    follow_ups = FollowUps(client, load_prompts())
    yield Coach(db, clock, follow_ups=follow_ups)
    await follow_ups.aclose()


async def test_llm_calls_retries_and_fallbacks_are_counted(coach_llm: Coach, llm: FakeLLM) -> None:
    coach = coach_llm
    ada = member()
    await set_goal(coach, ada)
    calls, retries = value("coach_llm_calls_total"), value("coach_llm_retries_total")
    http = value("coach_llm_fallbacks_total", reason="http")
    malformed = value("coach_llm_fallbacks_total", reason="malformed")
    expired = value("coach_llm_fallbacks_total", reason="expired")

    llm.script(Answer.json({"message": "Try the smaller model first."}))
    answered = follow_up_of(await check_in(coach, ada))
    assert len(await coach.follow_up(answered)) == 1
    assert value("coach_llm_calls_total") == calls + 1

    llm.script(Answer.error(503))  # both attempts fail: one retry, then the template stands
    failed = follow_up_of(await check_in(coach, ada))
    assert await coach.follow_up(failed) == []
    assert value("coach_llm_retries_total") == retries + 1
    assert value("coach_llm_fallbacks_total", reason="http") == http + 1

    llm.script(Answer.content("no JSON here"))
    garbled = follow_up_of(await check_in(coach, ada))
    assert await coach.follow_up(garbled) == []
    assert value("coach_llm_fallbacks_total", reason="malformed") == malformed + 1

    assert await coach.follow_up(garbled) == []  # used once: now expired
    assert value("coach_llm_fallbacks_total", reason="expired") == expired + 1
    assert value("coach_llm_calls_total") == calls + 3
    assert coach.llm_stats()["fallbacks"] == 2  # the same story as the LLM's own stats
